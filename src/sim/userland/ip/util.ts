// iproute2's argument helpers (lib/utils.c, lib/ll_addr.c): the argument cursor with
// NEXT_ARG's "Command line is not complete", C's strtoul/strtol number parsing, and the
// address parsers with their exact error messages.
import {
  type NetDevice,
  formatIp6,
  parseIp6,
  type Ip6,
  linkGet,
  type Ip4,
} from "../../kernel/netlink/index.js";
import { die, incomplete, type IpContext } from "./context.js";

/** argc/argv with NEXT_ARG(), NEXT_ARG_OK() and PREV_ARG(). */
export class Args {
  i = 0;
  constructor(
    private readonly c: IpContext,
    readonly list: string[],
  ) {}

  get more(): boolean {
    return this.i < this.list.length;
  }

  /** *argv */
  get cur(): string {
    return this.list[this.i]!;
  }

  /** argv++, argc-- at the end of a loop iteration. */
  step(): void {
    this.i++;
  }

  /** NEXT_ARG(): the next word, or "Command line is not complete" (exit 255). */
  next(): string {
    this.i++;
    if (this.i >= this.list.length) incomplete(this.c);
    return this.list[this.i]!;
  }

  rest(): string[] {
    return this.list.slice(this.i);
  }
}

/** C strtoul/strtol with base 0 on the whole string; undefined when not all of it is a number. */
function cNumber(s: string, base: number): number | undefined {
  const m = /^\s*([+-]?)(.*)$/.exec(s)!;
  const sign = m[1] === "-" ? -1 : 1;
  let body = m[2]!;
  let b = base;
  if ((b === 0 || b === 16) && /^0[xX][0-9a-fA-F]/.test(body)) {
    body = body.slice(2);
    b = 16;
  } else if (b === 0 && /^0[0-7]*$/.test(body)) b = 8;
  else if (b === 0) b = 10;
  const digits = b === 16 ? /^[0-9a-fA-F]+$/ : b === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(body)) return undefined;
  return sign * parseInt(body, b);
}

/** get_unsigned: 0..UINT_MAX. */
export function getUnsigned(s: string, base = 0): number | undefined {
  const v = cNumber(s, base);
  if (v === undefined || v < 0 || v > 0xffffffff) return undefined;
  return v;
}

/** get_integer: INT_MIN..INT_MAX. */
export function getInteger(s: string, base = 0): number | undefined {
  const v = cNumber(s, base);
  if (v === undefined || v < -0x80000000 || v > 0x7fffffff) return undefined;
  return v;
}

export function getUint(s: string, max: number, base = 0): number | undefined {
  const v = getUnsigned(s, base);
  return v === undefined || v > max ? undefined : v;
}

/** ll_addr_a2n: "xx:xx:..." (hex bytes, 1-2 digits each); prints its own error. */
export function llAddr(c: IpContext, arg: string): number[] | undefined {
  const bad = (): undefined => {
    c.o.err(`"${arg}" is invalid lladdr.\n`);
    return undefined;
  };
  if (arg.includes(".")) {
    const v4 = getAddrIpv4(arg);
    if (v4 === undefined) return bad();
    return [v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255];
  }
  const out: number[] = [];
  for (const part of arg.split(":")) {
    // sscanf("%x") on the byte's own text (the ':' after it was cut off).
    const m = /^\s*[+-]?(?:0[xX])?([0-9a-fA-F]+)/.exec(part);
    const v = m ? parseInt(m[1]!, 16) : -1;
    if (v < 0 || v > 255) {
      c.o.err(`"${part}" is invalid lladdr.\n`);
      return undefined;
    }
    out.push(v);
    if (out.length === 32) break;
  }
  return out;
}

export function macText(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** get_addr_ipv4: up to four numbers (strtoul base 0) joined by dots; "10.1" is 10.1.0.0. */
export function getAddrIpv4(s: string): Ip4 | undefined {
  const parts = s.split(".");
  if (parts.length > 4) return undefined;
  const bytes = [0, 0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const n = getUnsigned(parts[i]!);
    if (n === undefined || n > 255 || /^\s|\s$/.test(parts[i]!)) return undefined;
    bytes[i] = n;
  }
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

export type Family = "inet" | "inet6";

export interface InetAddr {
  family: Family;
  v4: Ip4;
  v6: Ip6;
  bitlen: number;
  /** A "/len" was given (PREFIXLEN_SPECIFIED). */
  prefixSpecified: boolean;
}

/** __get_addr_1 for AF_INET/AF_INET6 (no "default"/"any"). */
export function getAddr1(s: string, family: Family | undefined): InetAddr | undefined {
  if (s.includes(":")) {
    if (family !== undefined && family !== "inet6") return undefined;
    const g = parseIp6(s);
    if (!g) return undefined;
    return { family: "inet6", v4: 0, v6: g, bitlen: 128, prefixSpecified: false };
  }
  if (family !== undefined && family !== "inet") return undefined;
  const a = getAddrIpv4(s);
  if (a === undefined) return undefined;
  return { family: "inet", v4: a, v6: [], bitlen: 32, prefixSpecified: false };
}

/** get_prefix_1: ADDR[/LEN], LEN a number or a dotted mask. */
export function getPrefix1(s: string, family: Family | undefined): InetAddr | undefined {
  const slash = s.indexOf("/");
  const a = getAddr1(slash >= 0 ? s.slice(0, slash) : s, family);
  if (!a) return undefined;
  if (slash < 0) return a;
  const max = a.family === "inet" ? 32 : 128;
  const lenText = s.slice(slash + 1);
  let plen = getUnsigned(lenText);
  if (plen === undefined) {
    const m = getAddr1(lenText, "inet");
    if (m) {
      const mask = m.v4;
      const inv = ~mask >>> 0;
      if (((inv + 1) & inv) === 0) plen = 32 - Math.log2(inv + 1);
    }
  }
  if (plen === undefined || plen > max) return undefined;
  return { ...a, bitlen: plen, prefixSpecified: true };
}

function familyVerbose(f: Family | undefined): string {
  return f === undefined ? "any valid" : f;
}

/** get_prefix: exits with "Error: inet prefix is expected rather than ..." (exit 1). */
export function getPrefix(c: IpContext, s: string, family: Family | undefined): InetAddr {
  const p = getPrefix1(s, family);
  if (!p) die(c, `Error: ${familyVerbose(family)} prefix is expected rather than "${s}".`, 1);
  return p;
}

/** get_addr: exits with "Error: inet address is expected rather than ..." (exit 1). */
export function getAddr(c: IpContext, s: string, family: Family | undefined): InetAddr {
  const a = getAddr1(s, family);
  if (!a) die(c, `Error: ${familyVerbose(family)} address is expected rather than "${s}".`, 1);
  return a;
}

export function addrText(a: InetAddr): string {
  return a.family === "inet6"
    ? formatIp6(a.v6)
    : [a.v4 >>> 24, (a.v4 >>> 16) & 255, (a.v4 >>> 8) & 255, a.v4 & 255].join(".");
}

/** check_ifname: what iproute2 refuses before asking the kernel. */
export function checkIfname(name: string): boolean {
  return name.length > 0 && name.length < 16 && !/[\s/]/.test(name);
}

export function checkAltIfname(name: string): boolean {
  return name.length > 0 && !/[\s/]/.test(name);
}

/** parse_one_of for on/off: matches() on the word, "Error: argument of ..." (caller exits 1). */
export function parseOnOff(c: IpContext, msg: string, val: string): boolean | undefined {
  if (val.length > 0 && "off".startsWith(val)) return false;
  if (val.length > 0 && "on".startsWith(val)) return true;
  c.o.err(`Error: argument of "${msg}" must be one of "off", "on", not "${val}"\n`);
  return undefined;
}

/** rtnl_rtscope_a2n. */
export function scopeA2n(s: string): number | undefined {
  const names: Record<string, number> = {
    global: 0,
    universe: 0,
    site: 200,
    link: 253,
    host: 254,
    nowhere: 255,
  };
  if (s in names) return names[s];
  return getUint(s, 255);
}

export function scopeName(n: number): string {
  const names: Record<number, string> = {
    0: "global",
    200: "site",
    253: "link",
    254: "host",
    255: "nowhere",
  };
  return names[n] ?? String(n);
}

/**
 * ll_name_to_index: iproute2 resolves a name with RTM_GETLINK, and rtnl_getlink runs the
 * device's pending linkwatch event (linkwatch_sync_dev) before answering.
 */
export function llNameToIndex(c: IpContext, name: string): NetDevice | undefined {
  const d = c.ns.byName(name);
  if (d) linkGet(d);
  return d;
}
