// The walk of a probe: the model render.ts prints and, through json.ts, what `packetwalk
// walk --json` prints. The JSON is a stable, documented format (docs/walk-json.md): fields
// are only ever added; version bumps on any change of meaning. Inside the model every
// namespace is an NsName (ROOT_NS, "", for the script's own); json.ts spells the root as
// the JSON always has.
import type {
  DevRef,
  MachineId,
  NfPathPacket,
  NsName,
  PacketFields,
  TracePoint,
} from "../backend/trace-types.js";
import type { Provenance } from "../script/types.js";

export const WALK_SCHEMA = "packetwalk-walk/1";

export type StepKind =
  | "wire" // a frame crossed a veth
  | "loopback" // a packet looped back inside a namespace
  | "up" // a bridge passed a frame up to its own device
  | "route" // a route decision
  | "neigh" // a neighbour (ARP) lookup on output
  | "bridge" // a bridge's forwarding decision (and what it learned)
  | "nf" // a netfilter rule that matched, or a base chain's policy
  | "ct" // the packet's conntrack state
  | "nat" // NAT rewrote the packet
  | "ttl" // forwarding decremented the TTL
  | "frag" // sent as fragments: longer than the device's MTU
  | "local" // delivered to this namespace's stack
  | "state" // a state machine moved (neighbour entry, conntrack entry, socket, ping)
  | "drop"; // dropped, with the reason

export interface WalkStep {
  /** Virtual milliseconds since the probe started. */
  time: number;
  /**
   * Position in the simulator's trace: steps of all packets share one order, so a walk's
   * interleaving can be rebuilt even where the virtual time does not move (a veth hop
   * takes no virtual time).
   */
  seq: number;
  /** Namespace (ROOT_NS for the script's own; "(root)" in the JSON). */
  ns: NsName;
  kind: StepKind;
  /** Device the step happened on, when there is one. */
  dev?: string;
  /** What happened, for people. */
  text: string;
  /** Why, for people. */
  why?: string;
  /** The packet's headers as they were at this step (tcpdump style). */
  header: string;
  /** kind "nf": the trace event, as the kernel's trace would report it. */
  nf?: Omit<Extract<TracePoint, { kind: "nf" }>, "kind" | "ns">;
  /** kind "nat": the addresses before and after. */
  nat?: { before: string; after: string };
  /** kind "local": taken in without effect (an ARP request for another address). */
  ignored?: boolean;
  /** kind "drop": why. */
  reason?: string;
  /**
   * The tracepoint this step was made from, for the walk's own views (verdict, compact
   * lines); not in the JSON, whose fields above say the same in their stable form.
   */
  point?: TracePoint;
  /** kind "state": the machine that moved (not in the JSON: its name is in the text). */
  machine?: MachineId;
  /** kind "wire", "up", "loopback": where the frame came from and went (not in the JSON). */
  hop?: { from?: DevRef; to: DevRef };
  /** kind "route": the route that won. */
  route?: {
    route?: string;
    table?: string;
    dev?: string;
    src?: string;
    /** The route's gateway; absent for an on-link route (schema 1 until 0.1: the next hop). */
    gateway?: string;
    /** Next-hop flags as `ip route` prints them: "linkdown" when the device has no carrier. */
    flags?: string[];
  };
}

export interface WalkPacket {
  /** 1, 2, ... in the order the packets first appeared. */
  id: number;
  protocol: "arp" | "icmp" | "tcp" | "udp";
  /** One line: what the packet is ("ICMP echo request 10.0.0.1 > 10.0.0.2 id 1 seq 1"). */
  summary: string;
  /** The packet whose handling made this one (a reply, an ARP request, an error). */
  causedBy?: number;
  /** What the summary says, as fields, when first seen (not in the JSON). */
  fields?: PacketFields;
  steps: WalkStep[];
  fate: {
    kind: "delivered" | "dropped" | "ended";
    ns: NsName;
    text: string;
    /** kind "dropped": the drop reason ("FORWARD policy DROP", "no route", "ARP failed"). */
    reason?: string;
  };
}

/** A state machine that moved on a timer, with no packet in hand (ARP retries, timeouts). */
export interface WalkEvent {
  time: number;
  /** The machine; in the JSON its name with its namespace in brackets ("neigh 10.0.0.2 dev va [a]"), and the namespace alone. */
  machine: MachineId;
  state: string;
}

export interface ProbeResult {
  /** The probe line as given. */
  text: string;
  /** Namespace it ran in (ROOT_NS for the script's own; "(root)" in the JSON). */
  ns: NsName;
  exit: number;
  stdout: string;
  stderr: string;
}

export interface NfDifference {
  ns: NsName;
  /** Index (0-based) of the packet in the namespace's traced packets. */
  index: number;
  packet: string;
  sim?: string[];
  kernel?: string[];
  /** First step (0-based) where the two differ. */
  at: number;
}

/** A script command that exited non-zero while the world was being set up. */
export interface SetupFailure {
  line: number;
  command: string;
  exit: number;
  stderr: string;
  /** Its script line and place in that line's expansion (lab-script.md). */
  provenance?: Provenance;
}

export interface Walk {
  schema: typeof WALK_SCHEMA;
  backend: "sim" | "kernel" | "compare";
  script: string;
  /** Script lines that failed (non-zero exit) while setting up, with what they printed. */
  setupFailures: SetupFailure[];
  /** The simulator's walk (sim and compare). */
  sim?: { probe: ProbeResult; packets: WalkPacket[]; events: WalkEvent[] };
  /** The kernel's account (kernel and compare). */
  kernel?: {
    probe: ProbeResult;
    netfilter: NfPathPacket[];
    warnings: string[];
    /** The namespaces traced ("" for the root, first), as in netfilter. */
    traced?: NsName[];
    /**
     * all: every namespace was traced; predicted: only where a simulator of the same
     * script predicted the probe goes, its source and destination, and the root.
     */
    tracing?: "all" | "predicted";
    /**
     * kernel only: what the probe left in each traced namespace (neighbours, bridge
     * forwarding entries, conntrack, iptables counters), as the commands printed it.
     */
    state?: { command: string; output: string }[];
  };
  /** compare: where the simulated netfilter path and the kernel's trace differ. */
  comparison?: {
    probeMatch: boolean;
    netfilterMatch: boolean;
    differences: NfDifference[];
    /** State after the probe that differs (command and both outputs). */
    state: { command: string; sim: string; kernel: string; match: boolean }[];
  };
}
