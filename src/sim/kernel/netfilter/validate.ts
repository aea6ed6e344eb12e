// What the kernel checks when iptables-nft adds a rule: the xtables extensions' own
// checkentry (nft_compat.c passes table, hook and the rule's protocol), then the table is
// validated from every base chain down through its jumps (nf_tables_api.c
// nft_table_validate), which is where a target reached from the wrong hook, a jump loop or
// a too deep jump chain is refused.
import type { HookName, Match, Rule, Table, TableName, Target } from "./types.js";
import { isBuiltinChain } from "./builtin.js";
import { NfError } from "./errors.js";

/** NFT_JUMP_STACK_SIZE: jumps deeper than this from a base chain are refused (EMLINK). */
const JUMP_STACK_SIZE = 16;

/** xt_target .table and .hooks of the targets that have them. */
const TARGET_LIMITS: Partial<Record<Target["kind"], { table: TableName; hooks: HookName[] }>> = {
  // net/ipv4/netfilter/ipt_REJECT.c
  REJECT: { table: "filter", hooks: ["INPUT", "FORWARD", "OUTPUT"] },
  // net/netfilter/xt_nat.c
  SNAT: { table: "nat", hooks: ["POSTROUTING", "INPUT"] },
  DNAT: { table: "nat", hooks: ["PREROUTING", "OUTPUT"] },
  // xt_MASQUERADE.c, xt_REDIRECT.c
  MASQUERADE: { table: "nat", hooks: ["POSTROUTING"] },
  REDIRECT: { table: "nat", hooks: ["PREROUTING", "OUTPUT"] },
};

function inval(): never {
  throw new NfError("EINVAL");
}

/**
 * The checks made when the rule is created in `chain` (xt_check_target/xt_check_match
 * with the chain's hook if it is a base chain, none otherwise).
 */
export function checkNewRule(table: Table, chainName: string, rule: Rule): void {
  const hook = isBuiltinChain(table.name, chainName) ? (chainName as HookName) : undefined;
  // "! -d 0.0.0.0/0" is a payload compare of zero bytes, which nf_tables refuses.
  if ((rule.src?.invert && rule.src.plen === 0) || (rule.dst?.invert && rule.dst.plen === 0))
    inval();
  for (const m of rule.matches) checkMatch(m, rule, hook);
  const t = rule.target;
  if (!t) return;
  const limits = TARGET_LIMITS[t.kind];
  if (limits && limits.table !== table.name) inval();
  if (limits && hook && !limits.hooks.includes(hook)) inval();
  // ipt_REJECT.c reject_tg_check: a TCP reset needs a rule that matches only TCP.
  if (t.kind === "REJECT" && t.with === "tcp-reset" && !onlyProto(rule, 6)) inval();
  if (t.kind === "jump" || t.kind === "goto") {
    if (isBuiltinChain(table.name, t.chain)) {
      // A base chain cannot be jumped to; one that does not exist yet is not found at all.
      throw new NfError(table.chains.has(t.chain) ? "EOPNOTSUPP" : "ENOENT");
    }
  }
}

function onlyProto(rule: Rule, num: number): boolean {
  return rule.proto !== undefined && rule.proto.num === num && !rule.proto.invert;
}

function checkMatch(m: Match, rule: Rule, hook: HookName | undefined): void {
  switch (m.kind) {
    case "tcp":
    case "udp": {
      // Ports and flags become native nftables expressions; an empty tcp/udp match stays an
      // xt match, whose .proto the kernel checks (xt_tcpudp.c).
      const empty = !m.sport && !m.dport && !m.tcpFlags && !m.option;
      if (empty && !onlyProto(rule, m.kind === "tcp" ? 6 : 17)) inval();
      return;
    }
    case "icmp":
      if (!onlyProto(rule, 1)) inval();
      return;
    case "addrtype":
      // xt_addrtype.c addrtype_mt_checkentry_v1
      if (!hook) return;
      if (m.limitIfaceIn && !["PREROUTING", "INPUT", "FORWARD"].includes(hook)) inval();
      if (m.limitIfaceOut && !["OUTPUT", "FORWARD", "POSTROUTING"].includes(hook)) inval();
      return;
    case "physdev": {
      // xt_physdev.c physdev_mt_check: the output port is unknown for local output unless
      // the rule is limited to bridged traffic.
      if (hook !== "OUTPUT") return;
      const bridgedOnly = m.isBridged !== undefined && !m.isBridged.invert;
      if ((m.out || m.isOut) && !bridgedOnly) inval();
      return;
    }
    default:
      return;
  }
}

/**
 * Whether adding the rule can make a valid table invalid: only a jump or goto, or a target
 * limited to some hooks, is looked at by validateTable. Every change is validated, so the
 * table was valid before; for any other rule validating again would find what it found.
 */
export function mayInvalidate(rule: Rule): boolean {
  const t = rule.target;
  return (
    t !== undefined &&
    (t.kind === "jump" || t.kind === "goto" || TARGET_LIMITS[t.kind] !== undefined)
  );
}

/** nft_table_validate: walk every base chain and what it jumps to. */
export function validateTable(table: Table): void {
  const chains = [...table.chains.values()].sort((a, b) => (a.created ?? 0) - (b.created ?? 0));
  for (const base of chains) {
    if (!base.builtin) continue;
    walk(table, base.name, base.name as HookName, 0);
  }
}

function walk(table: Table, chainName: string, hook: HookName, level: number): void {
  if (level === JUMP_STACK_SIZE) throw new NfError("EMLINK");
  const chain = table.chains.get(chainName);
  if (!chain) return;
  for (const rule of chain.rules) {
    const t = rule.target;
    if (!t) continue;
    const limits = TARGET_LIMITS[t.kind];
    if (limits && !limits.hooks.includes(hook)) inval();
    if (t.kind === "jump" || t.kind === "goto") walk(table, t.chain, hook, level + 1);
  }
}
