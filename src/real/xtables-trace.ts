// Reading `xtables-monitor --trace` output (iptables 1.8.9) into per-packet netfilter paths.
//
// What the kernel reports: every rule that matches a packet marked with nftrace, and the
// policy of a base chain it falls off, each with a trace id. xtables-monitor prints a
// PACKET line (the headers) before the first event of each base chain a packet runs
// through, then one TRACE line per event:
//
//   PACKET: 2 eb8abcab IN=docker0 MACSRC=... SRC=172.17.0.2 DST=172.17.0.3 LEN=84 TOS=0x0 TTL=64 ID=27660 DF
//    TRACE: 2 eb8abcab packetwalk_trace:pre:rule:0x3:CONTINUE  -4 -t packetwalk_trace -A pre ... -j TRACE
//    TRACE: 2 c4ba6d32 filter:FORWARD:rule:0xe:JUMP:DOCKER-USER  -4 -t filter -A FORWARD -j DOCKER-USER
//    TRACE: 2 c4ba6d32 filter:INPUT:policy:ACCEPT
//
// The trace id is a hash of the skb's address, its flow hash and skb_iif, so:
// - ids are reused by later packets (same skb memory): a packet starts where our own trace
//   chain (first at its hook, priority -500) reports it;
// - a packet can change id on the way: with br_netfilter, a packet that came in through a
//   bridge port runs PREROUTING in the bridge's path, then is received again on the bridge
//   device (skb_iif changes) for INPUT or FORWARD. Such a continuation is joined to the
//   packet it continues by IP id, total length and TCP flags, which NAT leaves alone;
// - a packet the kernel generates while handling another (REJECT's ICMP error) prints its
//   own lines between those of the packet that caused it: events are grouped by id, not
//   by position.
import type { NfPathPacket, NfPathStep } from "../backend/trace-types.js";

/** The table packetwalk adds to mark packets for tracing; its events are not reported. */
export const TRACE_TABLE = "packetwalk_trace";
/**
 * The egress watch's tables (egress-watch.ts), ip and bridge: a traced packet crosses
 * their chains too, which are packetwalk's, not the learner's, and are left out.
 */
export const EGRESS_TABLE = "packetwalk_egress";

/** NFT_RETURN (-5): xtables-monitor has no name for it and prints the number. */
const NFT_RETURN_HEX = "0xfffffffb";

/** The order NfPathPacket documents (and the simulator uses); xtables-monitor prints FIN before RST. */
const TCP_FLAGS = ["SYN", "ACK", "RST", "FIN", "PSH", "URG"] as const;

/** Position (1-based) of each rule in its chain, by table, chain and nftables rule handle. */
export type RulePositions = ReadonlyMap<string, number>;

export function positionKey(table: string, chain: string, handle: number): string {
  return `${table}\t${chain}\t${handle}`;
}

/** Headers as one PACKET line shows them. */
interface Header {
  /** IN= and OUT=: the devices, as the hook sees them. */
  inDev?: string;
  outDev?: string;
  src: string;
  dst: string;
  len?: number;
  ipId?: number;
  sport?: number;
  dport?: number;
  tcpFlags: string[];
}

interface TraceEvent {
  id: string;
  table: string;
  chain: string;
  kind: "rule" | "policy";
  handle?: number;
  verdict: string;
  /** The rule as xtables-monitor prints it: `-4 -t TABLE -A CHAIN ...`. */
  text?: string;
}

type Line = { kind: "packet"; id: string; header: Header } | { kind: "trace"; event: TraceEvent };

const PACKET_RE = /^PACKET: \d+ ([0-9a-f]+) (.*)$/;
const TRACE_RE = /^ ?TRACE: \d+ ([0-9a-f]+) (.*)$/;
const RULE_RE = /^([^:]+):(.+?):rule:0x([0-9a-f]+):(\S+)(?:\s+(.*))?$/;
const POLICY_RE = /^([^:]+):(.+?):policy:(\S+)/;

function field(text: string, key: string): string | undefined {
  return new RegExp(`(?:^| )${key}=(\\S+)`).exec(text)?.[1];
}

function numField(text: string, key: string): number | undefined {
  const m = /^\d+/.exec(field(text, key) ?? "");
  return m ? Number(m[0]) : undefined;
}

function parseHeader(text: string): Header {
  const words = new Set(text.split(" "));
  // Flags follow the ports; only a TCP header has them (xtables-monitor prints ports
  // alone for UDP, UDP-Lite, SCTP and DCCP, and nothing at all for ICMP).
  const hasPorts = field(text, "SPORT") !== undefined;
  return {
    inDev: field(text, "IN"),
    outDev: field(text, "OUT"),
    src: field(text, "SRC") ?? "",
    dst: field(text, "DST") ?? "",
    len: numField(text, "LEN"),
    ipId: numField(text, "ID"),
    sport: numField(text, "SPORT"),
    dport: numField(text, "DPORT"),
    tcpFlags: hasPorts ? TCP_FLAGS.filter((f) => words.has(f)) : [],
  };
}

function parseTrace(id: string, rest: string): TraceEvent | undefined {
  const rule = RULE_RE.exec(rest);
  if (rule) {
    const [, table, chain, handle, verdict, text] = rule;
    return {
      id,
      table: table!,
      chain: chain!,
      kind: "rule",
      handle: parseInt(handle!, 16),
      verdict: verdict === NFT_RETURN_HEX ? "RETURN" : verdict!,
      text: text?.trim() || undefined,
    };
  }
  const policy = POLICY_RE.exec(rest);
  if (policy) {
    const [, table, chain, verdict] = policy;
    return { id, table: table!, chain: chain!, kind: "policy", verdict: verdict! };
  }
  // ":return:" events (NFT_TRACETYPE_RETURN) carry no verdict of a rule; the kernel
  // reports an explicit RETURN as a rule event and an implicit one not at all.
  return undefined;
}

function parseLine(line: string): Line | undefined {
  const p = PACKET_RE.exec(line);
  if (p) return { kind: "packet", id: p[1]!, header: parseHeader(p[2]!) };
  const t = TRACE_RE.exec(line);
  const event = t ? parseTrace(t[1]!, t[2]!) : undefined;
  return event ? { kind: "trace", event } : undefined;
}

/** `-4 -t filter -A INPUT -p tcp -j DROP` -> `-p tcp -j DROP`. */
function ruleSpec(text: string, chain: string): string {
  const marker = ` -A ${chain}`;
  const at = text.indexOf(marker);
  return at < 0 ? text : text.slice(at + marker.length).trim();
}

/** A packet as far as its trace has been read. */
interface Open {
  packet: NfPathPacket;
  /** Headers of its latest PACKET line: what a continuation must match. */
  header: Header;
  /** Our trace chain that started it (pre or out): its events come in a pair. */
  ourChain?: string;
  /** Events of other tables seen: our chain again means another packet. */
  others: boolean;
}

/** IP id, length and TCP flags: what NAT and forwarding leave as they were. */
function sameDatagram(a: Header, b: Header): boolean {
  return a.ipId === b.ipId && a.len === b.len && a.tcpFlags.join() === b.tcpFlags.join();
}

function newPacket(ns: string, h: Header): Open {
  const packet: NfPathPacket = { ns, src: h.src, dst: h.dst, steps: [] };
  if (h.tcpFlags.length > 0) packet.proto = "tcp";
  describe(packet, h);
  return { packet, header: h, others: false };
}

/** Addresses, length and ports from a PACKET line; the protocol is set before. */
function describe(packet: NfPathPacket, h: Header): void {
  packet.src = h.src;
  packet.dst = h.dst;
  if (h.len !== undefined) packet.len = h.len;
  if (h.sport !== undefined) packet.sport = h.sport;
  if (h.dport !== undefined) packet.dport = h.dport;
  if (packet.proto === "tcp") packet.tcpFlags = h.tcpFlags;
}

/**
 * Our trace table has one rule per protocol (`ip protocol icmp meta nftrace set 1`, ...),
 * which xtables-monitor prints as `-p icmp`: the protocol the headers do not show.
 */
function protoFromOurRule(packet: NfPathPacket, e: TraceEvent, h: Header): void {
  const proto = / -p (\S+)/.exec(e.text ?? "")?.[1];
  if (proto === undefined) return;
  packet.proto = proto;
  describe(packet, h);
}

const EMPTY_HEADER: Header = { src: "", dst: "", tcpFlags: [] };

class TraceReader {
  readonly packets: Open[] = [];
  /** The packet each trace id now belongs to. */
  private readonly byId = new Map<string, Open>();
  /** Latest PACKET line per trace id. */
  private readonly headers = new Map<string, Header>();

  constructor(
    private readonly ns: string,
    private readonly positions: RulePositions | undefined,
  ) {}

  line(l: Line): void {
    if (l.kind === "packet") this.packetLine(l.id, l.header);
    else if (l.event.table === TRACE_TABLE) this.ourEvent(l.event);
    else if (l.event.table === EGRESS_TABLE) return;
    else this.event(l.event);
  }

  private packetLine(id: string, h: Header): void {
    this.headers.set(id, h);
    const open = this.byId.get(id);
    if (!open) return;
    // Another datagram under a reused id: the old packet's trace is over.
    if (sameDatagram(open.header, h)) open.header = h;
    else this.byId.delete(id);
  }

  private ourEvent(e: TraceEvent): void {
    const open = this.byId.get(e.id);
    const h = this.headers.get(e.id) ?? EMPTY_HEADER;
    if (open && open.ourChain === e.chain && !open.others) {
      if (e.kind === "rule") protoFromOurRule(open.packet, e, h);
      return;
    }
    const back = this.loopedBack(h);
    if (back) {
      back.header = h;
      back.ourChain = e.chain;
      back.others = false;
      this.byId.set(e.id, back);
      return;
    }
    const next = { ...newPacket(this.ns, h), ourChain: e.chain };
    if (e.kind === "rule") protoFromOurRule(next.packet, e, h);
    this.byId.set(e.id, next);
    this.packets.push(next);
  }

  private event(e: TraceEvent): void {
    const open = this.byId.get(e.id) ?? this.continuation(e.id);
    open.others = true;
    // As the first chain that reports it sees it (the simulator does the same): a reply's
    // destination is already un-NATed when it reaches FORWARD, not yet at our chain.
    if (open.packet.steps.length === 0) describe(open.packet, open.header);
    open.packet.steps.push(this.step(e));
  }

  /**
   * A packet sent to a local address leaves through lo and is received again (another
   * skb_iif, so another id): one packet, OUTPUT to INPUT, as the learner sees it.
   */
  private loopedBack(h: Header): Open | undefined {
    if (h.inDev !== "lo") return undefined;
    return this.packets.findLast(
      (o) => o.header.outDev === "lo" && o.header.inDev === undefined && sameDatagram(o.header, h),
    );
  }

  /** An id first seen outside our chain: a packet that changed id, or one we missed the start of. */
  private continuation(id: string): Open {
    const h = this.headers.get(id) ?? EMPTY_HEADER;
    let open = this.packets.findLast((o) => sameDatagram(o.header, h));
    if (!open) {
      open = newPacket(this.ns, h);
      this.packets.push(open);
    }
    open.header = h;
    this.byId.set(id, open);
    return open;
  }

  private step(e: TraceEvent): NfPathStep {
    if (e.kind === "policy") {
      return { table: e.table, chain: e.chain, verdict: e.verdict, policy: true };
    }
    const step: NfPathStep = { table: e.table, chain: e.chain, verdict: e.verdict, policy: false };
    if (e.text !== undefined) step.rule = ruleSpec(e.text, e.chain);
    const num =
      e.handle !== undefined
        ? this.positions?.get(positionKey(e.table, e.chain, e.handle))
        : undefined;
    if (num !== undefined) step.ruleNum = num;
    return step;
  }
}

/**
 * The netfilter path of every IPv4 packet in one namespace's `xtables-monitor -t -e`
 * output, in the order the packets first showed up. Ruleset events and NEWGEN lines are
 * skipped, and so are the events of packetwalk's own trace table. With `positions`
 * (from nft -a list ruleset, see rulePositions) rule events get their rule number.
 */
export function parseXtablesTrace(
  ns: string,
  text: string,
  positions?: RulePositions,
): NfPathPacket[] {
  const reader = new TraceReader(ns, positions);
  for (const raw of text.split("\n")) {
    const l = parseLine(raw.trimEnd());
    if (l) reader.line(l);
  }
  return reader.packets.map((o) => o.packet);
}

/**
 * Rule positions from `nft -a list ruleset` (or list table/chain): in each chain of an
 * `ip` table, the n-th line ending in `# handle H` is rule n, as iptables numbers it.
 */
export function rulePositions(listing: string): RulePositions {
  const out = new Map<string, number>();
  let table: string | undefined;
  let chain: string | undefined;
  let n = 0;
  for (const line of listing.split("\n")) {
    const t = /^table (\S+) (\S+) \{/.exec(line);
    if (t) {
      table = t[1] === "ip" ? t[2] : undefined;
      chain = undefined;
      continue;
    }
    const c = /^\tchain (\S+) \{/.exec(line);
    if (c) {
      chain = c[1];
      n = 0;
      continue;
    }
    if (/^\t\}/.test(line)) {
      chain = undefined; // also ends a set or map, whose elements are not rules
      continue;
    }
    const h = /^\t\t.*# handle (\d+)$/.exec(line);
    if (h && table !== undefined && chain !== undefined) {
      out.set(positionKey(table, chain, Number(h[1])), ++n);
    }
  }
  return out;
}
