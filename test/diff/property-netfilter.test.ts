// Property-based differential test for netfilter: a fixed router lab (h - r - o) with a
// random rule set in the router, probed from h, must give the same result in the
// simulator and on the kernel, line by line (probes, rule counters, conntrack tables).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mismatches } from "./both-backends.js";

type Chain = "FORWARD" | "INPUT" | "OUTPUT" | "POSTROUTING" | "PREROUTING";

interface Rule {
  chain: Chain;
  src: { net: string; not: boolean } | undefined;
  dst: { net: string; not: boolean } | undefined;
  inIf: string | undefined;
  outIf: string | undefined;
  proto: "icmp" | "tcp" | undefined;
  dport: number | undefined;
  ctstate: "NEW" | "ESTABLISHED,RELATED" | undefined;
  target: string;
}

interface Lab {
  rules: Rule[];
  forwardPolicy: "ACCEPT" | "DROP";
}

const SUBNETS = ["192.0.2.0/24", "198.51.100.0/24"];
const ROUTER_IFS = ["eth1", "eth2"]; // eth1 faces h, eth2 faces o
const table = (c: Chain): "filter" | "nat" =>
  c === "POSTROUTING" || c === "PREROUTING" ? "nat" : "filter";
const takesIn = (c: Chain): boolean => c === "FORWARD" || c === "INPUT" || c === "PREROUTING";
const takesOut = (c: Chain): boolean => c === "FORWARD" || c === "OUTPUT" || c === "POSTROUTING";

export function ruleArgs(r: Rule): string {
  const a: string[] = [];
  if (table(r.chain) === "nat") a.push("-t nat");
  a.push(`-A ${r.chain}`);
  if (r.src) a.push(`${r.src.not ? "! " : ""}-s ${r.src.net}`);
  if (r.dst) a.push(`${r.dst.not ? "! " : ""}-d ${r.dst.net}`);
  if (r.inIf) a.push(`-i ${r.inIf}`);
  if (r.outIf) a.push(`-o ${r.outIf}`);
  if (r.proto) a.push(`-p ${r.proto}`);
  if (r.dport !== undefined) a.push(`--dport ${r.dport}`);
  if (r.ctstate) a.push(`-m conntrack --ctstate ${r.ctstate}`);
  a.push(`-j ${r.target}`);
  return a.join(" ");
}

/** The script for one generated lab. */
export function labScript(l: Lab): string {
  const out = [
    "ip netns add h",
    "ip netns add r",
    "ip netns add o",
    "ip link add eth0 netns h type veth peer name eth1 netns r",
    "ip link add eth0 netns o type veth peer name eth2 netns r",
    "ip -n h link set lo up",
    "ip -n r link set lo up",
    "ip -n o link set lo up",
    "ip -n h link set eth0 up",
    "ip -n o link set eth0 up",
    "ip -n r link set eth1 up",
    "ip -n r link set eth2 up",
    "ip -n h addr add 192.0.2.2/24 dev eth0",
    "ip -n r addr add 192.0.2.1/24 dev eth1",
    "ip -n r addr add 198.51.100.1/24 dev eth2",
    "ip -n o addr add 198.51.100.7/24 dev eth0",
    "ip -n h route add default via 192.0.2.1",
    "ip -n o route add default via 198.51.100.1",
    "ip netns exec r sysctl -w net.ipv4.ip_forward=1",
    "ip netns exec o nc -lk 8080 &",
  ];
  for (const r of l.rules) out.push(`ip netns exec r iptables ${ruleArgs(r)}`);
  out.push(`ip netns exec r iptables -P FORWARD ${l.forwardPolicy}`);
  // Links just came up (and the listener just started): no link-state displays, and a
  // pause before the first probe.
  out.push(
    "sleep 1",
    "ip netns exec h ping -c1 -W1 198.51.100.7",
    "ip netns exec h nc -z -w 1 198.51.100.7 8080",
    "ip netns exec h nc -z -w 1 192.0.2.1 9090",
    // FORWARD without counters: after a forwarded nc -z the server's ACK of the client's
    // FIN sometimes travels alone and sometimes rides on its own FIN (a kernel race).
    "ip netns exec r iptables -L INPUT -v -x -n",
    "ip netns exec r iptables -L OUTPUT -v -x -n",
    "ip netns exec r iptables -L FORWARD -n",
    "ip netns exec r iptables -t nat -L -v -x -n",
    "ip netns exec r conntrack -L -p icmp",
    "ip netns exec r conntrack -L -p tcp",
  );
  return out.join("\n") + "\n";
}

const addrArb = fc.option(fc.record({ net: fc.constantFrom(...SUBNETS), not: fc.boolean() }), {
  nil: undefined,
  freq: 2,
});

const ruleArb: fc.Arbitrary<Rule> = fc
  .record({
    chain: fc.constantFrom<Chain>("FORWARD", "INPUT", "OUTPUT", "POSTROUTING", "PREROUTING"),
    src: addrArb,
    dst: addrArb,
    inIf: fc.option(fc.constantFrom(...ROUTER_IFS), { nil: undefined, freq: 2 }),
    outIf: fc.option(fc.constantFrom(...ROUTER_IFS), { nil: undefined, freq: 2 }),
    proto: fc.constantFrom<Rule["proto"]>(undefined, "icmp", "tcp"),
    dport: fc.option(fc.constantFrom(8080, 9090), { nil: undefined }),
    ctstate: fc.constantFrom<Rule["ctstate"]>(undefined, "NEW", "ESTABLISHED,RELATED"),
    targetPick: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ targetPick, ...r }): Rule => {
    const rule: Rule = {
      ...r,
      inIf: takesIn(r.chain) ? r.inIf : undefined,
      outIf: takesOut(r.chain) ? r.outIf : undefined,
      dport: r.proto === "tcp" ? r.dport : undefined,
      target: "ACCEPT",
    };
    if (table(r.chain) === "filter") {
      rule.target = ["ACCEPT", "DROP", "REJECT"][targetPick]!;
    } else if (r.chain === "POSTROUTING") {
      rule.target = targetPick === 0 ? "ACCEPT" : "MASQUERADE";
    } else if (targetPick > 0) {
      rule.target = "DNAT --to-destination 198.51.100.7:8080";
      rule.proto = "tcp";
      rule.dport = 9090;
    }
    return rule;
  });

const labArb: fc.Arbitrary<Lab> = fc.record({
  rules: fc.array(ruleArb, { minLength: 0, maxLength: 5 }),
  forwardPolicy: fc.constantFrom<Lab["forwardPolicy"]>("ACCEPT", "DROP"),
});

const runs = Number(process.env.PW_NF_PROPERTY_RUNS ?? 10);

// Opt-in (PW_NF_PROPERTY=1) until it has a longer record: it found the sk_err_soft gap in
// nc's connect check (fixed, lab nf-12) and has passed 40 runs since; a red CI run from a
// rare kernel race would block a whole submission.
describe.skipIf(process.env.PW_NF_PROPERTY !== "1")(
  "random netfilter rule sets in a router: simulator vs kernel",
  () => {
    it(
      "every line matches",
      async () => {
        await fc.assert(
          fc.asyncProperty(labArb, async (lab) => {
            const text = labScript(lab);
            const { errors, report } = await mismatches(text, "generated.lab");
            expect(errors).toEqual([]);
            expect(report, `script:\n${text}`).toBe("");
          }),
          { numRuns: runs, endOnFailure: true },
        );
      },
      // Each run: about 1 s of sleep plus up to three 1 s probe timeouts, plus sandbox setup.
      Math.max(120_000, runs * 15_000),
    );
  },
);
