// Packets as structured values: each header a typed record, so a walk can show every
// header as it changes hop by hop.
import type { Ip4 } from "./ip4.js";
import type { Mac } from "./mac.js";

export interface ArpPacket {
  proto: "arp";
  op: "request" | "reply";
  senderMac: Mac;
  senderIp: Ip4;
  targetMac: Mac;
  targetIp: Ip4;
}

export interface IcmpEcho {
  proto: "icmp";
  type: 0 | 8; // echo reply / echo request
  code: 0;
  id: number;
  seq: number;
  /** Payload bytes after the ICMP header (56 by default). */
  dataLen: number;
}

export interface IcmpError {
  proto: "icmp";
  type: 3 | 11; // destination unreachable / time exceeded
  code: number;
  /** The offending datagram's IP header and first bytes (RFC 792). */
  original: Ipv4Packet;
  /** Next-hop MTU of a "fragmentation needed" (type 3 code 4, RFC 1191). */
  mtu?: number;
}

export type Icmp = IcmpEcho | IcmpError;

export interface Udp {
  proto: "udp";
  sport: number;
  dport: number;
  payload: VxlanPayload | { kind: "data"; len: number; dns?: DnsMessage };
}

/**
 * A DNS message a datagram carries (a stub resolver's query, Docker's embedded server's
 * answer): only what the simulated ends read; its wire length is the payload's len.
 */
export interface DnsMessage {
  id: number;
  response: boolean;
  /** The question's name, without the final dot ("cb", "3.0.18.172.in-addr.arpa"). */
  qname: string;
  qtype: "A" | "AAAA" | "PTR";
  /** 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN. */
  rcode: number;
  answers: DnsAnswer[];
}

export type DnsAnswer = { type: "A"; addr: Ip4 } | { type: "PTR"; name: string };

export interface VxlanPayload {
  kind: "vxlan";
  vni: number;
  frame: Frame;
}

export interface Tcp {
  proto: "tcp";
  sport: number;
  dport: number;
  flags: { syn?: boolean; ack?: boolean; rst?: boolean; fin?: boolean; psh?: boolean };
  seq: number;
  ack: number;
  len: number;
  /** Bytes of TCP options; by default what Linux sends (tcpOptionsLength). */
  optLen?: number;
}

export type L4 = Icmp | Udp | Tcp;

export interface Ipv4Packet {
  proto: "ipv4";
  src: Ip4;
  dst: Ip4;
  ttl: number;
  id: number;
  l4: L4;
  /** IP_DF: routers must not fragment it (set by a socket's PMTU discovery when it fits). */
  df?: boolean;
  /** Fragmented for this MTU on its way (frag.ts): each fragment is a frame of its own. */
  fragMtu?: number;
  /** Its fragmentation is in the walk already (a socket's fragments say so once, where they leave). */
  fragShown?: boolean;
}

/** An Ethernet frame on a wire. IPv6 frames are only the link chatter that bridges learn from. */
export interface Frame {
  src: Mac;
  dst: Mac;
  payload: ArpPacket | Ipv4Packet | Ipv6Chatter;
}

/**
 * The IPv6 link chatter addrconf sends when a device gets its link-local address
 * (ipv4/addrconf-chatter.ts): MLDv2 reports to ff02::16, the DAD neighbour solicitation
 * of the tentative address to its solicited-node group, router solicitations to ff02::2.
 */
export interface Ipv6Chatter {
  proto: "ipv6";
  what: "dad-ns" | "mld-report" | "router-solicit";
  /** "::" while the link-local address is tentative, then the link-local address. */
  src: string;
  dst: string;
  /** dad-ns: the address probed. */
  target?: string;
  /** mld-report: its group records (one per group joined). */
  records?: number;
}

/**
 * IPv6 payload length of a chatter packet: an MLDv2 report (8 bytes of hop-by-hop
 * options with Router Alert, 8 of header, 20 a record), a DAD solicitation with its nonce
 * option (24 + 8), a router solicitation with the source link-layer option (8 + 8).
 */
export function chatterIcmpLength(p: Ipv6Chatter): number {
  if (p.what === "mld-report") return 8 + 20 * (p.records ?? 1);
  return p.what === "dad-ns" ? 32 : 16;
}

/** The whole IPv6 datagram: 40 bytes of header, the hop-by-hop header of a report. */
export function ipv6Length(p: Ipv6Chatter): number {
  return 40 + (p.what === "mld-report" ? 8 : 0) + chatterIcmpLength(p);
}

export function ipLength(p: Ipv4Packet): number {
  return 20 + l4Length(p.l4);
}

function l4Length(l4: L4): number {
  switch (l4.proto) {
    case "icmp":
      // icmp_send quotes as much of the datagram as fits in 576 bytes.
      return "original" in l4 ? 8 + Math.min(ipLength(l4.original), 576 - 20 - 8) : 8 + l4.dataLen;
    case "udp":
      return (
        8 + (l4.payload.kind === "vxlan" ? 8 + 14 + frameIpLen(l4.payload.frame) : l4.payload.len)
      );
    case "tcp":
      return 20 + tcpOptionsLength(l4) + l4.len;
  }
}

function frameIpLen(f: Frame): number {
  const p = f.payload;
  return p.proto === "ipv4" ? ipLength(p) : p.proto === "ipv6" ? ipv6Length(p) : 28;
}

/**
 * Linux's default TCP options (tcp_syn_options, tcp_synack_options,
 * tcp_established_options): MSS, SACK-permitted, timestamps and window scale on a SYN or
 * SYN-ACK (20 bytes), timestamps on the rest (12); a RST (tcp_v4_send_reset) has none.
 * A bare SYN is 60 bytes of IP, as iptables' counters show.
 */
export function tcpOptionsLength(t: Tcp): number {
  if (t.optLen !== undefined) return t.optLen;
  if (t.flags.rst) return 0;
  return t.flags.syn ? 20 : 12;
}
