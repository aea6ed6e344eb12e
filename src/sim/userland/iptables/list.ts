// `iptables -L` and `iptables -S` over a table (nft.c nft_rule_list and
// nft_rule_list_save): every built-in chain, then the user chains by name; with a chain,
// only that one; with a rule number, only that rule and no header.
import {
  chainReferences,
  listedChains,
  type Chain,
  type NetfilterState,
  type TableName,
} from "../../kernel/netlink/index.js";
import type { Format } from "./format.js";
import { printHeader, printRule } from "./list-rule.js";
import { ruleSpec } from "./save-rule.js";

function chainsOf(st: NetfilterState, table: TableName, chain?: string): Chain[] {
  const all = listedChains(st, table);
  return chain === undefined ? all : all.filter((c) => c.name === chain);
}

export function listRules(
  st: NetfilterState,
  table: TableName,
  chain: string | undefined,
  rulenum: number,
  f: Format,
): string {
  const t = st.tables.get(table);
  let out = "";
  for (const c of chainsOf(st, table, chain)) {
    if (rulenum) {
      const r = c.rules[rulenum - 1];
      if (r) out += printRule(r, rulenum, f);
      continue;
    }
    if (out !== "") out += "\n";
    out += printHeader(c, chainReferences(t, c.name), f);
    c.rules.forEach((r, i) => (out += printRule(r, i + 1, f)));
  }
  return out;
}

function policyLine(c: Chain, counters: boolean): string {
  const cnt = counters ? ` -c ${c.packets} ${c.bytes}` : "";
  return `-P ${c.name} ${c.policy ?? "ACCEPT"}${cnt}\n`;
}

export function listRulesSave(
  st: NetfilterState,
  table: TableName,
  chain: string | undefined,
  rulenum: number,
  counters: boolean,
): string {
  const chains = chainsOf(st, table, chain);
  if (rulenum) {
    const c = chains[0];
    const r = c?.rules[rulenum - 1];
    return c && r ? `-A ${c.name}${ruleSpec(r, counters)}\n` : "";
  }
  let out = "";
  for (const c of chains) out += c.builtin ? policyLine(c, counters) : `-N ${c.name}\n`;
  for (const c of chains) for (const r of c.rules) out += `-A ${c.name}${ruleSpec(r, counters)}\n`;
  return out;
}
