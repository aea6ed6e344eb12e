// DNS messages' lengths on the wire (RFC 1035): the simulator carries a message as a
// record, but its datagram's length (counters, traces) is what the encoded one would be.
import type { DnsMessage } from "../kernel/netlink/index.js";

/** An uncompressed name: a length byte per label, then the root's zero byte. */
export function nameLength(name: string): number {
  const labels = name.split(".").filter((l) => l !== "");
  return labels.reduce((n, l) => n + 1 + l.length, 0) + 1;
}

/** Header (12) and one question (name, type, class), no EDNS: glibc's and musl's queries. */
export function queryLength(qname: string): number {
  return 12 + nameLength(qname) + 4;
}

/**
 * A response as Docker's embedded server writes it (miekg/dns, uncompressed): the
 * question echoed, then each answer with the question's name, type, class, TTL, length
 * and data (4 bytes for A, the name for PTR).
 */
export function responseLength(m: DnsMessage): number {
  let n = queryLength(m.qname);
  for (const a of m.answers) {
    n += nameLength(m.qname) + 10 + (a.type === "A" ? 4 : nameLength(a.name));
  }
  return n;
}
