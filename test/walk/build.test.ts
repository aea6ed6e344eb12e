// Walks built from the simulator's trace: every packet a probe involves, hop by hop, with
// its fate and the drop reasons walks promise ("FORWARD policy DROP", "no route",
// "ARP failed", "no socket listening").
import { describe, expect, it } from "vitest";
import { parseLine, parseScript } from "../../src/script/parse.js";
import type { LabCommand } from "../../src/script/types.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { walkJson } from "../../src/walk/json.js";
import { parseProbe } from "../../src/walk/probe.js";
import { renderWalk } from "../../src/walk/render.js";
import { simProbe, type SimProbe } from "../../src/walk/traced-probe.js";
import { WALK_SCHEMA, type Walk } from "../../src/walk/types.js";

const ROUTER = [
  "ip netns add a",
  "ip netns add r",
  "ip netns add b",
  "ip link add va type veth peer name ra netns r",
  "ip link set va netns a",
  "ip link add vb type veth peer name rb netns r",
  "ip link set vb netns b",
  "ip -n a addr add 192.0.2.2/24 dev va",
  "ip -n r addr add 192.0.2.1/24 dev ra",
  "ip -n r addr add 198.51.100.1/24 dev rb",
  "ip -n b addr add 198.51.100.2/24 dev vb",
  "ip -n a link set va up",
  "ip -n r link set ra up",
  "ip -n r link set rb up",
  "ip -n b link set vb up",
  "ip -n a route add default via 192.0.2.1",
  "ip -n b route add default via 198.51.100.1",
  "ip netns exec r sysctl -w net.ipv4.ip_forward=1",
];

async function walk(lines: string[], probe: string): Promise<SimProbe> {
  return traced(lines, parseProbe([probe]));
}

/** The walk of any command (not only a probe), after setting up with lines. */
async function traced(lines: string[], cmd: LabCommand | null): Promise<SimProbe> {
  const { script, errors } = parseScript(lines.join("\n"), "t.lab");
  expect(errors).toEqual([]);
  const sim = new SimBackend();
  for (const c of script.commands) await sim.run(c);
  return simProbe(sim, cmd!);
}

describe("walks from the trace", () => {
  it("a routed ping: ARP for the gateway, TTL decrement, echo and reply, each packet's cause", async () => {
    const w = await walk(ROUTER, "ip netns exec a ping -c1 198.51.100.2");
    const titles = w.walk.packets.map((p) => p.summary);
    expect(titles[0]).toMatch(/^ICMP echo request 192\.0\.2\.2 > 198\.51\.100\.2/);
    expect(titles).toContain("ARP request: who has 192.0.2.1? tell 192.0.2.2");
    expect(titles).toContain("ARP request: who has 198.51.100.2? tell 198.51.100.1");
    const echo = w.walk.packets[0]!;
    const kinds = echo.steps.map((s) => `${s.ns}:${s.kind}`);
    // a routes and resolves the gateway; r receives, routes, decrements; b delivers.
    expect(kinds.indexOf("a:route")).toBeLessThan(kinds.indexOf("r:wire"));
    expect(kinds).toContain("r:ttl");
    expect(echo.steps.find((s) => s.kind === "ttl")?.text).toBe("forwarded: TTL 64 -> 63");
    expect(echo.steps.find((s) => s.ns === "r" && s.kind === "route")?.why).toContain(
      "/24 is the longest matching prefix in table main",
    );
    expect(echo.fate).toMatchObject({ kind: "delivered", ns: "b" });
    const reply = w.walk.packets.find((p) => p.summary.startsWith("ICMP echo reply"))!;
    expect(reply.causedBy).toBe(echo.id);
    const arp = w.walk.packets.find((p) => p.summary.includes("who has 192.0.2.1"))!;
    expect(arp.causedBy).toBe(echo.id);
    expect(w.result.exit).toBe(0);
  });

  it("FORWARD policy DROP: the rule path and the reason", async () => {
    const w = await walk(
      [...ROUTER, "ip netns exec r iptables -P FORWARD DROP"],
      "ip netns exec a ping -c1 -W1 198.51.100.2",
    );
    const echo = w.walk.packets[0]!;
    expect(echo.fate).toMatchObject({ kind: "dropped", ns: "r", reason: "FORWARD policy DROP" });
    const nf = echo.steps.filter((s) => s.kind === "nf").map((s) => s.nf);
    expect(nf).toEqual([
      { hook: "FORWARD", table: "filter", chain: "FORWARD", verdict: "DROP", policy: true },
    ]);
    expect(w.netfilter).toEqual([
      expect.objectContaining({
        ns: "r",
        src: "192.0.2.2",
        dst: "198.51.100.2",
        proto: "icmp",
        steps: [{ table: "filter", chain: "FORWARD", verdict: "DROP", policy: true }],
      }),
    ]);
  });

  it("a matching rule: its number, text and verdict, then the ICMP error REJECT sends", async () => {
    const w = await walk(
      [
        ...ROUTER,
        "ip netns exec r iptables -A FORWARD -p icmp -j LOG",
        "ip netns exec r iptables -A FORWARD -d 198.51.100.2 -j REJECT",
      ],
      "ip netns exec a ping -c1 -W1 198.51.100.2",
    );
    const echo = w.walk.packets[0]!;
    expect(echo.steps.filter((s) => s.kind === "nf").map((s) => s.text)).toEqual([
      "FORWARD: filter FORWARD rule 1: -A FORWARD -p icmp -j LOG => CONTINUE",
      "FORWARD: filter FORWARD rule 2: -A FORWARD -d 198.51.100.2/32 -j REJECT --reject-with icmp-port-unreachable => DROP",
    ]);
    expect(echo.fate.reason).toBe("filter/FORWARD rule 2 REJECT");
    const err = w.walk.packets.find((p) => p.summary.startsWith("ICMP port unreachable"))!;
    expect(err.causedBy).toBe(echo.id);
    expect(err.fate).toMatchObject({ kind: "delivered", ns: "a" });
  });

  it("no route on the router: dropped with 'no route', and the router's ICMP net unreachable", async () => {
    const w = await walk(
      [...ROUTER, "ip -n r route del 198.51.100.0/24"],
      "ip netns exec a ping -c1 -W1 198.51.100.2",
    );
    expect(w.walk.packets[0]!.fate).toMatchObject({
      kind: "dropped",
      ns: "r",
      reason: "no route",
    });
    expect(w.walk.packets.some((p) => p.summary.startsWith("ICMP net unreachable 192.0.2.1"))).toBe(
      true,
    );
  });

  it("ARP failed: the neighbour's retries are timer events; the queued packet's reason", async () => {
    const w = await walk(
      [...ROUTER, "ip -n b addr flush dev vb"],
      "ip netns exec a ping -c1 -W5 198.51.100.2",
    );
    expect(w.walk.packets[0]!.fate).toMatchObject({
      kind: "dropped",
      ns: "r",
      reason: "ARP failed",
    });
    expect(w.walk.events).toContainEqual(
      expect.objectContaining({
        machine: { ns: "r", kind: "neigh", key: "198.51.100.2 dev rb" },
        state: "FAILED",
      }),
    );
    const requests = w.walk.packets.filter((p) => p.summary.includes("who has 198.51.100.2"));
    expect(requests.length).toBe(3); // mcast_solicit
  });

  it("carrier lost while resolving: the queued packet goes with the flushed entry", async () => {
    // linkwatch reports the carrier loss up to a second later; then arp_evict_nocarrier
    // flushes rb's entries, and the packet waiting on one is dropped without an error.
    const w = await walk(
      [...ROUTER, "ip netns exec b ip link set vb down"],
      "ip netns exec a ping -c1 -W5 198.51.100.2",
    );
    expect(w.walk.packets[0]!.fate).toMatchObject({
      kind: "dropped",
      ns: "r",
      reason: "neighbour entry flushed",
    });
  });

  it("nc -z to a closed port: no socket listening, the RST answers the SYN", async () => {
    const w = await walk(ROUTER, "ip netns exec a nc -z -w1 198.51.100.2 80");
    const syn = w.walk.packets[0]!;
    expect(syn.summary).toMatch(/^TCP 192\.0\.2\.2:\d+ > 198\.51\.100\.2:80 \[S\]$/);
    expect(syn.fate).toMatchObject({ kind: "dropped", ns: "b", reason: "no socket listening" });
    const rst = w.walk.packets.find((p) => p.summary.includes("[R.]"))!;
    expect(rst.causedBy).toBe(syn.id);
    expect(w.result.exit).toBe(1);
  });
});

describe("identities in the walk", () => {
  it("a bridge port's machine inside a namespace is reported in that namespace", async () => {
    // Any traced command will do: taking a port down moves its machine, with no packet in
    // hand, so it shows as an event.
    const w = await traced(
      [
        "ip netns add h",
        "ip -n h link add br0 type bridge",
        "ip -n h link add pa type veth peer name ea",
        "ip -n h link set pa master br0",
        "ip -n h link set br0 up",
        "ip -n h link set pa up",
        "ip -n h link set ea up",
        "sleep 1", // linkwatch: the port forwards once it has seen the carrier
      ],
      parseLine("ip -n h link set pa down", 1, "t.lab"),
    );
    expect(w.walk.events).toEqual([
      { time: 0, machine: { ns: "h", kind: "bridge", key: "br0 port pa" }, state: "disabled" },
    ]);
    // As people and the JSON see it.
    const walk: Walk = {
      schema: WALK_SCHEMA,
      backend: "sim",
      script: "t.lab",
      setupFailures: [],
      sim: { probe: { text: "", ns: "h", ...w.result }, ...w.walk },
    };
    expect(renderWalk(walk, { colour: false, verbose: true })).toContain(
      "h       bridge br0 port pa: disabled\n",
    );
    expect(walkJson(walk).sim?.events).toEqual([
      { time: 0, machine: "bridge br0 port pa [h]", ns: "h", state: "disabled" },
    ]);
  });
});
