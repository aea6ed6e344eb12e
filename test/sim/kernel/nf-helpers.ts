// Helpers for the netfilter tests: build a namespace's tables, chains and rules directly
// (as iptables-nft would leave them in the kernel), run lab lines, and read counters.
import type { NetNs } from "../../../src/sim/kernel/core/netns.js";
import { parseIp4, parsePrefix } from "../../../src/sim/kernel/core/ip4.js";
import type {
  AddrMatch,
  Chain,
  NetfilterState,
  Policy,
  Rule,
  TableName,
} from "../../../src/sim/kernel/netfilter/types.js";
import { BUILTIN_CHAINS } from "../../../src/sim/kernel/netfilter/types.js";
import { Lab } from "../userland/ip-helpers.js";

/** The namespace's netfilter state, attached as ns.netfilter when missing. */
export function nf(ns: NetNs): NetfilterState {
  return (ns.netfilter ??= { tables: new Map() });
}

/** A chain, creating its table (and, for a built-in name, the base chain) on first use. */
export function chain(ns: NetNs, table: TableName, name: string, policy?: Policy): Chain {
  const st = nf(ns);
  let t = st.tables.get(table);
  if (!t) {
    t = { name: table, chains: new Map() };
    st.tables.set(table, t);
  }
  let c = t.chains.get(name);
  if (!c) {
    const builtin = (BUILTIN_CHAINS[table] as string[]).includes(name);
    c = { name, builtin, rules: [], packets: 0, bytes: 0, policy: builtin ? "ACCEPT" : undefined };
    t.chains.set(name, c);
  }
  if (policy) {
    // As `iptables -P`: the chain gets counters.
    c.policy = policy;
    c.policyCounters = true;
  }
  return c;
}

export function addr(s: string, invert = false): AddrMatch {
  const p = parsePrefix(s)!;
  return { addr: p.addr, plen: p.plen, invert };
}

/** Appends a rule (`iptables -A`). */
export function append(ns: NetNs, table: TableName, name: string, r: Partial<Rule>): Rule {
  const rule: Rule = { matches: [], packets: 0, bytes: 0, ...r };
  chain(ns, table, name).rules.push(rule);
  return rule;
}

export const ip = (s: string): number => parseIp4(s)!;

/**
 * h1 (192.0.2.2) -- eth1 r eth2 -- out (198.51.100.7), r forwarding, h1's default via r,
 * lo up everywhere. No route back from out unless `routeBack`.
 */
export function router(routeBack = true): Lab {
  const l = new Lab();
  l.setup(
    "ip netns add h1",
    "ip netns add r",
    "ip netns add out",
    "ip link add eth0 netns h1 type veth peer name eth1 netns r",
    "ip link add eth0 netns out type veth peer name eth2 netns r",
    "ip -n h1 link set lo up",
    "ip -n r link set lo up",
    "ip -n out link set lo up",
    "ip -n h1 link set eth0 up",
    "ip -n out link set eth0 up",
    "ip -n r link set eth1 up",
    "ip -n r link set eth2 up",
    "ip -n h1 addr add 192.0.2.2/24 dev eth0",
    "ip -n r addr add 192.0.2.1/24 dev eth1",
    "ip -n r addr add 198.51.100.1/24 dev eth2",
    "ip -n out addr add 198.51.100.7/24 dev eth0",
    "ip -n h1 route add default via 192.0.2.1",
    "ip netns exec r sysctl -qw net.ipv4.ip_forward=1",
  );
  if (routeBack) l.setup("ip -n out route add 192.0.2.0/24 via 198.51.100.1");
  return l;
}

export function ns(l: Lab, name?: string): NetNs {
  const n = l.b.world.netns(name);
  if (!n) throw new Error(`no namespace ${name}`);
  return n;
}

/** Whether `ping -c1 -W1` from one namespace gets its reply. */
export function pings(l: Lab, from: string, to: string): boolean {
  return l.run(`ip netns exec ${from} ping -c1 -W1 ${to}`).exit === 0;
}

/** The last drop reasons recorded in a namespace. */
export function drops(l: Lab, name: string): string[] {
  return l.b.world.ipv4.drops.filter((d) => d.ns === name).map((d) => d.reason);
}

export { Lab };
export const counters = (c: { packets: number; bytes: number }): [number, number] => [
  c.packets,
  c.bytes,
];
