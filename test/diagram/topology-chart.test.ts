// The topology chart from a simulated world: what it draws, in what order, and that adding
// to the world adds to the picture without moving what was there.
import { describe, expect, it } from "vitest";
import { NF_HOOK_STEPS } from "../../src/backend/nf-hooks.js";
import { runLab } from "../../src/compare/lab-run.js";
import { createdOrder } from "../../src/diagram/created-order.js";
import { label, seqText } from "../../src/diagram/mermaid-text.js";
import { netfilterMap, nfMarkKey } from "../../src/diagram/netfilter-map.js";
import { topologyChart } from "../../src/diagram/topology-chart.js";
import { parseScript } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

async function chart(lines: string[]): Promise<string> {
  const { script, errors } = parseScript(lines.join("\n"), "<test>");
  expect(errors).toEqual([]);
  const commands = script.commands;
  const sim = new SimBackend({ seed: 1 });
  try {
    await runLab(commands, sim);
    return topologyChart(await sim.inspect(), { order: createdOrder(commands) });
  } finally {
    await sim.close();
  }
}

const veth = (ns: string, host: string, addr: string): string[] => [
  `ip netns add ${ns}`,
  `ip link add ${host} type veth peer name eth0 netns ${ns}`,
  `ip link set ${host} master br0`,
  `ip link set ${host} up`,
  `ip -n ${ns} addr add ${addr}/24 dev eth0`,
  `ip -n ${ns} link set eth0 up`,
  `ip -n ${ns} route add default via 10.0.0.1`,
];

const BRIDGE = [
  "ip link add br0 type bridge",
  "ip addr add 10.0.0.1/24 dev br0",
  "ip link set br0 up",
];

/** The lines that declare subgraphs and nodes, in order. */
const shapes = (mmd: string): string[] =>
  mmd.split("\n").filter((l) => /^\s+(subgraph |[rn]_\S+__\S+[[(/])/.test(l));

describe("topologyChart", () => {
  it("draws namespaces, addresses, veth pairs, bridge ports and default routes", async () => {
    const mmd = await chart([...BRIDGE, ...veth("web", "vweb", "10.0.0.2")]);
    expect(mmd.startsWith("flowchart LR\n")).toBe(true);
    expect(mmd).toContain('subgraph ns_web ["web"]');
    expect(mmd).toContain('subgraph ns_root ["(root)"]');
    expect(mmd).toContain('r__br0[["br0 (bridge)<br/>10.0.0.1/24"]]');
    expect(mmd).toContain('n_web__eth0["eth0<br/>10.0.0.2/24<br/>default via 10.0.0.1"]');
    expect(mmd).toContain("r__br0 --- r__vweb");
    expect(mmd).toContain("r__vweb === n_web__eth0");
    // The gateway is drawn (br0): no way out of the picture.
    expect(mmd).not.toContain("outside");
  });

  it("leads a default route whose gateway is not drawn to the outside world", async () => {
    const mmd = await chart([
      "ip netns add a",
      "ip link add v type veth peer name eth0 netns a",
      "ip -n a addr add 192.0.2.2/24 dev eth0",
      "ip -n a link set eth0 up",
      "ip -n a route add default via 192.0.2.1",
    ]);
    expect(mmd).toContain('outside(("outside world"))');
    expect(mmd).toContain('n_a__eth0 -->|"default via 192.0.2.1"| outside');
    // The host end was never set up: drawn as down.
    const down = /^ {2}class (\S+) down$/m.exec(mmd)?.[1]?.split(",");
    expect(down).toContain("r__v");
  });

  it("is the same text for the same world", async () => {
    const lines = [...BRIDGE, ...veth("a", "va", "10.0.0.2"), ...veth("b", "vb", "10.0.0.3")];
    expect(await chart(lines)).toBe(await chart(lines));
  });

  it("keeps what was drawn in its order when the script adds a namespace", async () => {
    const two = [...BRIDGE, ...veth("zeta", "vz", "10.0.0.2"), ...veth("alpha", "va", "10.0.0.3")];
    const before = shapes(await chart(two));
    const after = shapes(await chart([...two, ...veth("mid", "vm", "10.0.0.4")]));
    // Creation order, not name order: zeta (made first) before alpha; the new one is
    // added, nothing else moves (the lines are written last to first).
    expect(after.filter((l) => !l.includes("mid") && !l.includes("vm"))).toEqual(before);
    const subgraphs = after
      .filter((l) => l.includes("subgraph"))
      .map((l) => l.trim().split(" ")[1]);
    expect(subgraphs).toEqual(["ns_mid", "ns_alpha", "ns_zeta", "ns_root"]);
  });

  it("draws a VXLAN tunnel once, between the two VTEPs", async () => {
    const mmd = await chart([
      "ip netns add hostA",
      "ip netns add hostB",
      "ip link add eth0 netns hostA type veth peer name eth0 netns hostB",
      "ip -n hostA addr add 10.10.0.1/24 dev eth0",
      "ip -n hostB addr add 10.10.0.2/24 dev eth0",
      "ip -n hostA link add vxlan100 type vxlan id 100 remote 10.10.0.2 dstport 4789 dev eth0",
      "ip -n hostB link add vxlan100 type vxlan id 100 remote 10.10.0.1 dstport 4789 dev eth0",
    ]);
    expect(mmd).toContain('[/"vxlan100 (vxlan 100, udp/4789)');
    const tunnels = mmd.split("\n").filter((l) => /vxlan100 -\.- \S+vxlan100/.test(l));
    expect(tunnels).toEqual(["  n_hostA__vxlan100 -.- n_hostB__vxlan100"]);
    // The root holds only its loopback: it is left out.
    expect(mmd).not.toContain("ns_root");
  });
});

describe("netfilterMap", () => {
  it("lists every step the simulator's hooks run, in their order", () => {
    const mmd = netfilterMap();
    for (const [hook, steps] of Object.entries(NF_HOOK_STEPS)) {
      const line = mmd.split("\n").find((l) => l.startsWith(`  hook_${hook}[`))!;
      const labels = line.slice(line.indexOf('"') + 1, line.lastIndexOf('"')).split("<br/>");
      expect(labels[0]).toBe(hook);
      expect(labels.slice(1).map((l) => l.split(" ")[0])).toEqual(
        steps.map((s) => (s === "confirm" ? "conntrack" : s)),
      );
    }
  });

  it("marks the steps a walk passed and the one that dropped it", () => {
    const mmd = netfilterMap(
      new Map([
        [nfMarkKey("PREROUTING", "nat"), "passed"],
        [nfMarkKey("FORWARD", "filter"), "dropped"],
      ]),
    );
    expect(mmd).toContain("▶ nat (DNAT)");
    expect(mmd).toContain("✖ filter");
    expect(mmd).toContain("class hook_PREROUTING passed");
    expect(mmd).toContain("class hook_FORWARD dropped");
  });
});

describe("Mermaid text", () => {
  it("escapes what would end a label or a message", () => {
    expect(label('a "b" <c> #d')).toBe("a #quot;b#quot; #lt;c#gt; #35;d");
    expect(seqText("x; y > z")).toBe("x#59; y #gt; z");
  });
});
