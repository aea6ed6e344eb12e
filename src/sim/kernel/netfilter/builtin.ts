// The tables and built-in chains iptables knows (nft.c xtables_ipv4[]), and the order
// iptables-save walks the tables in (that array's order, not the kernel's).
import { BUILTIN_CHAINS, type HookName, type TableName } from "./types.js";

/** iptables-save order: enum nft_table_type (mangle, security, raw, filter, nat). */
export const TABLE_ORDER: readonly TableName[] = ["mangle", "security", "raw", "filter", "nat"];

export function isTableName(name: string): name is TableName {
  return (TABLE_ORDER as readonly string[]).includes(name);
}

export function isBuiltinChain(table: TableName, chain: string): chain is HookName {
  return (BUILTIN_CHAINS[table] as string[]).includes(chain);
}
