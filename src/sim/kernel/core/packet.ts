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
}

export type Icmp = IcmpEcho | IcmpError;

export interface Udp {
  proto: "udp";
  sport: number;
  dport: number;
  payload: VxlanPayload | { kind: "data"; len: number };
}

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
}

export type L4 = Icmp | Udp | Tcp;

export interface Ipv4Packet {
  proto: "ipv4";
  src: Ip4;
  dst: Ip4;
  ttl: number;
  id: number;
  l4: L4;
}

/** An Ethernet frame on a wire. IPv6 frames are only the link chatter that bridges learn from. */
export interface Frame {
  src: Mac;
  dst: Mac;
  payload: ArpPacket | Ipv4Packet | Ipv6Chatter;
}

export interface Ipv6Chatter {
  proto: "ipv6";
  what: "dad-ns" | "mld-report" | "router-solicit";
}

export function ipLength(p: Ipv4Packet): number {
  return 20 + l4Length(p.l4);
}

function l4Length(l4: L4): number {
  switch (l4.proto) {
    case "icmp":
      return l4.type === 0 || l4.type === 8 ? 8 + l4.dataLen : 8 + 20 + 8;
    case "udp":
      return (
        8 + (l4.payload.kind === "vxlan" ? 8 + 14 + frameIpLen(l4.payload.frame) : l4.payload.len)
      );
    case "tcp":
      return 20 + l4.len;
  }
}

function frameIpLen(f: Frame): number {
  return f.payload.proto === "ipv4" ? ipLength(f.payload) : 28;
}
