// -s/-d addresses (xtables.c xtables_ipparse_multiple): a comma-separated list of
// address[/mask], where the address may be abbreviated ("10" is 10.0.0.0), a network
// name or a host name, and the mask a length or dotted; host bits are cleared. Listing
// prints "anywhere" for mask 0, names unless -n, and hides "/32".
import { formatIp4, maskOf, type Ip4, type AddrMatch } from "../../kernel/netlink/index.js";
import { paramProblem, type ErrorSource } from "./errors.js";
import { hostAddress, hostName, networkAddress, networkName } from "./netdb.js";
import { strtoui } from "./num.js";

/** __numeric_to_ipaddr: up to four parts, missing ones are 0 (not for masks). */
function numericAddr(s: string, isMask: boolean): Ip4 | undefined {
  const parts = s.split(".");
  if (parts.length > 4 || (isMask && parts.length !== 4)) return undefined;
  const bytes = parts.map((p) => strtoui(p, 0, 255));
  if (bytes.some((b) => b === undefined)) return undefined;
  while (bytes.length < 4) bytes.push(0);
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

/** Prefix length of a contiguous mask, or -1. */
export function maskToCidr(mask: Ip4): number {
  for (let len = 0; len <= 32; len++) if (maskOf(len) === mask >>> 0) return len;
  return -1;
}

function parseMask(src: ErrorSource, s: string | undefined): Ip4 {
  if (s === undefined) return 0xffffffff;
  const dotted = numericAddr(s, true);
  if (dotted !== undefined) return dotted;
  const bits = strtoui(s, 0, 32);
  if (bits === undefined) paramProblem(src, `invalid mask \`${s}' specified`);
  return maskOf(bits);
}

/** ipparse_hostnetwork: numeric, then /etc/networks, then /etc/hosts. */
function parseHost(src: ErrorSource, s: string): Ip4 {
  const a = numericAddr(s, false) ?? networkAddress(s) ?? hostAddress(s);
  if (a === undefined) paramProblem(src, `host/network \`${s}' not found`);
  return a;
}

export interface AddrMask {
  addr: Ip4;
  mask: Ip4;
}

export function parseAddrList(src: ErrorSource, text: string): AddrMask[] {
  return text.split(",").map((item) => {
    const slash = item.lastIndexOf("/");
    const host = slash >= 0 ? item.slice(0, slash) : item;
    const mask = parseMask(src, slash >= 0 ? item.slice(slash + 1) : undefined);
    const addr = parseHost(src, host);
    return { addr: (addr & mask) >>> 0, mask };
  });
}

/** The rule's address match, or undefined for "anywhere" that is not inverted. */
export function toAddrMatch(a: AddrMask, invert: boolean): AddrMatch | undefined {
  if (a.mask === 0 && a.addr === 0 && !invert) return undefined;
  const cidr = maskToCidr(a.mask);
  if (cidr >= 0) return { addr: a.addr, plen: cidr, invert };
  const ones = a.mask.toString(2).split("1").length - 1;
  return { addr: a.addr, plen: ones, invert, mask: a.mask };
}

export function maskOfMatch(m: AddrMatch): Ip4 {
  return m.mask ?? maskOf(m.plen);
}

/** xtables_ipmask_to_numeric. */
function maskSuffix(mask: Ip4): string {
  const cidr = maskToCidr(mask);
  if (cidr === 32) return "";
  return cidr < 0 ? `/${formatIp4(mask)}` : `/${cidr}`;
}

/** ipv4_addr_to_string: what a -L column shows. */
export function addrColumn(m: AddrMatch | undefined, numeric: boolean): string {
  const addr = m?.addr ?? 0;
  const mask = m ? maskOfMatch(m) : 0;
  if (mask === 0 && !numeric) return "anywhere";
  const name = numeric ? formatIp4(addr) : (hostName(addr) ?? networkName(addr) ?? formatIp4(addr));
  return name + maskSuffix(mask);
}

/** save_ipv4_addr: " -s a.b.c.d/len" (always with the length). */
export function saveAddr(letter: string, m: AddrMatch | undefined): string {
  if (!m) return "";
  const mask = maskOfMatch(m);
  const cidr = maskToCidr(mask);
  const len = cidr < 0 ? formatIp4(mask) : String(cidr);
  return `${m.invert ? " !" : ""} -${letter} ${formatIp4(m.addr)}/${len}`;
}
