// What a backend's trace of one command is told in: plain data, no classes, shared by the
// backends that record it (src/sim, src/real) and the walk that reads it (src/walk), so
// neither side imports the other. Namespaces, devices and state machines are structured
// values; the display strings made from them (`neigh 10.0.0.2 dev va [a]`) are never
// parsed back.

/**
 * A network namespace as the script names it (`ip netns add NAME`); ROOT_NS for the
 * script's own. One spelling inside the model; "(root)" is how people are shown it.
 */
export type NsName = string;

export const ROOT_NS: NsName = "";

/** How the root namespace is shown to people (and spelled in the walk's JSON steps). */
export const ROOT_DISPLAY = "(root)";

/** A command's namespace (LabCommand.netns, undefined for the root) as an NsName. */
export function nsOf(netns: string | undefined): NsName {
  return netns ?? ROOT_NS;
}

export function nsDisplay(ns: NsName): string {
  return ns === ROOT_NS ? ROOT_DISPLAY : ns;
}

/**
 * How long after a traced command ends its packets are still followed, in both backends.
 * Chosen between the kernel's TCP timers so that neither backend's account ends on one: a
 * delayed ACK (tcp_delack_min, 40 ms) and the first retransmission of a lost FIN (RTO,
 * tcp_rto_min 200 ms plus a little) fall inside, the second retransmission (400 ms later)
 * well after.
 */
export const SETTLE_MS = 300;

/** A device in a namespace. */
export interface DevRef {
  ns: NsName;
  dev: string;
}

export type MachineKind = "neigh" | "conntrack" | "tcp" | "ping" | "nc" | "bridge";

/**
 * A state machine: its kind and what tells it apart within its namespace (`10.0.0.2 dev
 * va` for a neighbour entry, `br0 port va` for a bridge port). Shown as `KIND KEY`.
 */
export interface MachineId {
  ns: NsName;
  kind: MachineKind;
  key: string;
}

export function machineName(m: MachineId): string {
  return `${m.kind} ${m.key}`;
}

/** A packet as one trace entry saw it (its headers then). */
export interface TracedPacket {
  protocol: "arp" | "icmp" | "tcp" | "udp";
  /** What the packet is, without its TTL (`ICMP echo request 10.0.0.1 > 10.0.0.2 id 1 seq 1`). */
  summary: string;
  /** Addresses, ports, TTL and length, tcpdump style; for ARP its summary. */
  header: string;
  /** What the summary says, as fields, for a walk's words (the verdict, "the SYN"). */
  fields?: PacketFields;
}

/** A traced packet's identity as fields: addresses, ports, TCP flags, what ARP asks. */
export interface PacketFields {
  /** IPv4 source and destination; for ARP the sender's and the target's address. */
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  /** TCP flags in tcpdump's letters ("S", "S.", "R.", "F.", "."). */
  tcpFlags?: string;
  /** ICMP: an echo request, an echo reply, or an error about another packet. */
  icmp?: "echo-request" | "echo-reply" | "error";
  /** ARP: request or reply; a reply's sender MAC. */
  arp?: { op: "request" | "reply"; mac?: string };
  /** A DNS message the datagram carries: the question, and an answer's records in words. */
  dns?: { response: boolean; qtype: string; qname: string; answers?: string[]; rcode?: number };
}

/** A decision the simulated kernel took about one packet (or frame): a tracepoint. */
export type TracePoint =
  | {
      kind: "route";
      ns: NsName;
      /** output: a locally made packet; input: local delivery or forwarding; forward: the forward lookup. */
      dir: "output" | "input" | "forward";
      /** The route that won, as `ip route` shows it, or undefined when there was none. */
      route?: string;
      table?: string;
      dev?: string;
      src?: string;
      /** The route's gateway; none for an on-link route. */
      gateway?: string;
      /** Next-hop flags `ip route` prints ("linkdown": the device has no carrier). */
      flags?: string[];
      why: string;
    }
  | {
      kind: "neigh";
      ns: NsName;
      dev: string;
      nexthop: string;
      /** The entry's state when the packet asked for it ("none" when there was no entry). */
      state: string;
      action: "send" | "queue" | "resolve";
      mac?: string;
    }
  | {
      kind: "bridge";
      ns: NsName;
      bridge: string;
      port: string;
      /** br_fdb_update: the source MAC now lives on this port (undefined: not learned). */
      learned?: string;
      action: "forward" | "flood" | "local" | "drop";
      to: string[];
      why: string;
    }
  | {
      kind: "nf";
      ns: NsName;
      hook: string;
      table: string;
      chain: string;
      ruleNum?: number;
      /** The rule whose verdict applied, as `iptables -S` prints it without `-A CHAIN `. */
      rule?: string;
      verdict: string;
      policy: boolean;
    }
  | { kind: "ct"; ns: NsName; hook: string; state: string; dir: "original" | "reply" }
  | { kind: "nat"; ns: NsName; hook: string; before: string; after: string }
  | { kind: "ttl"; ns: NsName; from: number; to: number }
  /** ip_fragment: a datagram longer than the device's MTU left as these fragments. */
  | { kind: "frag"; ns: NsName; dev: string; mtu: number; devMtu: number; lengths: number[] }
  | {
      kind: "local";
      ns: NsName;
      dev: string;
      to: string;
      /** Taken in and dropped without effect (an ARP request for someone else). */
      ignored?: boolean;
    }
  | {
      kind: "drop";
      ns: NsName;
      reason: string;
      /** The device it was dropped on, when one dropped it (a veth without carrier). */
      dev?: string;
      /** Why, for people, when the reason alone does not say. */
      why?: string;
    };

/**
 * One entry of the simulator's trace of a command. `seq` is the entry's position in the
 * whole trace (entries about nothing walkable are left out, so seq may skip); `time` is in
 * virtual milliseconds since the command started; `packet` is a packet's identity, kept
 * through TTL decrements and NAT.
 */
export type TraceEntry =
  | {
      kind: "hop";
      seq: number;
      time: number;
      /** wire: across a veth pair; up: a bridge port to its bridge device; loopback. */
      hop: "wire" | "up" | "loopback";
      from?: DevRef;
      to: DevRef;
      srcMac?: string;
      dstMac?: string;
      packet: number;
      pkt: TracedPacket;
    }
  | {
      kind: "transition";
      seq: number;
      time: number;
      machine: MachineId;
      /** The new state. */
      state: string;
      /** The packet whose handling made the machine move (none for a timer). */
      packet?: number;
    }
  | {
      kind: "point";
      seq: number;
      time: number;
      point: TracePoint;
      packet: number;
      pkt: TracedPacket;
      /** The packet whose delivery was being handled when this one was first seen. */
      during?: number;
    };

// A packet's way through netfilter in one namespace, as the kernel's nftables trace
// (xtables-monitor --trace) reports it and as the simulator's trace reports it: the two
// are held against each other (src/walk/compare-nf.ts).

/** One netfilter trace event: a rule that matched, or a base chain's policy. */
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
  /** Namespace name as the script calls it; ROOT_NS ("") for the script's own. */
  ns: NsName;
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
