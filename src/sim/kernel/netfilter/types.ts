// The netfilter rule model shared by iptables (userland: parse, list, save/restore) and
// the packet path (kernel: hooks, matches, targets, conntrack, NAT). One value per rule,
// as iptables-nft would store it; counters live on the rule and on base-chain policies.
import type { Ip4 } from "../core/ip4.js";

declare module "../core/netns.js" {
  interface NetNs {
    /** iptables' tables and chains, created on first use (netfilter/state.ts netfilterOf). */
    netfilter?: NetfilterState;
  }
}

export type TableName = "raw" | "mangle" | "nat" | "filter" | "security";
export type HookName = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";
export type Policy = "ACCEPT" | "DROP";

/** Built-in chains of each table, in the order iptables lists them. */
export const BUILTIN_CHAINS: Record<TableName, HookName[]> = {
  raw: ["PREROUTING", "OUTPUT"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  security: ["INPUT", "FORWARD", "OUTPUT"],
};

export interface AddrMatch {
  addr: Ip4;
  plen: number;
  invert: boolean;
  /**
   * The netmask, set only when it is not a prefix (iptables accepts `-s 10.0.0.0/255.0.255.0`);
   * plen is then the number of one bits. Match with `(a & mask) === addr` when present.
   */
  mask?: Ip4;
}

/** An interface name; a trailing "+" matches any name with that prefix. */
export interface IfaceMatch {
  name: string;
  invert: boolean;
}

export interface PortRange {
  from: number;
  to: number;
}

export type CtState = "INVALID" | "NEW" | "ESTABLISHED" | "RELATED" | "UNTRACKED" | "SNAT" | "DNAT";
export type AddrType =
  | "UNSPEC"
  | "UNICAST"
  | "LOCAL"
  | "BROADCAST"
  | "ANYCAST"
  | "MULTICAST"
  | "BLACKHOLE"
  | "UNREACHABLE"
  | "PROHIBIT"
  | "THROW"
  | "NAT"
  | "XRESOLVE";

export type Match =
  | {
      kind: "tcp" | "udp";
      sport?: PortRange & { invert: boolean };
      dport?: PortRange & { invert: boolean };
      /** --tcp-flags MASK COMP / --syn, tcp only. */
      tcpFlags?: { mask: string[]; comp: string[]; invert: boolean };
      /** --tcp-option N: the TCP option kind must be present, tcp only. */
      option?: { value: number; invert: boolean };
    }
  /** type 255 is `any`; code undefined means every code. */
  | { kind: "icmp"; type: number; code?: number; invert: boolean; typeName?: string }
  | { kind: "conntrack"; ctstate: CtState[]; invert: boolean }
  | { kind: "state"; state: CtState[]; invert: boolean }
  | {
      kind: "addrtype";
      srcType?: AddrType[];
      dstType?: AddrType[];
      invertSrc: boolean;
      invertDst: boolean;
      limitIfaceIn?: boolean;
      limitIfaceOut?: boolean;
    }
  | {
      kind: "physdev";
      in?: IfaceMatch;
      out?: IfaceMatch;
      /** --physdev-is-in / -is-out / -is-bridged, each possibly negated. */
      isIn?: { invert: boolean };
      isOut?: { invert: boolean };
      isBridged?: { invert: boolean };
    }
  | { kind: "multiport"; ports: PortRange[]; which: "sports" | "dports" | "ports"; invert: boolean }
  | { kind: "comment"; comment: string }
  | { kind: "mark"; value: number; mask: number; invert: boolean };

export interface NatRange {
  /** Address range, or undefined to keep the address (e.g. `--to-destination :8080`). */
  from?: Ip4;
  to?: Ip4;
  ports?: PortRange;
}

export type Target =
  | { kind: "ACCEPT" | "DROP" | "RETURN" }
  | { kind: "jump"; chain: string }
  | { kind: "goto"; chain: string }
  /** `with` is the canonical --reject-with name (icmp-port-unreachable, tcp-reset, ...). */
  | { kind: "REJECT"; with: string }
  /** level: the syslog level as a decimal digit ("4" by default); flags: IPT_LOG_* bits. */
  | { kind: "LOG"; prefix?: string; level?: string; flags?: number }
  | { kind: "MASQUERADE"; toPorts?: PortRange; random?: boolean; randomFully?: boolean }
  | { kind: "SNAT"; to: NatRange[]; random?: boolean; persistent?: boolean; randomFully?: boolean }
  | { kind: "DNAT"; to: NatRange[]; random?: boolean; persistent?: boolean }
  | { kind: "REDIRECT"; toPorts?: PortRange; random?: boolean }
  /**
   * value/mask are xt_MARK's mark/mask: the new mark is always `(old & ~mask) ^ value`,
   * whatever `op` says (--set-mark V is V/0xffffffff, --and-mark V is 0/~V, --or-mark V
   * is V/V, --xor-mark V is V/0). `op` is how iptables prints it (MARK set/xset/and/or/xor).
   */
  | { kind: "MARK"; value: number; mask: number; op: "set" | "xset" | "and" | "or" | "xor" }
  | { kind: "TRACE" };

export interface Rule {
  src?: AddrMatch;
  dst?: AddrMatch;
  inIface?: IfaceMatch;
  outIface?: IfaceMatch;
  /**
   * -p: protocol name as iptables saves it ("tcp", "gre", or the number when /etc/protocols
   * has no name) and its number; undefined = all.
   */
  proto?: { proto: string; invert: boolean; num?: number };
  /** -m matches and their options, in the order iptables keeps them. */
  matches: Match[];
  /** No target: a rule that only counts. */
  target?: Target;
  packets: number;
  bytes: number;
}

export interface Chain {
  name: string;
  /** Base chains are attached to a hook; user chains are only jumped to. */
  builtin: boolean;
  policy?: Policy;
  rules: Rule[];
  /** Policy counters of a base chain. */
  packets: number;
  bytes: number;
  /** Creation order in the kernel's chain list (nf_tables keeps chains in that order). */
  created?: number;
  /**
   * The base chain has counters (NFTA_CHAIN_COUNTERS). iptables-nft attaches them, zeroed,
   * with every -P (and iptables-restore's `:CHAIN POLICY [p:b]`); a base chain made by -A
   * has none, so its policy shows 0 packets, 0 bytes whatever passed (seen on 6.18).
   */
  policyCounters?: boolean;
}

export interface Table {
  name: TableName;
  /** Chains in listing order: built-ins in BUILTIN_CHAINS order, then user chains. */
  chains: Map<string, Chain>;
}

/**
 * A namespace's netfilter state. iptables-nft creates a table and a base chain only when
 * a command touches them: `tables` holds only the tables that exist in the kernel, and a
 * table's `chains` only the chains that exist (a built-in chain nobody touched is absent,
 * so no packet walks it and no trace shows it). Listing shows every built-in chain
 * regardless. Operations are in state.ts.
 */
export interface NetfilterState {
  tables: Map<TableName, Table>;
  /** Next creation number for a chain. */
  nextCreated?: number;
}

/** What a hook traversal decided for a packet. */
export type Verdict =
  | { kind: "accept" }
  | { kind: "drop"; reason: string }
  | { kind: "reject"; with: string; reason: string }
  | { kind: "stolen" };
