// From a parsed command line to the rules iptables-nft stores: one rule per source and
// destination address pair (xtables.c add_entry), with the tcp/udp matches as they read
// back from nf_tables (native port expressions land in the rule's first tcp/udp match).
import { type Match, type NfRule as Rule, type Target } from "../../kernel/netlink/index.js";
import { toAddrMatch } from "./addr.js";
import { paramProblem, type ErrorSource } from "./errors.js";
import { isNativePorts, mergePorts, nativeReadBack } from "./ext/tcpudp.js";
import { parseInterface } from "./iface.js";
import type { ParsedCommand } from "./parse.js";
import { protoName } from "./proto.js";

function buildMatches(p: ParsedCommand, src: ErrorSource): Match[] {
  const out: Match[] = [];
  for (const inst of p.matches) {
    const m = inst.ext.build(inst.data) as Match;
    if (m.kind !== "tcp" && m.kind !== "udp") {
      out.push(m);
      continue;
    }
    if (!isNativePorts(m)) {
      out.push(m);
      continue;
    }
    // nft.c add_nft_tcp/add_nft_udp
    const want = m.kind === "tcp" ? 6 : 17;
    if (p.proto?.num !== want)
      paramProblem(src, `${m.kind.toUpperCase()} match requires '-p ${m.kind}'`);
    const back = nativeReadBack(m);
    if (!back) continue;
    const first = out.find((x): x is typeof m => x.kind === m.kind);
    if (first) mergePorts(first, back);
    else out.push(back);
  }
  return out;
}

function buildTarget(p: ParsedCommand): Target | undefined {
  if (p.target) return p.target.ext.build(p.target.data) as Target;
  const name = p.jumpto;
  if (name === undefined) return undefined;
  if (name === "ACCEPT" || name === "DROP" || name === "RETURN") return { kind: name };
  if (name === "TRACE") return { kind: "TRACE" };
  if (name === "QUEUE") return undefined;
  return p.goto ? { kind: "goto", chain: name } : { kind: "jump", chain: name };
}

export function buildRules(p: ParsedCommand, src: ErrorSource): Rule[] {
  const matches = buildMatches(p, src);
  const target = buildTarget(p);
  const rules: Rule[] = [];
  for (const s of p.src) {
    for (const d of p.dst) {
      const rule: Rule = {
        matches: structuredClone(matches),
        packets: p.counters?.packets ?? 0,
        bytes: p.counters?.bytes ?? 0,
      };
      const sm = toAddrMatch(s, p.invSrc);
      const dm = toAddrMatch(d, p.invDst);
      if (sm) rule.src = sm;
      if (dm) rule.dst = dm;
      const i = p.inIface && parseInterface(src, p.inIface.name, p.inIface.invert);
      const o = p.outIface && parseInterface(src, p.outIface.name, p.outIface.invert);
      if (i) rule.inIface = i;
      if (o) rule.outIface = o;
      if (p.proto && p.proto.num !== 0) {
        const num = p.proto.num;
        rule.proto = { proto: protoName(num, false) ?? String(num), invert: p.proto.invert, num };
      }
      if (target) rule.target = structuredClone(target);
      rules.push(rule);
    }
  }
  return rules;
}
