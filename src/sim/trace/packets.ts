// Packet headers in one line, tcpdump style, as a walk shows them at each hop: the
// simulator describes its own packets for its trace's account (TracedPacket).
import type { PacketFields, TracedPacket } from "../../backend/trace-types.js";
import { formatIp4 } from "../kernel/core/ip4.js";
import {
  ipLength,
  type ArpPacket,
  type DnsMessage,
  type Ipv4Packet,
} from "../kernel/core/packet.js";

export type WalkedPacket = ArpPacket | Ipv4Packet;

export function isWalked(p: object): p is WalkedPacket {
  const proto = (p as { proto?: unknown }).proto;
  return proto === "arp" || proto === "ipv4";
}

const ICMP_UNREACH: Record<number, string> = {
  0: "net unreachable",
  1: "host unreachable",
  3: "port unreachable",
  9: "net prohibited",
  10: "host prohibited",
  13: "administratively prohibited",
};

function tcpFlags(f: {
  syn?: boolean;
  ack?: boolean;
  rst?: boolean;
  fin?: boolean;
  psh?: boolean;
}): string {
  let s = "";
  if (f.syn) s += "S";
  if (f.fin) s += "F";
  if (f.rst) s += "R";
  if (f.psh) s += "P";
  if (f.ack) s += ".";
  return s || "none";
}

/** What the packet is, without its TTL: the walk's title for it. */
export function summary(p: WalkedPacket): string {
  if (p.proto === "arp") {
    return p.op === "request"
      ? `ARP request: who has ${formatIp4(p.targetIp)}? tell ${formatIp4(p.senderIp)}`
      : `ARP reply: ${formatIp4(p.senderIp)} is at ${p.senderMac}`;
  }
  const src = formatIp4(p.src);
  const dst = formatIp4(p.dst);
  const l4 = p.l4;
  switch (l4.proto) {
    case "icmp":
      if ("seq" in l4)
        return `ICMP echo ${l4.type === 8 ? "request" : "reply"} ${src} > ${dst} id ${l4.id} seq ${l4.seq}`;
      return l4.type === 3
        ? `ICMP ${ICMP_UNREACH[l4.code] ?? `unreachable code ${l4.code}`} ${src} > ${dst} (about ${describeInner(l4.original)})`
        : `ICMP time exceeded ${src} > ${dst} (about ${describeInner(l4.original)})`;
    case "tcp":
      return `TCP ${src}:${l4.sport} > ${dst}:${l4.dport} [${tcpFlags(l4.flags)}]`;
    case "udp":
      if (l4.payload.kind === "vxlan")
        return `VXLAN ${src}:${l4.sport} > ${dst}:${l4.dport} vni ${l4.payload.vni}`;
      return l4.payload.dns
        ? `UDP ${src}:${l4.sport} > ${dst}:${l4.dport} ${dnsWords(l4.payload.dns)}`
        : `UDP ${src}:${l4.sport} > ${dst}:${l4.dport}`;
  }
}

function describeInner(p: Ipv4Packet): string {
  const l4 = p.l4;
  const what =
    l4.proto === "icmp"
      ? "ICMP"
      : `${l4.proto.toUpperCase()} ${formatIp4(p.src)}:${l4.sport} > ${formatIp4(p.dst)}:${l4.dport}`;
  return l4.proto === "icmp" ? `${what} ${formatIp4(p.src)} > ${formatIp4(p.dst)}` : what;
}

/** The headers at one hop: addresses, ports, TTL and length. */
export function header(p: WalkedPacket): string {
  if (p.proto === "arp") return summary(p);
  const l4 = p.l4;
  const ports = l4.proto === "tcp" || l4.proto === "udp";
  const src = formatIp4(p.src) + (ports ? `:${l4.sport}` : "");
  const dst = formatIp4(p.dst) + (ports ? `:${l4.dport}` : "");
  const proto =
    l4.proto === "tcp" ? `TCP [${tcpFlags(l4.flags)}]` : l4.proto === "udp" ? "UDP" : "ICMP";
  return `${src} > ${dst} ${proto} ttl ${p.ttl} len ${ipLength(p)}`;
}

export function protocolOf(p: WalkedPacket): "arp" | "icmp" | "tcp" | "udp" {
  return p.proto === "arp" ? "arp" : p.l4.proto;
}

/** The packet as the trace's account carries it: plain text, its headers as they are now. */
export function tracedPacket(p: WalkedPacket): TracedPacket {
  return { protocol: protocolOf(p), summary: summary(p), header: header(p), fields: fields(p) };
}

function fields(p: WalkedPacket): PacketFields {
  if (p.proto === "arp") {
    return {
      src: formatIp4(p.senderIp),
      dst: formatIp4(p.targetIp),
      arp: p.op === "request" ? { op: "request" } : { op: "reply", mac: p.senderMac },
    };
  }
  const base = { src: formatIp4(p.src), dst: formatIp4(p.dst) };
  const l4 = p.l4;
  if (l4.proto === "icmp") {
    const icmp = "seq" in l4 ? (l4.type === 8 ? "echo-request" : "echo-reply") : "error";
    return { ...base, icmp };
  }
  const ports = { sport: l4.sport, dport: l4.dport };
  if (l4.proto === "tcp") return { ...base, ...ports, tcpFlags: tcpFlags(l4.flags) };
  const dns = l4.payload.kind === "data" ? l4.payload.dns : undefined;
  return dns ? { ...base, ...ports, dns: dnsFields(dns) } : { ...base, ...ports };
}

function dnsFields(m: DnsMessage): NonNullable<PacketFields["dns"]> {
  const q = { response: m.response, qtype: m.qtype, qname: m.qname };
  if (!m.response) return q;
  const answers = m.answers.map((a) => (a.type === "A" ? formatIp4(a.addr) : a.name));
  return { ...q, answers, rcode: m.rcode };
}

/** "DNS query A? cb", "DNS answer A cb: 172.18.0.3", "DNS answer AAAA cb: none". */
function dnsWords(m: DnsMessage): string {
  if (!m.response) return `DNS query ${m.qtype}? ${m.qname}`;
  const f = dnsFields(m);
  const what = f.answers!.length > 0 ? f.answers!.join(" ") : m.rcode === 3 ? "NXDOMAIN" : "none";
  return `DNS answer ${m.qtype} ${m.qname}: ${what}`;
}
