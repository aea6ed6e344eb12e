// The IPv4 netfilter hooks and what is registered on each, in priority order
// (net/netfilter/core.c: nf_hook_entries; include/uapi/linux/netfilter_ipv4.h: enum
// nf_ip_hook_priorities). One table, read by the simulator's hook code
// (sim/kernel/netfilter/eval.ts runs it) and by the netfilter map (src/diagram draws it),
// so the picture cannot drift from what the simulator does. Plain data: no Node.

export type NfHookName = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";

export type NfTableName = "raw" | "mangle" | "nat" | "filter" | "security";

/** A table's base chain, conntrack's lookup (nf_conntrack_in), or its confirmation. */
export type NfHookStep = NfTableName | "conntrack" | "confirm";

/** The hooks in the order a packet can meet them (input side first). */
export const NF_HOOKS: readonly NfHookName[] = [
  "PREROUTING",
  "INPUT",
  "FORWARD",
  "OUTPUT",
  "POSTROUTING",
];

/** Each hook's registered functions in priority order (nat is DNAT at PREROUTING/OUTPUT, SNAT at INPUT/POSTROUTING). */
export const NF_HOOK_STEPS: Readonly<Record<NfHookName, readonly NfHookStep[]>> = {
  PREROUTING: ["raw", "conntrack", "mangle", "nat"],
  INPUT: ["mangle", "filter", "security", "nat", "confirm"],
  FORWARD: ["mangle", "filter", "security"],
  OUTPUT: ["raw", "conntrack", "mangle", "nat", "filter", "security"],
  POSTROUTING: ["mangle", "nat", "confirm"],
};
