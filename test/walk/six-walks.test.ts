// The six walks of seed article 004 ("Understanding single-host Docker networking"):
// walked in the simulator, each probe's packets cross the chains the article found in its
// kernel log; walked with --compare, the kernel's own trace of each is the same.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseScript } from "../../src/script/parse.js";
import { ROOT_NS } from "../../src/backend/trace-types.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { stepText } from "../../src/walk/compare-nf.js";
import { normaliseText } from "../../src/compare/normalise.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { parseProbe } from "../../src/walk/probe.js";
import { runWalk } from "../../src/walk/run-walk.js";
import { simProbe, type SimProbe } from "../../src/walk/traced-probe.js";

const LESSON = "lessons/02-docker-six-walks.lab";

async function walk(probe: string): Promise<SimProbe> {
  const { script, errors } = parseScript(readFileSync(LESSON, "utf8"), LESSON);
  expect(errors).toEqual([]);
  const sim = new SimBackend();
  for (const c of script.commands) await sim.run(c);
  return simProbe(sim, parseProbe(probe.split(" ")));
}

/** The host's ("" = the script's own namespace) chains for the packet with these flags. */
function hostPath(p: SimProbe, src: string, flags: string): string[] {
  const pkt = p.netfilter.find(
    (x) => x.ns === "" && x.src === src && (x.tcpFlags ?? []).join(",") === flags,
  );
  return pkt ? pkt.steps.map(stepText) : [];
}

const FWD_DOCKER = "filter FORWARD rule 1: -o docker0 -j DOCKER => JUMP:DOCKER";
const FWD_ESTABLISHED =
  "filter FORWARD rule 2: -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT => ACCEPT";

const PROBES = [
  "ip netns exec container1 nc -z -w1 172.17.0.3 12580",
  "ip netns exec container1 nc -z -w1 172.17.0.1 12580",
  "ip netns exec container1 nc -z -w1 192.0.2.101 12580",
  "nc -z -w1 172.17.0.2 12580",
  "ip netns exec container1 nc -z -w1 192.0.2.187 12580",
  "ip netns exec lan nc -z -w1 172.17.0.2 12580",
];

describe("the six walks of seed article 004, in the simulator", () => {
  let walks: SimProbe[];
  beforeAll(async () => {
    walks = await Promise.all(PROBES.map(walk));
  });

  it("1: container1 -> container2: ARP flooded by docker0, SYN bridged through FORWARD -i docker0 -o docker0, SYN-ACK RELATED,ESTABLISHED", () => {
    const w = walks[0]!;
    const arp = w.walk.packets.find((p) => p.summary.startsWith("ARP request: who has 172.17.0.3"));
    expect(arp?.steps.some((s) => s.kind === "bridge" && s.text.includes("flooded"))).toBe(true);
    expect(hostPath(w, "172.17.0.2", "SYN")).toEqual([
      "nat PREROUTING policy ACCEPT",
      FWD_DOCKER,
      "filter FORWARD rule 4: -i docker0 -o docker0 -j ACCEPT => ACCEPT",
      "nat POSTROUTING policy ACCEPT",
    ]);
    expect(hostPath(w, "172.17.0.3", "SYN,ACK")).toEqual([FWD_DOCKER, FWD_ESTABLISHED]);
    expect(w.result.exit).toBe(0);
  });

  it("2: container1 -> 172.17.0.1 with nothing listening: INPUT side, the host answers RST; refused", () => {
    const w = walks[1]!;
    expect(hostPath(w, "172.17.0.2", "SYN")).toEqual([
      "nat PREROUTING rule 1: -m addrtype --dst-type LOCAL -j DOCKER => JUMP:DOCKER",
      "nat PREROUTING policy ACCEPT",
    ]);
    const syn = w.walk.packets[0]!;
    expect(syn.fate).toMatchObject({ kind: "dropped", reason: "no socket listening" });
    expect(w.walk.packets.some((p) => p.summary.includes("[R.]") && p.causedBy === syn.id)).toBe(
      true,
    );
    expect(w.result.exit).toBe(1);
  });

  it("3: container1 -> the host's 192.0.2.101: default route via docker0, delivered locally (INPUT), never FORWARD", () => {
    const w = walks[2]!;
    const syn = w.walk.packets[0]!;
    expect(syn.steps.find((s) => s.kind === "route")?.text).toContain("default via 172.17.0.1");
    expect(syn.fate.kind).toBe("delivered");
    expect(syn.fate.ns).toBe(ROOT_NS);
    expect(w.netfilter.flatMap((p) => p.steps.map((s) => s.chain))).not.toContain("FORWARD");
  });

  it("4: host -> container1: OUTPUT, source 172.17.0.1 from docker0's route", () => {
    const w = walks[3]!;
    expect(hostPath(w, "172.17.0.1", "SYN")).toEqual([
      "nat OUTPUT policy ACCEPT",
      "nat POSTROUTING policy ACCEPT",
    ]);
    expect(w.walk.packets[0]!.steps.find((s) => s.kind === "route")?.route?.src).toBe("172.17.0.1");
  });

  it("5: container1 -> LAN 192.0.2.187: FORWARD, MASQUERADE to 192.0.2.101; reply de-NATed, RELATED,ESTABLISHED; later packets skip nat", () => {
    const w = walks[4]!;
    expect(hostPath(w, "172.17.0.2", "SYN")).toEqual([
      "nat PREROUTING policy ACCEPT",
      "filter FORWARD rule 3: -i docker0 ! -o docker0 -j ACCEPT => ACCEPT",
      "nat POSTROUTING rule 1: -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE => ACCEPT",
    ]);
    const syn = w.walk.packets[0]!;
    expect(syn.steps.find((s) => s.kind === "nat")?.nat?.after).toMatch(/^192\.0\.2\.101:/);
    expect(hostPath(w, "192.0.2.187", "SYN,ACK")).toEqual([FWD_DOCKER, FWD_ESTABLISHED]);
    expect(hostPath(w, "172.17.0.2", "ACK")).toEqual([
      "filter FORWARD rule 3: -i docker0 ! -o docker0 -j ACCEPT => ACCEPT",
    ]);
  });

  it("6: LAN host -> container1 through the host's route: FORWARD policy ACCEPT, no NAT", () => {
    const w = walks[5]!;
    expect(hostPath(w, "192.0.2.187", "SYN")).toEqual([
      "nat PREROUTING policy ACCEPT",
      FWD_DOCKER,
      "filter FORWARD policy ACCEPT",
      "nat POSTROUTING policy ACCEPT",
    ]);
    expect(w.walk.packets.flatMap((p) => p.steps).some((s) => s.kind === "nat")).toBe(false);
    expect(hostPath(w, "172.17.0.2", "SYN,ACK")).toEqual([
      "filter FORWARD rule 3: -i docker0 ! -o docker0 -j ACCEPT => ACCEPT",
    ]);
  });
});

// The world is built with no sleeps at all (the lesson's own `sleep` goes): the walk lets
// it settle the same way on both sides before the probe (run-walk.ts SETTLE), so late
// link-state work on the kernel (a bridge's 33:33:ff:... group in `bridge fdb show`) is
// no difference.
describe("the six walks of seed article 004, against the kernel's trace", () => {
  for (const [i, probe] of PROBES.entries()) {
    it(`${i + 1}: ${probe}`, async () => {
      const parsed = parseScript(readFileSync(LESSON, "utf8"), LESSON).script;
      const script = { ...parsed, commands: parsed.commands.filter((c) => c.program !== "sleep") };
      expect(script.commands.length).toBe(parsed.commands.length - 1);
      const sim = new SimBackend();
      const kernel = await KernelBackend.start();
      try {
        const w = await runWalk(script, parseProbe([probe]), { sim, kernel });
        expect(w.comparison?.differences).toEqual([]);
        // Counters may differ by one pure ACK: the server acknowledges the client's FIN
        // after 40 ms (delayed ACK) unless its nc closed first and the ACK rode on its FIN,
        // which depends on how soon the kernel ran that nc (compare-nf.ts folds it in the
        // paths). The rules and policies must still be the same.
        const uncounted = (t: string): string => normaliseText(t).replace(/^\[\d+:\d+\] /gm, "");
        const differing = w.comparison?.state.filter(
          (s) =>
            !s.match &&
            !(s.command.endsWith("iptables-save -c") && uncounted(s.sim) === uncounted(s.kernel)),
        );
        expect(differing?.map((s) => `${s.command}\nsim:\n${s.sim}kernel:\n${s.kernel}`)).toEqual(
          [],
        );
        expect(w.comparison).toMatchObject({ probeMatch: true, netfilterMatch: true });
        // The kernel saw the host's chains the article names.
        const host = w.kernel!.netfilter.filter((p) => p.ns === "" && p.steps.length > 0);
        expect(host.length).toBeGreaterThan(0);
      } finally {
        await kernel.close();
      }
    });
  }
});
