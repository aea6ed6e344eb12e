// One rule as `iptables -S` and iptables-save write it (nft-ipv4.c nft_ipv4_save_rule,
// xshared.c save_rule_details and save_matches_and_target): addresses, interfaces and
// protocol in that fixed order, then the matches as stored, then counters (-S -v) and
// the target.
import { type IfaceMatch, type NfRule as Rule } from "../../kernel/netlink/index.js";
import { saveAddr } from "./addr.js";
import { saveMatch, saveTarget } from "./ext/index.js";
import { protoName } from "./proto.js";

function saveIface(letter: string, m: IfaceMatch | undefined): string {
  return m ? `${m.invert ? " !" : ""} -${letter} ${m.name}` : "";
}

/** Everything after "-A CHAIN"; `counters` puts " -c P B" before the target (-S -v). */
export function ruleSpec(rule: Rule, counters = false): string {
  let s = saveAddr("s", rule.src) + saveAddr("d", rule.dst);
  s += saveIface("i", rule.inIface) + saveIface("o", rule.outIface);
  if (rule.proto) {
    const num = rule.proto.num ?? 0;
    s += `${rule.proto.invert ? " !" : ""} -p ${protoName(num, false) ?? num}`;
  }
  for (const m of rule.matches) s += ` -m ${m.kind}${saveMatch(m, rule)}`;
  if (counters) s += ` -c ${rule.packets} ${rule.bytes}`;
  const t = rule.target;
  if (t?.kind === "goto") s += ` -g ${t.chain}`;
  else if (t?.kind === "jump") s += ` -j ${t.chain}`;
  else if (t) s += ` -j ${t.kind}${saveTarget(t, rule)}`;
  return s;
}

/** Two rules are the same rule for -D and -C when they save alike (nft_rule_cmp). */
export function sameRule(a: Rule, b: Rule): boolean {
  return ruleSpec(a) === ruleSpec(b);
}
