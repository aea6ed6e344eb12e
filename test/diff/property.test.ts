// Property-based differential test: random small topologies and probes, generated as lab
// scripts, must give the same result in the simulator and on the kernel, line by line.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mismatches } from "./both-backends.js";

type Topology = "veth-to-root" | "bridge" | "router";

interface Lab {
  topology: Topology;
  hosts: number;
  rootOnBridge: boolean;
  forwarding: boolean;
  loUp: boolean[];
  downLink: number | undefined;
  probes: [number, number][];
  extraRoute: boolean;
}

const hostAddr = (t: Topology, i: number): string =>
  t === "bridge" ? `10.9.0.${10 + i}` : `10.${10 + i}.0.2`;
const rootAddr = (t: Topology, i: number): string =>
  t === "bridge" ? "10.9.0.1" : `10.${10 + i}.0.1`;

/** The script for one generated lab; probes name hosts by index, -1 is the root. */
export function labScript(l: Lab): string {
  const out: string[] = [];
  const t = l.topology;
  if (t === "bridge") out.push("ip link add br0 type bridge", "ip link set br0 up");
  if (l.rootOnBridge && t === "bridge") out.push("ip addr add 10.9.0.1/24 dev br0");
  for (let i = 0; i < l.hosts; i++) {
    out.push(`ip netns add h${i}`, `ip link add v${i} type veth peer name eth0 netns h${i}`);
    if (t === "bridge") out.push(`ip link set v${i} master br0`);
    else out.push(`ip addr add ${rootAddr(t, i)}/24 dev v${i}`);
    if (l.downLink !== i) out.push(`ip link set v${i} up`);
    if (l.loUp[i]) out.push(`ip -n h${i} link set lo up`);
    out.push(`ip -n h${i} link set eth0 up`, `ip -n h${i} addr add ${hostAddr(t, i)}/24 dev eth0`);
    if (t === "router") out.push(`ip -n h${i} route add default via ${rootAddr(t, i)}`);
  }
  if (t === "router") out.push(`sysctl -w net.ipv4.ip_forward=${l.forwarding ? 1 : 0}`);
  if (l.extraRoute && t !== "bridge") out.push(`ip route add 203.0.113.0/24 via ${hostAddr(t, 0)}`);
  // Link state (operstate, linkdown) reaches dumps through linkwatch, up to a second late
  // on the kernel: the generated labs show addresses and routes without it.
  // Let deferred link-state work (linkwatch, up to 1 s) finish before looking and probing.
  out.push("sleep 1.1");
  out.push("ip -o -4 addr show", "ip route show table local");
  for (const [from, to] of l.probes) {
    const target = to === -1 ? rootAddr(t, 0) : to >= l.hosts ? "10.9.0.99" : hostAddr(t, to);
    const prefix = from === -1 ? "" : `ip netns exec h${from} `;
    out.push(`${prefix}ping -c1 -W1 ${target}`);
  }
  // Neighbour entries change state on timers: INCOMPLETE fails 3 s after its first ARP
  // request, DELAY probes 5 s after it began, REACHABLE goes STALE 15-45 s after it was
  // confirmed. Read them 6 s after the last probe, when every entry the probes made has
  // settled at least 2 s from each of those edges, however slow the traced probes were.
  out.push("sleep 6");
  for (let i = 0; i < l.hosts; i++) out.push(`ip -n h${i} neigh show`);
  out.push("ip neigh show");
  return out.join("\n") + "\n";
}

const labArb: fc.Arbitrary<Lab> = fc
  .record({
    topology: fc.constantFrom<Topology>("veth-to-root", "bridge", "router"),
    hosts: fc.integer({ min: 1, max: 3 }),
    rootOnBridge: fc.boolean(),
    forwarding: fc.boolean(),
    loUp: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    downLink: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined, freq: 4 }),
    extraRoute: fc.boolean(),
    probes: fc.array(fc.tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 3 })), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map((l) => ({
    ...l,
    // Each (source, target) once: three 1 s probes in a row at one unresolvable address
    // would end just as its ARP entry fails (3 s), a race on the kernel.
    probes: l.probes
      .map(([f, t]) => [Math.min(f, l.hosts - 1), Math.min(t, l.hosts)] as [number, number])
      .filter(([f, t], i, all) => f !== t && all.findIndex(([a, b]) => a === f && b === t) === i),
  }));

// The runs are split into chunks that run at the same time (vitest's maxConcurrency), each
// in sandboxes of its own; each chunk shrinks its own failure and prints its seed.
const RUNS = Number(process.env.PW_PROPERTY_RUNS ?? 25);
const CHUNKS = 4;

describe.concurrent("random topologies and probes: simulator vs kernel", () => {
  for (let c = 0; c < CHUNKS; c++) {
    const numRuns = Math.floor(RUNS / CHUNKS) + (c < RUNS % CHUNKS ? 1 : 0);
    it(`every line matches (chunk ${c + 1} of ${CHUNKS}, ${numRuns} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(labArb, async (lab) => {
          const text = labScript(lab);
          const { errors, report } = await mismatches(text, "generated.lab");
          expect(errors).toEqual([]);
          expect(report, `script:\n${text}`).toBe("");
        }),
        { numRuns, endOnFailure: true },
      );
    });
  }
});
