// Connection tracking (net/netfilter/nf_conntrack_core.c, nf_conntrack_proto_{icmp,udp,tcp}.c):
// one table per namespace of connections, each known by its original and reply tuples.
//
//   PREROUTING / OUTPUT: nf_conntrack_in      look the packet's tuple up; unknown and
//                                              valid as a first packet -> a new, still
//                                              unconfirmed entry rides on the packet
//   POSTROUTING / INPUT: nf_conntrack_confirm  the entry goes into the table (a packet
//                                              dropped on the way leaves nothing behind)
//
// Tracking runs in a namespace only while some rule needs it (nf_ct_netns_get from
// -m conntrack/state and the NAT targets): eval.ts decides. Timeouts run on the
// scheduler's clock. A confirmed TCP entry's state and timeout live in its XState machine
// (engine/machines/ct-tcp.ts) alone: the table reads them from the actor's snapshot, and
// the entry dies when the machine says it expired.
import { createActor, type Actor } from "xstate";
import {
  ctTcpExpires,
  ctTcpMachine,
  ctTcpState,
  tcpCtNext,
  type TcpCtState,
  type TcpFlagClass,
} from "../../engine/machines/ct-tcp.js";
import { formatIp4, type Ip4 } from "../core/ip4.js";
import type { NetDevice } from "../core/device.js";
import type { NetNs } from "../core/netns.js";
import type { Ipv4Packet, Tcp } from "../core/packet.js";
import type { Skb } from "./skb.js";

declare module "../core/netns.js" {
  interface NetNs {
    /** The conntrack table (nf_conntrack_net), created on first use (conntrackOf). */
    conntrack?: ConntrackTable;
  }
}

export const IPPROTO = { icmp: 1, tcp: 6, udp: 17 } as const;
export type CtProto = 1 | 6 | 17;

/**
 * struct nf_conntrack_tuple for the protocols modelled. ICMP keeps its id in `sport`
 * (src.u.icmp.id) and type << 8 | code in `dport` (dst.u.icmp.type, .code).
 */
export interface CtTuple {
  proto: CtProto;
  src: Ip4;
  dst: Ip4;
  sport: number;
  dport: number;
}

export const ICMP_TIMEOUT_MS = 30_000;
export const UDP_TIMEOUT_MS = 30_000;
export const UDP_STREAM_TIMEOUT_MS = 120_000;

/** ICMP types that can start a connection, and their answers (icmp_new, invmap). */
const ICMP_INVERSE: Record<number, number> = {
  8: 0,
  0: 8,
  13: 14,
  14: 13,
  15: 16,
  16: 15,
  17: 18,
  18: 17,
};
const ICMP_NEW = new Set([8, 13, 15, 17]);
/** ICMP errors that carry the datagram they are about (icmp_is_err). */
export const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

export function tupleKey(t: CtTuple): string {
  return `${t.proto}/${t.src}/${t.dst}/${t.sport}/${t.dport}`;
}

export function tupleEqual(a: CtTuple, b: CtTuple): boolean {
  return tupleKey(a) === tupleKey(b);
}

/** nf_ct_invert_tuple. */
export function invertTuple(t: CtTuple): CtTuple {
  if (t.proto === 1) {
    const type = t.dport >> 8;
    const inv = ICMP_INVERSE[type] ?? type;
    return {
      proto: 1,
      src: t.dst,
      dst: t.src,
      sport: t.sport,
      dport: (inv << 8) | (t.dport & 255),
    };
  }
  return { proto: t.proto, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

/** nf_ct_get_tuple: the tuple of a packet, or undefined for a protocol not tracked here. */
export function packetTuple(pkt: Ipv4Packet): CtTuple | undefined {
  const l4 = pkt.l4;
  if (l4.proto === "icmp") {
    const id = l4.type === 0 || l4.type === 8 ? l4.id : 0;
    return { proto: 1, src: pkt.src, dst: pkt.dst, sport: id, dport: (l4.type << 8) | l4.code };
  }
  return { proto: IPPROTO[l4.proto], src: pkt.src, dst: pkt.dst, sport: l4.sport, dport: l4.dport };
}

/** get_conntrack_index. */
export function tcpFlagClass(tcp: Tcp): TcpFlagClass {
  const f = tcp.flags;
  if (f.rst) return "rst";
  if (f.syn) return f.ack ? "synack" : "syn";
  if (f.fin) return "fin";
  if (f.ack) return "ack";
  return "none";
}

export class CtEntry {
  /** tuplehash[IP_CT_DIR_ORIGINAL], tuplehash[IP_CT_DIR_REPLY]. */
  tuple: [CtTuple, CtTuple];
  seenReply = false;
  assured = false;
  confirmed = false;
  /** IPS_SRC_NAT / IPS_DST_NAT: the binding changed the tuple. */
  srcNat = false;
  dstNat = false;
  /** IPS_SRC_NAT_DONE / IPS_DST_NAT_DONE: the nat table has been consulted. */
  srcNatDone = false;
  dstNatDone = false;
  mark = 0;
  /** ICMP and UDP: absolute expiry on the scheduler's clock; `timeoutMs` until confirmed. */
  expires = 0;
  timeoutMs = 0;
  timer: number | undefined;
  /** TCP: the state tcp_new chose; the machine starts there when the entry is confirmed. */
  tcpNew: TcpCtState | undefined;
  /** TCP, once confirmed: the machine that owns the entry's state and timeout. */
  tcp: Actor<typeof ctTcpMachine> | undefined;
  /** UDP: when a replied flow becomes a stream (ct->proto.udp.stream_ts). */
  streamTs = 0;
  /** nat->masq_index: the device MASQUERADE chose the address from. */
  masqIndex: number | undefined;
  readonly seq: number;

  constructor(orig: CtTuple, seq: number) {
    this.tuple = [orig, invertTuple(orig)];
    this.seq = seq;
  }

  get proto(): CtProto {
    return this.tuple[0].proto;
  }

  /** The TCP state: the machine's, or tcp_new's choice before confirmation. */
  get tcpState(): TcpCtState | undefined {
    return this.tcp ? ctTcpState(this.tcp.getSnapshot()) : this.tcpNew;
  }
}

/** One namespace's conntrack table. */
export class ConntrackTable {
  /** Confirmed entries, newest first. */
  private entries: CtEntry[] = [];
  private hash = new Map<string, { ct: CtEntry; dir: 0 | 1 }>();
  private seq = 0;

  constructor(readonly ns: NetNs) {}

  list(): CtEntry[] {
    return [...this.entries];
  }

  get size(): number {
    return this.entries.length;
  }

  find(t: CtTuple): { ct: CtEntry; dir: 0 | 1 } | undefined {
    return this.hash.get(tupleKey(t));
  }

  /** nf_conntrack_tuple_taken: another connection already uses this tuple. */
  taken(t: CtTuple, ignored: CtEntry): boolean {
    const h = this.hash.get(tupleKey(t));
    return h !== undefined && h.ct !== ignored;
  }

  /** A new, unconfirmed entry (init_conntrack). */
  create(orig: CtTuple): CtEntry {
    return new CtEntry(orig, this.seq++);
  }

  /** __nf_conntrack_confirm: into the table, timers running. False on a clash. */
  confirm(ct: CtEntry): boolean {
    if (ct.confirmed) return true;
    if (this.hash.has(tupleKey(ct.tuple[0])) || this.hash.has(tupleKey(ct.tuple[1]))) return false;
    ct.confirmed = true;
    this.hash.set(tupleKey(ct.tuple[0]), { ct, dir: 0 });
    this.hash.set(tupleKey(ct.tuple[1]), { ct, dir: 1 });
    this.entries.unshift(ct);
    if (ct.tcpNew) this.startTcp(ct, ct.tcpNew);
    else this.arm(ct, ct.timeoutMs);
    return true;
  }

  /** A TCP entry's machine: from here on it times the entry out. */
  private startTcp(ct: CtEntry, initial: TcpCtState): void {
    const tcp = createActor(ctTcpMachine, {
      clock: this.ns.world.scheduler,
      inspect: this.ns.world.trace.inspector({
        ns: this.ns.scriptName,
        kind: "conntrack",
        key: describeTuple(ct.tuple[0]),
      }),
      input: { initial, at: this.ns.world.scheduler.now },
    });
    ct.tcp = tcp;
    tcp.on("expired", () => this.remove(ct));
    tcp.start();
  }

  /** nf_ct_refresh_acct (ICMP, UDP): the entry lives timeoutMs from now (from confirmation if new). */
  refresh(ct: CtEntry, timeoutMs: number): void {
    ct.timeoutMs = timeoutMs;
    if (ct.confirmed) this.arm(ct, timeoutMs);
  }

  private arm(ct: CtEntry, ms: number): void {
    const sched = this.ns.world.scheduler;
    ct.expires = sched.now + ms;
    if (ct.timer !== undefined) sched.cancel(ct.timer);
    ct.timer = sched.at(ms, `conntrack timeout [${this.ns.displayName}]`, () => {
      ct.timer = undefined;
      this.remove(ct);
    });
  }

  /** nf_ct_delete. */
  remove(ct: CtEntry): void {
    const i = this.entries.indexOf(ct);
    if (i < 0) return;
    this.entries.splice(i, 1);
    this.hash.delete(tupleKey(ct.tuple[0]));
    this.hash.delete(tupleKey(ct.tuple[1]));
    if (ct.timer !== undefined) this.ns.world.scheduler.cancel(ct.timer);
    ct.timer = undefined;
    ct.tcp?.stop();
  }

  /** conntrack -F (nf_ct_iterate_cleanup over every entry). */
  flush(): number {
    const n = this.entries.length;
    for (const ct of [...this.entries]) this.remove(ct);
    return n;
  }

  /** Remaining lifetime in seconds as CTA_TIMEOUT reports it (jiffies / HZ, rounded down). */
  timeoutSeconds(ct: CtEntry): number {
    const expires = ct.tcp ? ctTcpExpires(ct.tcp.getSnapshot()) : ct.expires;
    const left = expires - this.ns.world.scheduler.now;
    return Math.max(0, Math.floor((left - 1) / 1000));
  }

  /** nf_conntrack_in: classify a packet, creating an unconfirmed entry for a new flow. */
  packetIn(pkt: Ipv4Packet, skb: Skb): void {
    // Already tracked: a packet looped back through lo keeps what it had on the way out.
    if (skb.ct || skb.ctinfo) return;
    const l4 = pkt.l4;
    if (l4.proto === "icmp" && ICMP_ERRORS.has(l4.type) && "original" in l4) {
      // icmp_error_message: an error about a tracked datagram is RELATED to its connection.
      const inner = packetTuple(l4.original);
      const h = inner && this.find(invertTuple(inner));
      if (h) {
        skb.ct = h.ct;
        skb.ctinfo = "related";
        skb.dir = h.dir;
      }
      return;
    }
    const t = packetTuple(pkt);
    if (!t) return;
    let h = this.find(t);
    if (h && h.ct.tcp && l4.proto === "tcp" && h.dir === 0) {
      // tcp_packet: a SYN reopening a closed connection kills the old entry (-NF_REPEAT).
      const st = h.ct.tcpState!;
      if ((st === "TIME_WAIT" || st === "CLOSE") && tcpFlagClass(l4) === "syn") {
        this.remove(h.ct);
        h = undefined;
      }
    }
    if (!h) {
      const ct = this.newConn(pkt, t);
      if (!ct) return;
      skb.ct = ct;
      skb.ctinfo = "new";
      skb.dir = 0;
      return;
    }
    const { ct, dir } = h;
    if (!this.update(ct, dir, pkt)) return; // invalid: the packet goes on untracked
    skb.ct = ct;
    skb.dir = dir;
    skb.ctinfo = dir === 1 || ct.seenReply ? "established" : "new";
    if (dir === 1) ct.seenReply = true;
  }

  /** init_conntrack with the protocol's `new` check. */
  private newConn(pkt: Ipv4Packet, t: CtTuple): CtEntry | undefined {
    const l4 = pkt.l4;
    if (l4.proto === "icmp") {
      if (!ICMP_NEW.has(l4.type)) return undefined;
      const ct = this.create(t);
      ct.timeoutMs = ICMP_TIMEOUT_MS;
      return ct;
    }
    if (l4.proto === "udp") {
      const ct = this.create(t);
      ct.timeoutMs = UDP_TIMEOUT_MS;
      ct.streamTs = this.ns.world.scheduler.now + 2000;
      return ct;
    }
    // tcp_new: the first segment must make a valid state from NONE (a SYN, or a bare ACK
    // picked up mid-stream with nf_conntrack_tcp_loose=1).
    const next = tcpCtNext("NONE", 0, tcpFlagClass(l4));
    if (next === "INVALID" || next === "IGNORE") return undefined;
    const ct = this.create(t);
    ct.tcpNew = next;
    return ct;
  }

  /** The protocol's packet handler: false when the packet is invalid for the connection. */
  private update(ct: CtEntry, dir: 0 | 1, pkt: Ipv4Packet): boolean {
    const l4 = pkt.l4;
    const now = this.ns.world.scheduler.now;
    if (l4.proto === "icmp") {
      this.refresh(ct, ICMP_TIMEOUT_MS);
      return true;
    }
    if (l4.proto === "udp") {
      // nf_conntrack_udp_packet: both ways and still alive after 2 s: a stream, assured.
      if (ct.seenReply && now > ct.streamTs) {
        this.refresh(ct, UDP_STREAM_TIMEOUT_MS);
        ct.assured = true;
      } else this.refresh(ct, UDP_TIMEOUT_MS);
      return true;
    }
    const tcp = ct.tcp!; // a tracked TCP packet only finds confirmed entries
    const flag = tcpFlagClass(l4);
    const old = ctTcpState(tcp.getSnapshot())!;
    // The machine's own table says whether the packet is valid, to be ignored, or a move.
    const next = tcpCtNext(old, dir, flag);
    if (next === "INVALID") return false;
    if (next === "IGNORE") return true;
    // "If only reply is a RST, we can consider ourselves not to have an established
    // connection": the entry is deleted at once (nf_conntrack_tcp_packet, nf_ct_kill).
    if (flag === "rst" && !ct.seenReply) {
      this.remove(ct);
      return true;
    }
    tcp.send({ type: "PKT", dir, flag, at: now });
    // Seen the handshake through (or a picked-up flow answered): assured.
    if (!ct.assured && (old === "SYN_RECV" || old === "ESTABLISHED") && next === "ESTABLISHED")
      ct.assured = true;
    return true;
  }
}

/** The namespace's conntrack table (nf_conntrack_net, NetNs.conntrack), made on first use. */
export function conntrackOf(ns: NetNs): ConntrackTable {
  return (ns.conntrack ??= new ConntrackTable(ns));
}

/** The table if the namespace ever tracked anything. */
export function peekConntrack(ns: NetNs): ConntrackTable | undefined {
  return ns.conntrack;
}

/**
 * nf_nat_masquerade's notifiers: a MASQUERADE binding dies with its device going down
 * (masq_device_event) or with the address it took (masq_inet_event).
 */
export function masqueradeCleanup(dev: NetDevice, removedAddr?: Ip4): void {
  const t = dev.ns.conntrack;
  if (!t) return;
  for (const ct of t.list()) {
    if (ct.masqIndex !== dev.ifindex) continue;
    if (removedAddr !== undefined && ct.tuple[1].dst !== removedAddr) continue;
    t.remove(ct);
  }
}

export function describeTuple(t: CtTuple): string {
  const ports =
    t.proto === 1
      ? `type=${t.dport >> 8} code=${t.dport & 255} id=${t.sport}`
      : `sport=${t.sport} dport=${t.dport}`;
  return `src=${formatIp4(t.src)} dst=${formatIp4(t.dst)} ${ports}`;
}
