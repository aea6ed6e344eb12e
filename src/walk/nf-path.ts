// A packet's way through netfilter in one namespace, as the kernel's nftables trace
// (xtables-monitor --trace) reports it and as the simulator's walk reports it: the two
// are held against each other (compare-nf.ts).

/** One trace event: a rule that matched, or a base chain's policy. */
export interface NfPathStep {
  table: string;
  chain: string;
  /**
   * The rule as `iptables -S` prints it, without the leading `-A CHAIN ` (`-o docker0 -j DOCKER`);
   * undefined for a policy event.
   */
  rule?: string;
  /** Position of the rule in its chain (1-based), when known. */
  ruleNum?: number;
  /**
   * The verdict in xtables-monitor's words: ACCEPT, DROP, CONTINUE, RETURN, JUMP:CHAIN,
   * GOTO:CHAIN; for a policy event the policy (ACCEPT or DROP).
   */
  verdict: string;
  policy: boolean;
}

/** One packet's netfilter events in one namespace, in order. */
export interface NfPathPacket {
  /** Namespace name as the script calls it (`ip netns add NAME`), "" for the script's own. */
  ns: string;
  /** Addresses and protocol as the packet entered its first traced chain. */
  src: string;
  dst: string;
  /** "tcp", "udp", "icmp", or a number; undefined when the trace does not say. */
  proto?: string;
  /** TCP flags as xtables-monitor prints them (SYN, ACK, RST, FIN, PSH), in that order. */
  tcpFlags?: string[];
  sport?: number;
  dport?: number;
  /** IP total length. */
  len?: number;
  steps: NfPathStep[];
}
