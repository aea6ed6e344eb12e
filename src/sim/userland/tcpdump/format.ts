// tcpdump 4.99's one-line decodes (print-arp.c, print-ip.c, print-icmp.c, print-tcp.c,
// print-udp.c, print-ether.c, print-sll.c) of the frames the simulator carries.
import {
  formatIp4,
  frameBytes,
  ipLength,
  type ArpPacket,
  type Frame,
  type Ipv4Packet,
} from "../../kernel/netlink/index.js";
import { dnsPortText } from "./format-dns.js";
import { IPV6_ETHERTYPE, ipv6Line, ipv6Text } from "./format-ipv6.js";

/** "HH:MM:SS.uuuuuu", from virtual ms (the kernel's are the wall clock's: normalised). */
export function timestamp(ms: number): string {
  const us = Math.floor(ms * 1000);
  const s = Math.floor(us / 1e6);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(Math.floor(s / 3600) % 24)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}.${String(us % 1e6).padStart(6, "0")}`;
}

function arpText(p: ArpPacket): string {
  return p.op === "request"
    ? `Request who-has ${formatIp4(p.targetIp)} tell ${formatIp4(p.senderIp)}, length 28`
    : `Reply ${formatIp4(p.senderIp)} is-at ${p.senderMac}, length 28`;
}

/**
 * tcp_seq_hash: per connection, the sequence numbers a SYN (or the first ACK seen)
 * started from, so that later segments print relative to them.
 */
export type TcpSeqs = Map<string, { seq: number; ack: number; from: string }>;

const UNREACH: Record<number, (dst: string) => string> = {
  0: (d) => `net ${d} unreachable`,
  1: (d) => `host ${d} unreachable`,
  9: (d) => `net ${d} unreachable - admin prohibited`,
  10: (d) => `host ${d} unreachable - admin prohibited`,
  13: (d) => `host ${d} unreachable - admin prohibited filter`,
};

function icmpText(p: Ipv4Packet): string {
  const l4 = p.l4;
  if (l4.proto !== "icmp") return "";
  const len = ipLength(p) - 20;
  if ("seq" in l4) {
    return `ICMP echo ${l4.type === 8 ? "request" : "reply"}, id ${l4.id}, seq ${l4.seq}, length ${len}`;
  }
  if (l4.type === 11) return `ICMP time exceeded in-transit, length ${len}`;
  const inner = l4.original;
  const dst = formatIp4(inner.dst);
  if (l4.code === 3 && (inner.l4.proto === "udp" || inner.l4.proto === "tcp")) {
    return `ICMP ${dst} ${inner.l4.proto} port ${inner.l4.dport} unreachable, length ${len}`;
  }
  if (l4.code === 4)
    return `ICMP ${dst} unreachable - need to frag (mtu ${l4.mtu ?? 0}), length ${len}`;
  const text = UNREACH[l4.code]?.(dst) ?? `${dst} unreachable - #${l4.code}`;
  return `ICMP ${text}, length ${len}`;
}

function tcpText(p: Ipv4Packet, seqs: TcpSeqs, mss: number, nowMs: number): string {
  const t = p.l4;
  if (t.proto !== "tcp") return "";
  const here = `${formatIp4(p.src)}.${t.sport}`;
  const there = `${formatIp4(p.dst)}.${t.dport}`;
  const key = [here, there].sort().join(" ");
  let seq = t.seq;
  let ack = t.ack;
  if (t.flags.ack) {
    const known = seqs.get(key);
    if (known === undefined || t.flags.syn) {
      seqs.set(key, { seq: t.seq, ack: (t.ack - 1) >>> 0, from: here });
    } else if (known.from === here) {
      seq = (seq - known.seq) >>> 0;
      ack = (ack - known.ack) >>> 0;
    } else {
      seq = (seq - known.ack) >>> 0;
      ack = (ack - known.seq) >>> 0;
    }
  }
  let flags = "";
  if (t.flags.fin) flags += "F";
  if (t.flags.syn) flags += "S";
  if (t.flags.rst) flags += "R";
  if (t.flags.psh) flags += "P";
  if (t.flags.ack) flags += ".";
  let s = `${here} > ${there}: Flags [${flags || "none"}]`;
  if (t.len > 0) s += `, seq ${seq}:${(seq + t.len) >>> 0}`;
  else if (t.flags.syn || t.flags.fin || t.flags.rst) s += `, seq ${seq}`;
  if (t.flags.ack) s += `, ack ${ack}`;
  // The window and timestamps are the machine's (normalised); the simulator shows Linux's
  // first SYN window and its clock in ms.
  const win = t.flags.rst ? 0 : t.flags.syn ? (t.flags.ack ? 65160 : 64240) : 502;
  s += `, win ${win}`;
  const ts = Math.floor(nowMs);
  const optLen = t.optLen ?? (t.flags.rst ? 0 : t.flags.syn ? 20 : 12);
  if (optLen === 20)
    s += `, options [mss ${mss},sackOK,TS val ${ts} ecr ${t.flags.ack ? ts : 0},nop,wscale 7]`;
  else if (optLen === 12) s += `, options [nop,nop,TS val ${ts} ecr ${ts}]`;
  return `${s}, length ${t.len}`;
}

/** How a frame inside a tunnel prints: as the capture prints its frames (with -e or not). */
type Inner = (f: Frame) => string;

function udpText(p: Ipv4Packet, inner: Inner): string {
  const u = p.l4;
  if (u.proto !== "udp") return "";
  const head = `${formatIp4(p.src)}.${u.sport} > ${formatIp4(p.dst)}.${u.dport}: `;
  if (u.payload.kind === "vxlan") {
    // print-vxlan.c, then the inner frame on the next line, printed as the capture prints.
    return `${head}VXLAN, flags [I] (0x08), vni ${u.payload.vni}\n${inner(u.payload.frame)}`;
  }
  return `${head}${dnsPortText(u) ?? `UDP, length ${u.payload.len}`}`;
}

function ipText(p: Ipv4Packet, seqs: TcpSeqs, mss: number, nowMs: number, inner: Inner): string {
  switch (p.l4.proto) {
    case "icmp":
      return `${formatIp4(p.src)} > ${formatIp4(p.dst)}: ${icmpText(p)}`;
    case "tcp":
      return tcpText(p, seqs, mss, nowMs);
    case "udp":
      return udpText(p, inner);
  }
}

/** Without -e: "IP ..." or "ARP, ...". */
export function plainLine(f: Frame, seqs: TcpSeqs, mss: number, nowMs: number): string {
  const p = f.payload;
  if (p.proto === "arp") return `ARP, ${arpText(p)}`;
  if (p.proto === "ipv4") {
    return `IP ${ipText(p, seqs, mss, nowMs, (f) => plainLine(f, seqs, mss, nowMs))}`;
  }
  return ipv6Line(p);
}

/** With -e: the Ethernet header, then the payload without its protocol's name. */
export function etherLine(f: Frame, seqs: TcpSeqs, mss: number, nowMs: number): string {
  const p = f.payload;
  const len = frameBytes(f);
  if (p.proto === "arp") {
    return `${f.src} > ${f.dst}, ethertype ARP (0x0806), length ${len}: ${arpText(p)}`;
  }
  if (p.proto === "ipv4") {
    const inner: Inner = (g) => etherLine(g, seqs, mss, nowMs);
    return `${f.src} > ${f.dst}, ethertype IPv4 (0x0800), length ${len}: ${ipText(p, seqs, mss, nowMs, inner)}`;
  }
  return `${f.src} > ${f.dst}, ${IPV6_ETHERTYPE}, length ${len}: ${ipv6Text(p)}`;
}
