// The filters of `conntrack -L` (conntrack-tools 1.4.7) that the simulator models: the
// original and reply addresses (-s/-d/-r/-q and their long forms), ports of -p tcp|udp
// (--sport/--dport, --reply-port-src/--reply-port-dst), --state of -p tcp, the ICMP
// type/code/id of -p icmp, -m MARK[/MASK], and the NAT selectors -n/-g/-j without their
// optional address (filter_nat with libnetfilter_conntrack's is_snat/is_dnat below).
import { parseIp4, type CtEntry, type Ip4 } from "../kernel/netlink/index.js";

export interface CtFilter {
  origSrc?: Ip4;
  origDst?: Ip4;
  replySrc?: Ip4;
  replyDst?: Ip4;
  sport?: number;
  dport?: number;
  replySport?: number;
  replyDport?: number;
  state?: string;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  mark?: { value: number; mask: number };
  srcNat?: boolean;
  dstNat?: boolean;
  anyNat?: boolean;
}

/** Options taking an address, by every name conntrack knows them by. */
export const ADDRESS_OPTIONS: Record<string, keyof CtFilter> = {
  "-s": "origSrc",
  "--src": "origSrc",
  "--orig-src": "origSrc",
  "-d": "origDst",
  "--dst": "origDst",
  "--orig-dst": "origDst",
  "-r": "replySrc",
  "--reply-src": "replySrc",
  "-q": "replyDst",
  "--reply-dst": "replyDst",
};

/** Options of -p tcp|udp (ports), -p tcp (state) and -p icmp, taking a value. */
export const PROTO_VALUE_OPTIONS: Record<string, keyof CtFilter> = {
  "--sport": "sport",
  "--orig-port-src": "sport",
  "--dport": "dport",
  "--orig-port-dst": "dport",
  "--reply-port-src": "replySport",
  "--reply-port-dst": "replyDport",
  "--state": "state",
  "--icmp-type": "icmpType",
  "--icmp-code": "icmpCode",
  "--icmp-id": "icmpId",
};

export const NAT_OPTIONS: Record<string, "srcNat" | "dstNat" | "anyNat"> = {
  "-n": "srcNat",
  "--src-nat": "srcNat",
  "-g": "dstNat",
  "--dst-nat": "dstNat",
  "-j": "anyNat",
  "--any-nat": "anyNat",
};

/** An IPv4 address as the filter takes it, or undefined (a mask or IPv6 is not modelled). */
export function filterAddress(v: string): Ip4 | undefined {
  return parseIp4(v);
}

/** A number as conntrack's strtoul-based options read it. */
export function filterNumber(v: string, max: number): number | undefined {
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n <= max ? n : undefined;
}

/** -m MARK[/MASK]. */
export function filterMark(v: string): { value: number; mask: number } | undefined {
  const m = /^(\d+|0x[0-9a-f]+)(?:\/(\d+|0x[0-9a-f]+))?$/i.exec(v);
  if (!m) return undefined;
  return { value: Number(m[1]) >>> 0, mask: m[2] === undefined ? 0xffffffff : Number(m[2]) >>> 0 };
}

/**
 * libnetfilter_conntrack's __getobjopt_is_snat: the NAT step ran and the reply goes to
 * another address, or to another "port" than the original came from. The comparison is of
 * the raw 16-bit fields, so for ICMP it holds the reply's type/code against the original's
 * id: every NATed-table ICMP entry counts as SNAT and DNAT alike, as on the kernel.
 */
function isSnat(ct: CtEntry): boolean {
  const [o, r] = ct.tuple;
  return ct.srcNatDone && (r.dst !== o.src || r.dport !== o.sport);
}

/** __getobjopt_is_dnat: the same for the reply's source against the original destination. */
function isDnat(ct: CtEntry): boolean {
  const [o, r] = ct.tuple;
  return ct.dstNatDone && (r.src !== o.dst || r.sport !== o.dport);
}

export function matchesFilter(ct: CtEntry, f: CtFilter): boolean {
  const [o, r] = ct.tuple;
  if (f.origSrc !== undefined && o.src !== f.origSrc) return false;
  if (f.origDst !== undefined && o.dst !== f.origDst) return false;
  if (f.replySrc !== undefined && r.src !== f.replySrc) return false;
  if (f.replyDst !== undefined && r.dst !== f.replyDst) return false;
  if (ct.proto === 1) {
    // An ICMP tuple keeps type and code in dport, the id in sport (formatEntry).
    if (f.icmpType !== undefined && o.dport >> 8 !== f.icmpType) return false;
    if (f.icmpCode !== undefined && (o.dport & 255) !== f.icmpCode) return false;
    if (f.icmpId !== undefined && o.sport !== f.icmpId) return false;
  } else {
    if (f.sport !== undefined && o.sport !== f.sport) return false;
    if (f.dport !== undefined && o.dport !== f.dport) return false;
    if (f.replySport !== undefined && r.sport !== f.replySport) return false;
    if (f.replyDport !== undefined && r.dport !== f.replyDport) return false;
  }
  if (f.state !== undefined && ct.tcpState !== f.state) return false;
  if (f.mark && (ct.mark & f.mark.mask) >>> 0 !== f.mark.value) return false;
  if (f.anyNat) return isSnat(ct) || isDnat(ct);
  if (f.srcNat && f.dstNat) return isSnat(ct) && isDnat(ct);
  if (f.srcNat) return isSnat(ct);
  if (f.dstNat) return isDnat(ct);
  return true;
}
