// NAT on top of conntrack (net/netfilter/nf_nat_core.c, nf_nat_proto.c,
// nf_nat_masquerade.c). The nat table is consulted once per connection and manip type,
// by the connection's first packet: a NAT target makes a binding (nf_nat_setup_info),
// otherwise a null binding is made. The binding is the entry's reply tuple; every later
// packet, both ways, is rewritten from the tuples alone (nf_nat_packet).
//
//   PREROUTING, OUTPUT   destination manip (DNAT, REDIRECT)  priority -100
//   POSTROUTING, INPUT   source manip (SNAT, MASQUERADE)      priority  100
import type { Ip4 } from "../core/ip4.js";
import type { Ipv4Packet } from "../core/packet.js";
import type { ConntrackTable, CtEntry, CtTuple } from "./conntrack.js";
import { invertTuple, tupleEqual } from "./conntrack.js";
import type { PortRange } from "./types.js";

export type Manip = "src" | "dst";

/** struct nf_nat_range2, as the targets fill it in. */
export interface NatBindRange {
  /** NF_NAT_RANGE_MAP_IPS: the addresses to map to; none keeps the address. */
  minIp?: Ip4;
  maxIp?: Ip4;
  /** NF_NAT_RANGE_PROTO_SPECIFIED. */
  ports?: PortRange;
  /** NF_NAT_RANGE_PROTO_RANDOM_ALL (--random-fully). */
  randomFully?: boolean;
}

export function natDone(ct: CtEntry, manip: Manip): boolean {
  return manip === "src" ? ct.srcNatDone : ct.dstNatDone;
}

/** nf_nat_setup_info: choose the translated tuple and make it the reply tuple's inverse. */
export function natSetup(
  table: ConntrackTable,
  ct: CtEntry,
  range: NatBindRange,
  manip: Manip,
  random: () => number,
): void {
  const curr = invertTuple(ct.tuple[1]);
  const t = uniqueTuple(table, curr, range, manip, ct, random);
  ct.tuple[1] = invertTuple(t);
  const changed = !tupleEqual(t, curr);
  if (manip === "src") {
    ct.srcNat ||= changed;
    ct.srcNatDone = true;
  } else {
    ct.dstNat ||= changed;
    ct.dstNatDone = true;
  }
}

/** nf_nat_alloc_null_binding: the nat table said nothing; keep the addresses. */
export function natNullBinding(
  table: ConntrackTable,
  ct: CtEntry,
  manip: Manip,
  random: () => number,
): void {
  const reply = ct.tuple[1];
  const ip = manip === "src" ? reply.dst : reply.src;
  natSetup(table, ct, { minIp: ip, maxIp: ip }, manip, random);
}

/** nf_nat_used_tuple: the answer to this tuple would belong to another connection. */
function used(table: ConntrackTable, t: CtTuple, ct: CtEntry): boolean {
  return table.taken(invertTuple(t), ct);
}

function portOf(t: CtTuple, manip: Manip): number {
  // ICMP's id is the same field for either manip (src.u.icmp.id).
  return t.proto === 1 || manip === "src" ? t.sport : t.dport;
}

function withPort(t: CtTuple, manip: Manip, port: number): CtTuple {
  return t.proto === 1 || manip === "src" ? { ...t, sport: port } : { ...t, dport: port };
}

function portInRange(t: CtTuple, manip: Manip, r: PortRange): boolean {
  const p = portOf(t, manip);
  return p >= r.from && p <= r.to;
}

/** get_unique_tuple. */
function uniqueTuple(
  table: ConntrackTable,
  orig: CtTuple,
  range: NatBindRange,
  manip: Manip,
  ct: CtEntry,
  random: () => number,
): CtTuple {
  const mapIps = range.minIp !== undefined;
  // Source NAT first tries to keep the tuple as it is, if it is in range and free.
  if (manip === "src" && !range.randomFully) {
    const ipOk = !mapIps || (orig.src >= range.minIp! && orig.src <= (range.maxIp ?? range.minIp!));
    const portOk = !range.ports || portInRange(orig, "src", range.ports);
    if (ipOk && portOk && !used(table, orig, ct)) return orig;
  }
  let t = { ...orig };
  if (mapIps) {
    // find_best_ips_proto: one address, or one chosen by a hash of the other end.
    const min = range.minIp!;
    const max = range.maxIp ?? min;
    const other = manip === "src" ? t.dst : t.src;
    const ip = (min + (max > min ? (other * 2654435761) % (max - min + 1) : 0)) >>> 0;
    t = manip === "src" ? { ...t, src: ip } : { ...t, dst: ip };
  }
  if (!range.randomFully) {
    if (range.ports) {
      if (
        portInRange(t, manip, range.ports) &&
        (range.ports.from === range.ports.to || !used(table, t, ct))
      )
        return t;
    } else if (!used(table, t, ct)) return t;
  }
  return l4UniqueTuple(table, t, range, manip, ct, random);
}

/** nf_nat_l4proto_unique_tuple: another port (or ICMP id) that is free. */
function l4UniqueTuple(
  table: ConntrackTable,
  t: CtTuple,
  range: NatBindRange,
  manip: Manip,
  ct: CtEntry,
  random: () => number,
): CtTuple {
  let min: number;
  let size: number;
  if (t.proto === 1) {
    min = range.ports ? range.ports.from : 0;
    size = range.ports ? range.ports.to - range.ports.from + 1 : 65536;
  } else if (range.ports) {
    min = range.ports.from;
    size = range.ports.to - range.ports.from + 1;
  } else {
    // A destination's port never changes unless a range says so.
    if (manip === "dst") return t;
    const p = portOf(t, manip);
    if (p < 512) [min, size] = [1, 511];
    else if (p < 1024) [min, size] = [600, 424];
    else [min, size] = [1024, 64512];
  }
  let off = range.randomFully || manip !== "dst" ? random() : 0;
  let attempts = Math.min(size, 128);
  for (;;) {
    for (let i = 0; i < attempts; i++, off++) {
      const c = withPort(t, manip, min + (off % size));
      if (!used(table, c, ct)) return c;
    }
    if (attempts >= size || attempts < 16) return withPort(t, manip, min + (off % size));
    attempts = Math.floor(attempts / 2);
    off = random();
  }
}

/** nf_nat_ipv4_manip_pkt: rewrite one side of the header (and the port or ICMP id). */
export function manipPacket(pkt: Ipv4Packet, target: CtTuple, manip: Manip): Ipv4Packet {
  const l4 = pkt.l4;
  let nl4 = l4;
  if (l4.proto === "icmp") {
    if (l4.type === 0 || l4.type === 8) nl4 = { ...l4, id: target.sport };
  } else if (manip === "src") nl4 = { ...l4, sport: target.sport };
  else nl4 = { ...l4, dport: target.dport };
  return manip === "src"
    ? { ...pkt, src: target.src, l4: nl4 }
    : { ...pkt, dst: target.dst, l4: nl4 };
}

/** The status bit that says this manip applies to a packet going in direction dir. */
function applies(ct: CtEntry, dir: 0 | 1, manip: Manip): boolean {
  const m = dir === 0 ? manip : manip === "src" ? "dst" : "src";
  return m === "src" ? ct.srcNat : ct.dstNat;
}

/** nf_nat_packet: rewrite a packet of the connection by its binding. */
export function natPacket(ct: CtEntry, dir: 0 | 1, manip: Manip, pkt: Ipv4Packet): Ipv4Packet {
  if (!applies(ct, dir, manip)) return pkt;
  return manipPacket(pkt, invertTuple(ct.tuple[1 - dir]!), manip);
}

/**
 * nf_nat_icmp_reply_translation: an ICMP error RELATED to a NATed connection. The datagram
 * inside is put back as the connection's other side saw it, and the outer header made
 * to look like a reply to it.
 */
export function natIcmpReply(ct: CtEntry, dir: 0 | 1, manip: Manip, pkt: Ipv4Packet): Ipv4Packet {
  const l4 = pkt.l4;
  if (l4.proto !== "icmp" || !("original" in l4)) return natPacket(ct, dir, manip, pkt);
  if (!applies(ct, dir, manip)) return pkt;
  const other = ct.tuple[1 - dir]!;
  const inner = manipPacket(l4.original, other, manip === "src" ? "dst" : "src");
  return manipPacket({ ...pkt, l4: { ...l4, original: inner } }, invertTuple(other), manip);
}
