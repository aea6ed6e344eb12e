// The netfilter hooks of IPv4 (net/netfilter/core.c: nf_hook_slow) with the iptables-nft
// tables registered on them, conntrack and NAT, in priority order (include/uapi/linux/
// netfilter_ipv4.h: enum nf_ip_hook_priorities):
//
//             raw     conntrack  mangle   nat(dst)  filter  security  nat(src)  confirm
//             -300    -200       -150     -100      0       50        100       last
// PREROUTING  raw  -> ct in  -> mangle -> DNAT
// INPUT                         mangle ------------> filter -> security -> SNAT -> confirm
// FORWARD                       mangle ------------> filter -> security
// OUTPUT      raw  -> ct in  -> mangle -> DNAT ----> filter -> security
// POSTROUTING                   mangle ---------------------------------> SNAT -> confirm
//
// A table's base chain is traversed only if it exists in the kernel: iptables-nft creates
// tables and base chains lazily, so a chain that was never touched costs nothing and
// counts nothing. Rules are evaluated as nft_do_chain does: matches in order, the rule's
// counter when all matched, then the verdict (jump pushes a return point, goto does not,
// falling off a base chain takes its policy, counted once -P gave the chain counters).
import { NF_HOOK_STEPS, type NfHookStep } from "../../../backend/nf-hooks.js";
import type { NetDevice } from "../core/device.js";
import { formatIp4, inPrefix, isMulticast, network, type Ip4 } from "../core/ip4.js";
import type { NetNs } from "../core/netns.js";
import { ipLength, type Ipv4Packet, type Tcp } from "../core/packet.js";
import { conntrackOf, type CtEntry } from "./conntrack.js";
import {
  natDone,
  natIcmpReply,
  natNullBinding,
  natPacket,
  natSetup,
  type Manip,
  type NatBindRange,
} from "./nat.js";
import { moveSkb, peekSkb, skbOf, type Skb } from "./skb.js";
import type {
  AddrMatch,
  AddrType,
  Chain,
  CtState,
  HookName,
  IfaceMatch,
  Match,
  NetfilterState,
  Rule,
  Table,
  TableName,
  Target,
  Verdict,
} from "./types.js";

/** What a hook knows about the packet's way through the host. */
export interface HookCtx {
  in?: NetDevice;
  out?: NetDevice;
  /** POSTROUTING: the next hop, MASQUERADE's inet_select_addr target. */
  nexthop?: Ip4;
}

export interface HookResult {
  verdict: Verdict;
  /** The packet as it leaves the hook (NAT rewrites it). */
  pkt: Ipv4Packet;
  /** OUTPUT: the destination changed (DNAT): the route must be looked up again. */
  reroute: boolean;
}

/** Drop reasons netfilter gives: "FORWARD policy DROP", "filter/FORWARD rule 3 DROP". */
export type NfDropReason =
  | `${string} policy DROP`
  | `${string}/${string} rule ${number} ${"DROP" | "REJECT"}`
  | "conntrack clash"
  | "MASQUERADE: no address"
  | "REDIRECT: no address";

/** The hooks' registered functions in priority order (nf_hook_entries): one table, shared with the netfilter map. */
const STEPS: Readonly<Record<HookName, readonly NfHookStep[]>> = NF_HOOK_STEPS;

const ACCEPT: Verdict = { kind: "accept" };

/** The namespace's tables (state.ts attaches them as ns.netfilter); none in most labs. */
export function nfState(ns: NetNs): NetfilterState | undefined {
  return ns.netfilter;
}

/**
 * nf_ct_netns_get: conntrack's hooks are registered in a namespace while a rule needs
 * them (-m conntrack, -m state, the NAT targets). Without one nothing is tracked, and
 * the nat chains never run (nf_nat_inet_fn wants a conntrack entry).
 */
export function ctNeeded(st: NetfilterState): boolean {
  for (const t of st.tables.values()) {
    for (const c of t.chains.values()) {
      for (const r of c.rules) {
        for (const m of r.matches) if (m.kind === "conntrack" || m.kind === "state") return true;
        const k = r.target?.kind;
        if (k === "MASQUERADE" || k === "SNAT" || k === "DNAT" || k === "REDIRECT") return true;
      }
    }
  }
  return false;
}

/** The hook a packet passes: every table registered there, conntrack and NAT. */
export function nfHook(ns: NetNs, hook: HookName, pkt: Ipv4Packet, ctx: HookCtx): HookResult {
  const st = nfState(ns);
  if (!st) return { verdict: ACCEPT, pkt, reroute: false };
  const skb = skbOf(pkt, ns);
  const tracking = ctNeeded(st);
  let cur = pkt;
  let reroute = false;
  for (const step of STEPS[hook]) {
    if (step === "conntrack") {
      if (tracking) {
        conntrackOf(ns).packetIn(cur, skb);
        if (skb.ctinfo)
          ns.world.trace.point(cur, {
            kind: "ct",
            ns: ns.scriptName,
            hook,
            state: skb.ctinfo.toUpperCase(),
            dir: skb.dir === 1 ? "reply" : "original",
          });
      }
      continue;
    }
    if (step === "confirm") {
      // nf_conntrack_confirm: only an original-direction packet enters a new entry.
      const ct = skb.ct;
      if (ct && !ct.confirmed && skb.dir === 0 && skb.ctinfo !== "related") {
        if (!conntrackOf(ns).confirm(ct))
          return { verdict: { kind: "drop", reason: "conntrack clash" }, pkt: cur, reroute };
      }
      continue;
    }
    const env: Env = { ns, st, hook, ctx, skb, pkt: cur };
    const v = step === "nat" ? natStep(env) : runTable(env, step);
    if (env.pkt !== cur) {
      ns.world.trace.carry(cur, env.pkt);
      ns.world.trace.point(env.pkt, {
        kind: "nat",
        ns: ns.scriptName,
        hook,
        before: endpoints(cur),
        after: endpoints(env.pkt),
      });
      moveSkb(cur, env.pkt);
      if (hook === "OUTPUT" && env.pkt.dst !== cur.dst) reroute = true;
      cur = env.pkt;
    }
    if (v.kind !== "accept") return { verdict: v, pkt: cur, reroute };
  }
  return { verdict: ACCEPT, pkt: cur, reroute };
}

/** Addresses and ports, to show what NAT rewrote. */
function endpoints(p: Ipv4Packet): string {
  const l4 = p.l4;
  const port = (a: Ip4, n: number | undefined): string =>
    n === undefined ? formatIp4(a) : `${formatIp4(a)}:${n}`;
  const ports = l4.proto === "tcp" || l4.proto === "udp";
  return `${port(p.src, ports ? l4.sport : undefined)} > ${port(p.dst, ports ? l4.dport : undefined)}`;
}

/** nf_ct_attach for an error the host makes about pkt: it belongs to pkt's connection. */
export function nfAttachError(ns: NetNs, about: Ipv4Packet, err: Ipv4Packet): void {
  const s = peekSkb(about, ns);
  if (!s?.ct) return;
  const e = skbOf(err, ns);
  e.ct = s.ct;
  e.ctinfo = "related";
  e.dir = s.dir === 1 ? 0 : 1;
}

interface Env {
  ns: NetNs;
  st: NetfilterState;
  hook: HookName;
  ctx: HookCtx;
  skb: Skb;
  pkt: Ipv4Packet;
}

/** The table's base chain at this hook, if it exists in the kernel (made on first use). */
function baseChain(env: Env, table: TableName): { t: Table; c: Chain } | undefined {
  const t = env.st.tables.get(table);
  const c = t?.chains.get(env.hook);
  return t && c?.builtin ? { t, c } : undefined;
}

function runTable(env: Env, table: TableName): Verdict {
  const b = baseChain(env, table);
  if (!b) return ACCEPT;
  return traverse(env, b.t, b.c);
}

/** nf_nat_inet_fn at a nat hook. */
function natStep(env: Env): Verdict {
  const { skb } = env;
  const ct = skb.ct;
  if (!ct) return ACCEPT;
  const manip: Manip = env.hook === "PREROUTING" || env.hook === "OUTPUT" ? "dst" : "src";
  const dir = skb.dir ?? 0;
  if (skb.ctinfo === "related") {
    env.pkt = natIcmpReply(ct, dir, manip, env.pkt);
    return ACCEPT;
  }
  if (skb.ctinfo === "new" && !natDone(ct, manip)) {
    const b = baseChain(env, "nat");
    if (b) {
      const v = traverse(env, b.t, b.c);
      if (v.kind !== "accept") return v;
    }
    if (!natDone(ct, manip)) natNullBinding(conntrackOf(env.ns), ct, manip, random(env.ns));
  }
  env.pkt = natPacket(ct, dir, manip, env.pkt);
  return ACCEPT;
}

function random(ns: NetNs): () => number {
  return () => ns.world.rng.int(0, 65535);
}

interface ReturnPoint {
  chain: Chain;
  next: number;
}

/** nft_do_chain over one table, from its base chain. */
function traverse(env: Env, table: Table, base: Chain): Verdict {
  const stack: ReturnPoint[] = [];
  let chain = base;
  let i = 0;
  for (;;) {
    if (i >= chain.rules.length) {
      const back = stack.pop();
      if (back) {
        chain = back.chain;
        i = back.next;
        continue;
      }
      return policy(env, table, base);
    }
    const rule = chain.rules[i++]!;
    if (!ruleMatches(env, rule)) continue;
    rule.packets++;
    rule.bytes += ipLength(env.pkt);
    // nft_trace_packet: each rule that matched, with the verdict it gave.
    traceRule(env, table, chain, i, rule);
    const target = rule.target;
    if (!target) continue;
    const where = `${table.name}/${chain.name} rule ${i}` as const;
    switch (target.kind) {
      case "ACCEPT":
        return ACCEPT;
      case "DROP":
        return { kind: "drop", reason: `${where} DROP` };
      case "RETURN": {
        const back = stack.pop();
        if (!back) return policy(env, table, base);
        chain = back.chain;
        i = back.next;
        continue;
      }
      case "jump":
      case "goto": {
        const next = table.chains.get(target.chain);
        if (!next) continue;
        if (target.kind === "jump") stack.push({ chain, next: i });
        chain = next;
        i = 0;
        continue;
      }
      case "REJECT":
        reject(env, target.with);
        return { kind: "reject", with: target.with, reason: `${where} REJECT` };
      case "LOG":
      case "TRACE":
        // LOG writes to the kernel log, never in a non-initial namespace unless
        // nf_log_all_netns=1, and never to a command's output; TRACE feeds xtables-monitor.
        continue;
      case "MARK":
        // xt_MARK (mark_tg): every form is (old & ~mask) ^ value.
        env.skb.mark = ((env.skb.mark & ~target.mask) ^ target.value) >>> 0;
        continue;
      case "MASQUERADE":
      case "SNAT":
      case "DNAT":
      case "REDIRECT":
        return natTarget(env, target);
    }
  }
}

/** The verdict a matched rule gives, in xtables-monitor's words (nft_trace_packet). */
function traceVerdict(t: Target | undefined): string {
  if (!t) return "CONTINUE";
  switch (t.kind) {
    case "ACCEPT":
    case "MASQUERADE":
    case "SNAT":
    case "DNAT":
    case "REDIRECT":
      return "ACCEPT";
    case "DROP":
    case "REJECT": // REJECT sends its answer, then NF_DROP
      return "DROP";
    case "RETURN":
      return "RETURN";
    case "jump":
      return `JUMP:${t.chain}`;
    case "goto":
      return `GOTO:${t.chain}`;
    case "LOG":
    case "TRACE":
    case "MARK":
      return "CONTINUE";
  }
}

function traceRule(env: Env, table: Table, chain: Chain, num: number, rule: Rule): void {
  const trace = env.ns.world.trace;
  if (!trace.enabled) return;
  const t = rule.target;
  // A jump to a chain that is gone does nothing (the kernel would not have the rule).
  if ((t?.kind === "jump" || t?.kind === "goto") && !table.chains.has(t.chain)) return;
  trace.point(env.pkt, {
    kind: "nf",
    ns: env.ns.scriptName,
    hook: env.hook,
    table: table.name,
    chain: chain.name,
    ruleNum: num,
    rule,
    verdict: traceVerdict(t),
    policy: false,
  });
}

function policy(env: Env, table: Table, base: Chain): Verdict {
  env.ns.world.trace.point(env.pkt, {
    kind: "nf",
    ns: env.ns.scriptName,
    hook: env.hook,
    table: table.name,
    chain: base.name,
    verdict: base.policy ?? "ACCEPT",
    policy: true,
  });
  // nft_update_chain_stats: only a chain with counters (iptables-nft's -P gives them).
  if (base.policyCounters) {
    base.packets++;
    base.bytes += ipLength(env.pkt);
  }
  if ((base.policy ?? "ACCEPT") === "ACCEPT") return ACCEPT;
  const name = table.name === "filter" ? base.name : `${table.name}/${base.name}`;
  return { kind: "drop", reason: `${name} policy DROP` };
}

/** The NAT targets (xt_nat, xt_MASQUERADE, xt_REDIRECT): a binding, then NF_ACCEPT. */
function natTarget(
  env: Env,
  t: Extract<Target, { kind: "MASQUERADE" | "SNAT" | "DNAT" | "REDIRECT" }>,
): Verdict {
  const ct = env.skb.ct;
  if (!ct) return ACCEPT;
  const ns = env.ns;
  const table = conntrackOf(ns);
  let range: NatBindRange;
  let manip: Manip;
  switch (t.kind) {
    case "MASQUERADE": {
      const out = env.ctx.out;
      if (!out) return ACCEPT;
      const src = ns.world.ipv4.selectAddr(out, env.ctx.nexthop ?? env.pkt.dst, "global");
      if (src === 0) return { kind: "drop", reason: "MASQUERADE: no address" };
      ct.masqIndex = out.ifindex;
      range = { minIp: src, maxIp: src, ports: t.toPorts, randomFully: t.randomFully };
      manip = "src";
      break;
    }
    case "SNAT":
    case "DNAT": {
      const r = t.to[0];
      range = {
        minIp: r?.from,
        maxIp: r?.to ?? r?.from,
        ports: r?.ports,
        randomFully: t.kind === "SNAT" && t.randomFully,
      };
      manip = t.kind === "SNAT" ? "src" : "dst";
      break;
    }
    case "REDIRECT": {
      // nf_nat_redirect_ipv4: the input device's first address, loopback for local traffic.
      let dst: Ip4 | undefined;
      if (env.hook === "OUTPUT") dst = 0x7f000001;
      else dst = env.ctx.in?.addrs4[0]?.addr;
      if (!dst) return { kind: "drop", reason: "REDIRECT: no address" };
      range = { minIp: dst, maxIp: dst, ports: t.toPorts };
      manip = "dst";
      break;
    }
  }
  natSetup(table, ct, range, manip, random(ns));
  return ACCEPT;
}

// ---------------------------------------------------------------- matches

const PROTO_NUM: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

function protoNum(pkt: Ipv4Packet): number {
  return PROTO_NUM[pkt.l4.proto]!;
}

// The rule checks below run for every rule a packet passes: they allocate nothing, so a
// walk through N rules costs N checks and no garbage.

function ifaceMatches(dev: NetDevice | undefined, m: IfaceMatch): boolean {
  const name = dev?.name ?? "";
  const pat = m.name;
  const hit = pat.endsWith("+") ? startsWithPart(name, pat, pat.length - 1) : name === pat;
  return hit !== m.invert;
}

/** name.startsWith(pat.slice(0, n)), without making the slice. */
function startsWithPart(name: string, pat: string, n: number): boolean {
  if (name.length < n) return false;
  for (let i = 0; i < n; i++) if (name.charCodeAt(i) !== pat.charCodeAt(i)) return false;
  return true;
}

function addrMatches(a: Ip4, m: AddrMatch): boolean {
  const hit =
    m.mask !== undefined
      ? (a & m.mask) >>> 0 === (m.addr & m.mask) >>> 0
      : inPrefix(a, network(m.addr, m.plen), m.plen);
  return hit !== m.invert;
}

/** `-p all` in any case (compared by character: no lower-cased copy). */
function isAll(name: string): boolean {
  return (
    name.length === 3 &&
    (name.charCodeAt(0) | 32) === 97 &&
    (name.charCodeAt(1) | 32) === 108 &&
    (name.charCodeAt(2) | 32) === 108
  );
}

/** A protocol a rule names without its number: a number, or a name the table knows. */
function protoByName(name: string): number | undefined {
  const want = name.toLowerCase();
  return /^\d+$/.test(want) ? Number(want) : PROTO_NUM[want];
}

function ruleMatches(env: Env, r: Rule): boolean {
  const p = env.pkt;
  if (r.src && !addrMatches(p.src, r.src)) return false;
  if (r.dst && !addrMatches(p.dst, r.dst)) return false;
  if (r.inIface && !ifaceMatches(env.ctx.in, r.inIface)) return false;
  if (r.outIface && !ifaceMatches(env.ctx.out, r.outIface)) return false;
  if (r.proto) {
    const want = r.proto.proto;
    const num = r.proto.num ?? protoByName(want);
    if (num !== 0 && !isAll(want)) {
      if ((num === protoNum(p)) === r.proto.invert) return false;
    }
  }
  for (const m of r.matches) if (!matchOne(env, m)) return false;
  return true;
}

const TCP_FLAG_BITS: Record<string, number> = {
  FIN: 1,
  SYN: 2,
  RST: 4,
  PSH: 8,
  ACK: 16,
  URG: 32,
  ALL: 63,
  NONE: 0,
};

function tcpFlagBits(t: Tcp): number {
  const f = t.flags;
  return (f.fin ? 1 : 0) | (f.syn ? 2 : 0) | (f.rst ? 4 : 0) | (f.psh ? 8 : 0) | (f.ack ? 16 : 0);
}

function flagSet(names: string[]): number {
  let bits = 0;
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    bits |= TCP_FLAG_BITS[n] ?? TCP_FLAG_BITS[n.toUpperCase()] ?? 0;
  }
  return bits;
}

/** TCP options Linux sends: NOP and timestamps always; MSS, SACK-permitted, wscale with a SYN. */
const SYN_OPTIONS: readonly number[] = [1, 2, 3, 4, 8];
const OTHER_OPTIONS: readonly number[] = [1, 8];

function inRange(v: number, r: { from: number; to: number }): boolean {
  return v >= r.from && v <= r.to;
}

function matchOne(env: Env, m: Match): boolean {
  const p = env.pkt;
  const l4 = p.l4;
  switch (m.kind) {
    case "tcp":
    case "udp": {
      if (l4.proto !== m.kind) return false;
      if (m.sport && inRange(l4.sport, m.sport) === m.sport.invert) return false;
      if (m.dport && inRange(l4.dport, m.dport) === m.dport.invert) return false;
      if (m.tcpFlags && l4.proto === "tcp") {
        const hit = (tcpFlagBits(l4) & flagSet(m.tcpFlags.mask)) === flagSet(m.tcpFlags.comp);
        if (hit === m.tcpFlags.invert) return false;
      }
      if (m.option && l4.proto === "tcp") {
        // Linux sends NOP and timestamps on every segment, MSS, SACK-permitted and window
        // scale only with a SYN.
        const opts = l4.flags.syn ? SYN_OPTIONS : OTHER_OPTIONS;
        if (opts.includes(m.option.value) === m.option.invert) return false;
      }
      return true;
    }
    case "icmp": {
      if (l4.proto !== "icmp") return false;
      // icmp_type_code_match: type 255 is "any".
      const hit =
        m.type === 255 || (l4.type === m.type && (m.code === undefined || l4.code === m.code));
      return hit !== m.invert;
    }
    case "conntrack":
      return anyCtState(env.skb, m.ctstate) !== m.invert;
    case "state":
      return anyCtState(env.skb, m.state) !== m.invert;
    case "addrtype": {
      if (m.srcType) {
        const t = addrType(
          env.ns,
          p.src,
          dev(m.limitIfaceIn, env.ctx.in) ?? dev(m.limitIfaceOut, env.ctx.out),
        );
        if (m.srcType.includes(t) === m.invertSrc) return false;
      }
      if (m.dstType) {
        const t = addrType(
          env.ns,
          p.dst,
          dev(m.limitIfaceIn, env.ctx.in) ?? dev(m.limitIfaceOut, env.ctx.out),
        );
        if (m.dstType.includes(t) === m.invertDst) return false;
      }
      return true;
    }
    case "physdev":
      return physdevMatch(env.skb, m);
    case "multiport": {
      if (l4.proto !== "tcp" && l4.proto !== "udp") return false;
      let hit = false;
      for (let i = 0; i < m.ports.length && !hit; i++) {
        const r = m.ports[i]!;
        hit =
          (m.which !== "dports" && inRange(l4.sport, r)) ||
          (m.which !== "sports" && inRange(l4.dport, r));
      }
      return hit !== m.invert;
    }
    case "comment":
      return true;
    case "mark":
      return ((env.skb.mark & m.mask) >>> 0 === m.value >>> 0) !== m.invert;
  }
}

/** The device an addrtype match limits to (--limit-iface-in/out), if it does. */
function dev(limit: boolean | undefined, d: NetDevice | undefined): NetDevice | undefined {
  return limit ? d : undefined;
}

/** Whether the packet is in one of xt_conntrack's states (checked one by one: no set made). */
function anyCtState(skb: Skb, states: readonly CtState[]): boolean {
  for (let i = 0; i < states.length; i++) if (hasCtState(skb, states[i]!)) return true;
  return false;
}

/** xt_conntrack's state bits for the packet. */
function hasCtState(skb: Skb, state: CtState): boolean {
  const ct: CtEntry | undefined = skb.ct;
  if (!ct) return state === "INVALID";
  switch (state) {
    case "NEW":
      return skb.ctinfo === "new";
    case "RELATED":
      return skb.ctinfo === "related";
    case "ESTABLISHED":
      return skb.ctinfo !== "new" && skb.ctinfo !== "related";
    case "SNAT":
      return Boolean(ct.srcNat);
    case "DNAT":
      return Boolean(ct.dstNat);
    default:
      return false;
  }
}

/** inet_dev_addr_type: the type of the local table's route for addr. */
export function addrType(ns: NetNs, addr: Ip4, dev?: NetDevice): AddrType {
  if (addr === 0 || addr === 0xffffffff) return "BROADCAST";
  if (isMulticast(addr)) return "MULTICAST";
  let r;
  try {
    r = ns.fib.tableLookup(255, { dst: addr });
  } catch {
    return "UNICAST";
  }
  if (!r || (dev && r.dev !== dev)) return "UNICAST";
  return r.type.toUpperCase() as AddrType;
}

/** xt_physdev (physdev_mt). */
function physdevMatch(skb: Skb, m: Extract<Match, { kind: "physdev" }>): boolean {
  if (!skb.bridged) {
    // Not bridged: only the inverted options can hold.
    if (m.isBridged && !m.isBridged.invert) return false;
    if (m.isIn && !m.isIn.invert) return false;
    if (m.isOut && !m.isOut.invert) return false;
    if (m.in && !m.in.invert) return false;
    if (m.out && !m.out.invert) return false;
    return true;
  }
  const outdev = skb.physOut?.name;
  const indev = skb.physIn?.name;
  if (m.isBridged && (outdev !== undefined) === m.isBridged.invert) return false;
  if (m.isIn && (indev !== undefined) === m.isIn.invert) return false;
  if (m.isOut && (outdev !== undefined) === m.isOut.invert) return false;
  if (m.in && indev !== undefined) {
    const name = { name: m.in.name, invert: false };
    if (ifaceMatchesName(indev, name) === m.in.invert) return false;
  }
  if (!m.out) return true;
  if (outdev === undefined) return false;
  return ifaceMatchesName(outdev, { name: m.out.name, invert: false }) !== m.out.invert;
}

function ifaceMatchesName(name: string, m: IfaceMatch): boolean {
  const hit = m.name.endsWith("+") ? name.startsWith(m.name.slice(0, -1)) : name === m.name;
  return hit !== m.invert;
}

// ---------------------------------------------------------------- REJECT

const REJECT_CODES: Record<string, number> = {
  "icmp-net-unreachable": 0,
  "net-unreach": 0,
  "icmp-host-unreachable": 1,
  "host-unreach": 1,
  "icmp-proto-unreachable": 2,
  "proto-unreach": 2,
  "icmp-port-unreachable": 3,
  "port-unreach": 3,
  "icmp-net-prohibited": 9,
  "net-prohib": 9,
  "icmp-host-prohibited": 10,
  "host-prohib": 10,
  "icmp-admin-prohibited": 13,
  "admin-prohib": 13,
};

/** reject_tg: an ICMP unreachable (nf_send_unreach -> icmp_send) or a TCP RST (nf_send_reset). */
function reject(env: Env, how: string): void {
  const { ns, pkt } = env;
  const ipv4 = ns.world.ipv4;
  if (how === "tcp-reset" || how === "tcp-rst") {
    if (pkt.l4.proto === "tcp") sendReset(env, pkt.l4);
    return;
  }
  const code = REJECT_CODES[how] ?? 3;
  // icmp_send: the error comes from the address the packet was for when that is ours
  // (RTCF_LOCAL), else from what the route back to the sender picks.
  const src = ipv4.isLocalAddress(ns, pkt.dst) ? pkt.dst : undefined;
  ipv4.icmpError(ns, env.ctx.in, pkt, 3, code, src);
}

/** nf_send_reset: a RST from the packet's destination, routed from this host. */
function sendReset(env: Env, tcp: Tcp): void {
  const { ns, pkt } = env;
  if (tcp.flags.rst) return;
  const ipv4 = ns.world.ipv4;
  const ack = tcp.flags.ack;
  const rst: Ipv4Packet = {
    proto: "ipv4",
    src: pkt.dst,
    dst: pkt.src,
    ttl: Number(ns.sysctl.get("net.ipv4.ip_default_ttl") ?? "64"),
    id: 0,
    l4: {
      proto: "tcp",
      sport: tcp.dport,
      dport: tcp.sport,
      flags: ack ? { rst: true } : { rst: true, ack: true },
      seq: ack ? tcp.ack : 0,
      ack: ack ? 0 : tcp.seq + tcp.len + (tcp.flags.syn ? 1 : 0) + (tcp.flags.fin ? 1 : 0),
      len: 0,
    },
  };
  let rt;
  try {
    rt = ipv4.routeOutput(ns, rst.dst);
  } catch {
    return;
  }
  nfAttachError(ns, pkt, rst);
  ipv4.sendRouted(ns, rst, rt);
}
