// tcpdump 4.99's decoder for datagrams to or from port 53 (DNS) and 5353 (mDNS):
// print-domain.c's domain_print without -v, as udp_print picks it by port. The simulator
// carries a message as a record (DnsMessage); its flags are those the simulated ends set.
import { formatIp4, type DnsMessage, type Ipv4Packet } from "../../kernel/netlink/index.js";

type Udp = Extract<Ipv4Packet["l4"], { proto: "udp" }>;

/** The header bits a record does not carry: what glibc's queries and dockerd's answers set. */
export interface DnsFlags {
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
}

/** glibc's res_mkquery sets RD; dockerd's answers (miekg SetReply) keep it and set RA. */
function defaultFlags(m: DnsMessage): DnsFlags {
  return { opcode: 0, aa: false, tc: false, rd: true, ra: m.response, ad: false, cd: false };
}

const OPS = [
  "",
  " inv_q",
  " stat",
  " op3",
  " notify",
  " update",
  " op6",
  " op7",
  " op8",
  " updateA",
  " updateD",
  " updateDA",
  " updateM",
  " updateMA",
  " zoneInit",
  " zoneRef",
];

// ns_resp's first sixteen: the header's four bits (an OPT record would extend them).
const RCODES = [
  "",
  " FormErr",
  " ServFail",
  " NXDomain",
  " NotImp",
  " Refused",
  " YXDomain",
  " YXRRSet",
  " NXRRSet",
  " NotAuth",
  " NotZone",
  " Resp11",
  " Resp12",
  " Resp13",
  " Resp14",
  " NoChange",
];

/** fn_print_char: a non-ASCII byte as M-, a control one as ^. */
function printable(s: string): string {
  let out = "";
  for (const ch of new TextEncoder().encode(s)) {
    let c = ch;
    if (c > 0x7f) {
      c &= 0x7f;
      out += "M-";
    }
    if (c < 0x20 || c === 0x7f) {
      c ^= 0x40;
      out += "^";
    }
    out += String.fromCharCode(c);
  }
  return out;
}

/** fqdn_print: each label and a dot; the root alone is ".". */
function fqdn(name: string): string {
  const labels = name.split(".").filter((l) => l !== "");
  return labels.length === 0 ? "." : labels.map((l) => `${printable(l)}.`).join("");
}

/** The header's second 16-bit word, as the flags above and the rcode make it. */
function flagWord(m: DnsMessage, f: DnsFlags): number {
  return (
    (m.response ? 0x8000 : 0) |
    ((f.opcode & 0xf) << 11) |
    (f.aa ? 0x400 : 0) |
    (f.tc ? 0x200 : 0) |
    (f.rd ? 0x100 : 0) |
    (f.ra ? 0x80 : 0) |
    (f.ad ? 0x20 : 0) |
    (f.cd ? 0x10 : 0) |
    (m.rcode & 0xf)
  );
}

/**
 * domain_print for one message of `len` bytes (the UDP payload's length): a query
 * `ID+ A? name. (len)`, an answer `ID[rcode] an/ns/ar A addr, PTR name. (len)`; an mDNS
 * question names its class bit (QM: the simulated records are all class IN, unicast
 * answer not asked).
 */
export function domainText(
  m: DnsMessage,
  len: number,
  mdns: boolean,
  flags: DnsFlags = defaultFlags(m),
): string {
  const f = flags;
  if (m.response) {
    // Without an OPT record (none here) the code is the header's four bits.
    let s = `${m.id}${OPS[f.opcode & 0xf]}${RCODES[m.rcode & 0xf]}`;
    s += `${f.aa ? "*" : ""}${f.ra ? "" : "-"}${f.tc ? "|" : ""}${f.ad ? "$" : ""}`;
    s += ` ${m.answers.length}/0/0`;
    s += m.answers
      .map((a) => (a.type === "A" ? ` A ${formatIp4(a.addr)}` : ` PTR ${fqdn(a.name)}`))
      .join(",");
    return `${s} (${len})`;
  }
  let s = `${m.id}${OPS[f.opcode & 0xf]}${f.rd ? "+" : ""}${f.cd ? "%" : ""}`;
  const b2 = flagWord(m, f);
  if (b2 & 0x6cf) s += ` [b2&3=0x${b2.toString(16)}]`;
  if (f.opcode === 1) s += " [1q] [0a]"; // IQUERY: its counts are printed
  s += ` ${m.qtype}${mdns ? " (QM)" : ""}? ${fqdn(m.qname)}`;
  return `${s} (${len})`;
}

/** DNS header: id, flags, four counts. */
const HEADER = 12;

/**
 * What udp_print prints after the addresses for a datagram on 53 or 5353 (either end),
 * or undefined for another port (or a payload whose bytes the simulator does not know:
 * no simulated program sends one of 12 bytes or more that is not a DNS message).
 */
export function dnsPortText(u: Udp): string | undefined {
  const dns = u.sport === 53 || u.dport === 53;
  const mdns = !dns && (u.sport === 5353 || u.dport === 5353);
  if ((!dns && !mdns) || u.payload.kind !== "data") return undefined;
  const { len } = u.payload;
  if (len < HEADER) return `domain [length ${len} < ${HEADER}] (invalid)`;
  return u.payload.dns ? domainText(u.payload.dns, len, mdns) : undefined;
}
