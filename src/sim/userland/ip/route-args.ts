// iproute2's argument parsers shared by `ip route`, `ip rule` and `ip neigh` (lib/utils.c
// get_prefix/get_addr/get_u32, lib/rt_names.c), with their exact error texts.
import {
  parseIp6,
  type Ip6,
  type Ip4,
  type RouteScope,
  type RouteType,
} from "../../kernel/netlink/index.js";
import { die, matches, type IpContext } from "./context.js";

export type Family = "inet" | "inet6" | undefined;

/** inet_prefix: what get_prefix/get_addr parsed. */
export interface InetPrefix {
  /** undefined: "default", "all" or "any" given without a family. */
  family: Family;
  addr: Ip4;
  addr6?: Ip6;
  /** Prefix length (the host length when none was written; 0 for default/all/any). */
  bitlen: number;
  /** bytelen: 0 for "all"/"any" (and "default" without a family): no address attribute. */
  bytelen: number;
  /** PREFIXLEN_SPECIFIED: a "/len" was written, or the word was "default". */
  lenGiven: boolean;
}

/** strtoul(s, &end, 0) that must consume the whole word: decimal, 0x hex or 0 octal. */
export function strtoul(s: string): number | undefined {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let v: number;
  if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
  else if (body.length > 1 && body.startsWith("0")) v = parseInt(body.slice(1), 8);
  else v = parseInt(body, 10);
  if (m[1] === "-") return v === 0 ? 0 : undefined; // wraps to a huge value: rejected by callers
  return v;
}

/** get_u32 / get_unsigned. */
export function getU32(s: string): number | undefined {
  const v = strtoul(s);
  return v !== undefined && v <= 0xffffffff ? v : undefined;
}

/** get_addr_ipv4: one to four parts, each strtoul base 0 and at most 255; missing parts are 0. */
function parseIpv4Parts(s: string): Ip4 | undefined {
  const parts = s.split(".");
  if (parts.length > 4) return undefined;
  const bytes = [0, 0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const m = /^\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(parts[i]!);
    if (!m || m[0].length !== parts[i]!.length) return undefined;
    const v = strtoul(parts[i]!);
    if (v === undefined || v > 255) return undefined;
    bytes[i] = v;
  }
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

/** get_addr_1 (without prefix handling); undefined on failure. */
function getAddr1(arg: string, family: Family): InetPrefix | undefined {
  if (arg === "default") {
    return {
      family,
      addr: 0,
      bitlen: -2,
      bytelen: family === "inet" ? 4 : family === "inet6" ? 16 : 0,
      lenGiven: true,
    };
  }
  if (arg === "all" || arg === "any")
    return { family, addr: 0, bitlen: -2, bytelen: 0, lenGiven: false };
  if (arg.includes(":")) {
    if (family !== undefined && family !== "inet6") return undefined;
    const g = parseIp6(arg);
    if (!g) return undefined;
    return { family: "inet6", addr: 0, addr6: g, bitlen: -1, bytelen: 16, lenGiven: false };
  }
  if (family !== undefined && family !== "inet") return undefined;
  const a = parseIpv4Parts(arg);
  if (a === undefined) return undefined;
  return { family: "inet", addr: a, bitlen: -1, bytelen: 4, lenGiven: false };
}

function familyVerbose(f: Family): string {
  return f ?? "any valid";
}

/** get_netmask: a length, or a dotted mask. */
function getNetmask(s: string): number | undefined {
  const v = strtoul(s);
  if (v !== undefined) return v;
  const a = parseIpv4Parts(s);
  if (a === undefined) return undefined;
  // mask2bits: only contiguous masks.
  let bits = 0;
  let seenZero = false;
  for (let i = 31; i >= 0; i--) {
    if ((a >>> i) & 1) {
      if (seenZero) return undefined;
      bits++;
    } else seenZero = true;
  }
  return bits;
}

/** get_prefix_1; undefined on failure. */
export function parsePrefix(arg: string, family: Family): InetPrefix | undefined {
  const slash = arg.indexOf("/");
  const base = slash >= 0 ? arg.slice(0, slash) : arg;
  const p = getAddr1(base, family);
  if (!p) return undefined;
  const hostLen = p.family === "inet6" ? 128 : p.family === "inet" ? 32 : 0;
  if (slash >= 0) {
    if (p.bitlen === -2) return undefined;
    const plen = getNetmask(arg.slice(slash + 1));
    if (plen === undefined || plen > hostLen) return undefined;
    return { ...p, bitlen: plen, lenGiven: true };
  }
  return { ...p, bitlen: p.bitlen === -2 ? 0 : hostLen };
}

/** get_prefix: exits with iproute2's message when the word is not a prefix. */
export function getPrefix(c: IpContext, arg: string, family: Family): InetPrefix {
  const p = parsePrefix(arg, family);
  if (!p) die(c, `Error: ${familyVerbose(family)} prefix is expected rather than "${arg}".`, 1);
  return p;
}

/** get_addr: exits with iproute2's message when the word is not an address. */
export function getAddr(c: IpContext, arg: string, family: Family): InetPrefix {
  const p = getAddr1(arg, family);
  if (!p) die(c, `Error: ${familyVerbose(family)} address is expected rather than "${arg}".`, 1);
  return { ...p, bitlen: p.bitlen === -2 ? 0 : p.family === "inet6" ? 128 : 32 };
}

/** inet_addr_match: do the first `bits` bits agree? */
export function prefixMatch(a: Ip4, b: Ip4, bits: number): boolean {
  if (bits <= 0) return true;
  const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return ((a ^ b) & mask) >>> 0 === 0;
}

// rt_names.c tables, with this machine's /etc/iproute2 files (iproute2 6.1, Debian 12).

const TABLES: Record<string, number> = { local: 255, main: 254, default: 253, unspec: 0 };

/** rtnl_rttable_a2n. */
export function tableId(s: string): number | undefined {
  if (s in TABLES) return TABLES[s];
  return getU32(s);
}

/** rtnl_rttable_n2a. */
export function tableName(id: number): string {
  for (const [k, v] of Object.entries(TABLES)) if (v === id) return k;
  return String(id);
}

const PROTOS: [number, string][] = [
  [0, "unspec"],
  [1, "redirect"],
  [2, "kernel"],
  [3, "boot"],
  [4, "static"],
  [8, "gated"],
  [9, "ra"],
  [10, "mrt"],
  [11, "zebra"],
  [12, "bird"],
  [13, "dnrouted"],
  [14, "xorp"],
  [15, "ntk"],
  [16, "dhcp"],
  [18, "keepalived"],
  [42, "babel"],
  [99, "openr"],
  [186, "bgp"],
  [187, "isis"],
  [188, "ospf"],
  [189, "rip"],
  [192, "eigrp"],
];

/** rtnl_rtprot_a2n, returned as the name the kernel's number prints as. */
export function protoArg(s: string): string | undefined {
  const named = PROTOS.find(([, n]) => n === s);
  if (named) return named[1];
  const v = strtoul(s);
  if (v === undefined || v > 255) return undefined;
  return PROTOS.find(([n]) => n === v)?.[1] ?? String(v);
}

const SCOPES: [RouteScope, number][] = [
  ["global", 0],
  ["site", 200],
  ["link", 253],
  ["host", 254],
  ["nowhere", 255],
];

/** rtnl_rtscope_a2n (names, "universe" and the numbers that have a name). */
export function scopeArg(s: string): RouteScope | undefined {
  if (s === "universe") return "global";
  const named = SCOPES.find(([n]) => n === s);
  if (named) return named[0];
  const v = strtoul(s);
  if (v === undefined) return undefined;
  return SCOPES.find(([, n]) => n === v)?.[0];
}

const RTN_NUMBERS: RouteType[] = [
  "unicast", // 0 is RTN_UNSPEC; treated as unicast
  "unicast",
  "local",
  "broadcast",
  "anycast",
  "multicast",
  "blackhole",
  "unreachable",
  "prohibit",
  "throw",
  "nat",
];

/** rtnl_rtntype_a2n: route and rule types, with iproute2's prefix matching. */
export function routeTypeArg(s: string): RouteType | "xresolve" | undefined {
  if (s === "local") return "local";
  if (s === "nat") return "nat";
  if (matches(s, "broadcast") || s === "brd") return "broadcast";
  if (matches(s, "anycast")) return "anycast";
  if (matches(s, "multicast")) return "multicast";
  if (matches(s, "prohibit")) return "prohibit";
  if (matches(s, "unreachable")) return "unreachable";
  if (matches(s, "blackhole")) return "blackhole";
  if (matches(s, "xresolve")) return "xresolve";
  if (matches(s, "unicast")) return "unicast";
  if (s === "throw") return "throw";
  const v = strtoul(s);
  if (v === undefined || v > 255) return undefined;
  return RTN_NUMBERS[v] ?? "xresolve";
}

/** check_ifname / get_ifname: a name the kernel could have. */
export function validIfname(s: string): boolean {
  return s.length > 0 && s.length < 16 && !/[\s/]/.test(s);
}
