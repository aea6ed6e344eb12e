// The tcp and udp matches (libxt_tcp.c, old-style options; libxt_udp.c, x6 options). In
// iptables-nft 1.8.9 plain port matches become native nftables payload expressions
// (nft.c add_nft_tcp/add_nft_udp): a full port range is dropped, and when the ruleset is
// read back every tcp (udp) expression of a rule lands in one tcp (udp) match, so
// `--sport 80 -m tcp --dport 90` lists as one match. Flags, options and a match with no
// ports stay xt matches, which the kernel checks against -p.
import { type Match, type PortRange } from "../../../kernel/netlink/index.js";
import { paramProblem } from "../errors.js";
import { strtoui } from "../num.js";
import type { MatchExt, ParseCall, Printer } from "./framework.js";
import { isFullRange, parsePort, portByName, portText } from "./ports.js";

type TcpUdp = Extract<Match, { kind: "tcp" | "udp" }>;

const FLAGS: [string, number][] = [
  ["FIN", 0x01],
  ["SYN", 0x02],
  ["RST", 0x04],
  ["PSH", 0x08],
  ["ACK", 0x10],
  ["URG", 0x20],
  ["ALL", 0x3f],
  ["NONE", 0],
];

interface PortsData {
  sport?: PortRange & { invert: boolean };
  dport?: PortRange & { invert: boolean };
  flags?: { mask: number; comp: number; invert: boolean };
  option?: { value: number; invert: boolean };
  seen: Set<string>;
}

/** libxt_tcp.c parse_tcp_ports: "a", "a:b", ":b", "a:". */
function tcpPorts(c: ParseCall): PortRange {
  const s = c.arg!;
  const i = s.indexOf(":");
  if (i < 0) {
    const p = parsePort(c.env.src, s, "tcp");
    return { from: p, to: p };
  }
  const lo = s.slice(0, i);
  const hi = s.slice(i + 1);
  const from = lo ? parsePort(c.env.src, lo, "tcp") : 0;
  const to = hi ? parsePort(c.env.src, hi, "tcp") : 65535;
  if (from > to) paramProblem(c.env.src, "invalid portrange (min > max)");
  return { from, to };
}

/** xtopt_parse_mport (XTTYPE_PORTRC) as udp uses it. */
function udpPorts(c: ParseCall): PortRange {
  const parts = c.arg!.split(":");
  if (parts.length > 2)
    paramProblem(c.env.src, `udp: Too many components for option "--${c.entry.name}" (max: 2)\n`);
  const vals = parts.map((p, i) => {
    if (p === "") return i === 0 ? 0 : 65535;
    const v = portByName(p);
    if (v < 0) paramProblem(c.env.src, `Port "${p}" does not resolve to anything.\n`);
    return v;
  });
  return { from: vals[0]!, to: vals[1] ?? vals[0]! };
}

function flagBits(c: ParseCall, list: string): number {
  let bits = 0;
  for (const name of list.split(",")) {
    const f = FLAGS.find(([n]) => n.toLowerCase() === name.toLowerCase());
    if (!f) paramProblem(c.env.src, `Unknown TCP flag \`${name}'`);
    bits |= f[1];
  }
  return bits;
}

function init(): PortsData {
  return { seen: new Set() };
}

export const tcpExt: MatchExt<PortsData, TcpUdp> = {
  kind: "match",
  name: "tcp",
  x6: false,
  options: [
    { name: "source-port", id: 1, hasArg: 1 },
    { name: "sport", id: 1, hasArg: 1 },
    { name: "destination-port", id: 2, hasArg: 1 },
    { name: "dport", id: 2, hasArg: 1 },
    { name: "syn", id: 3, hasArg: 0 },
    { name: "tcp-flags", id: 4, hasArg: 1 },
    { name: "tcp-option", id: 5, hasArg: 1 },
  ],
  init,
  parse(d, c) {
    const once = (key: string, msg: string): void => {
      if (d.seen.has(key)) paramProblem(c.env.src, msg);
      d.seen.add(key);
    };
    switch (c.id) {
      case 1:
        once("s", "Only one `--source-port' allowed");
        d.sport = { ...tcpPorts(c), invert: c.invert };
        return;
      case 2:
        once("d", "Only one `--destination-port' allowed");
        d.dport = { ...tcpPorts(c), invert: c.invert };
        return;
      case 3:
        once("f", "Only one of `--syn' or `--tcp-flags'  allowed");
        d.flags = { mask: 0x17, comp: 0x02, invert: c.invert };
        return;
      case 4: {
        once("f", "Only one of `--syn' or `--tcp-flags'  allowed");
        const comp = c.env.nextArg();
        if (comp === undefined) paramProblem(c.env.src, "--tcp-flags requires two args.");
        d.flags = { mask: flagBits(c, c.arg!), comp: flagBits(c, comp), invert: c.invert };
        return;
      }
      case 5: {
        once("o", "Only one `--tcp-option' allowed");
        const v = strtoui(c.arg!, 1, 255);
        if (v === undefined) paramProblem(c.env.src, `Bad TCP option "${c.arg}"`);
        d.option = { value: v, invert: c.invert };
        return;
      }
    }
  },
  build: (d) => buildPorts("tcp", d),
};

export const udpExt: MatchExt<PortsData, TcpUdp> = {
  kind: "match",
  name: "udp",
  x6: true,
  options: [
    { name: "source-port", id: 0, hasArg: 1, invert: true },
    { name: "sport", id: 0, hasArg: 1, invert: true },
    { name: "destination-port", id: 1, hasArg: 1, invert: true },
    { name: "dport", id: 1, hasArg: 1, invert: true },
  ],
  init,
  parse(d, c) {
    const r = { ...udpPorts(c), invert: c.invert };
    if (c.id === 0) d.sport = r;
    else d.dport = r;
  },
  build: (d) => buildPorts("udp", d),
};

function buildPorts(kind: "tcp" | "udp", d: PortsData): TcpUdp {
  const m: TcpUdp = { kind };
  if (d.sport) m.sport = d.sport;
  if (d.dport) m.dport = d.dport;
  if (d.flags) {
    m.tcpFlags = {
      mask: flagNames(d.flags.mask),
      comp: flagNames(d.flags.comp),
      invert: d.flags.invert,
    };
  }
  if (d.option) m.option = d.option;
  return m;
}

function flagNames(bits: number): string[] {
  return FLAGS.slice(0, 6)
    .filter(([, b]) => bits & b)
    .map(([n]) => n);
}

function bitsOf(names: string[]): number {
  return names.reduce((acc, n) => acc | (FLAGS.find(([f]) => f === n)?.[1] ?? 0), 0);
}

/** Whether iptables-nft turns the match into native expressions (ports only). */
export function isNativePorts(m: TcpUdp): boolean {
  if (m.tcpFlags || m.option) return false;
  const full = (r?: PortRange & { invert: boolean }): boolean =>
    !r || (isFullRange(r) && !r.invert);
  return !(full(m.sport) && full(m.dport));
}

/**
 * What a native tcp/udp match reads back as: full ranges are not emitted at all, so a
 * match of only full ranges vanishes (undefined).
 */
export function nativeReadBack(m: TcpUdp): TcpUdp | undefined {
  const out: TcpUdp = { kind: m.kind };
  if (m.sport && !isFullRange(m.sport)) out.sport = m.sport;
  if (m.dport && !isFullRange(m.dport)) out.dport = m.dport;
  return out.sport || out.dport ? out : undefined;
}

/** Later expressions of the same kind overwrite earlier ones in the one match. */
export function mergePorts(into: TcpUdp, from: TcpUdp): void {
  if (from.sport) into.sport = from.sport;
  if (from.dport) into.dport = from.dport;
  if (from.tcpFlags) into.tcpFlags = from.tcpFlags;
  if (from.option) into.option = from.option;
}

function printPorts(
  name: string,
  r: (PortRange & { invert: boolean }) | undefined,
  proto: string,
  numeric: boolean,
): string {
  if (!r || (isFullRange(r) && !r.invert)) return "";
  const inv = r.invert ? "!" : "";
  if (r.from === r.to) return ` ${name}:${inv}${portText(r.from, proto, numeric)}`;
  return ` ${name}s:${inv}${portText(r.from, proto, numeric)}:${portText(r.to, proto, numeric)}`;
}

function tcpf(bits: number): string {
  const names: string[] = [];
  let rest = bits;
  while (rest) {
    const f = FLAGS.find(([, b]) => rest & b)!;
    names.push(f[0]);
    rest &= ~f[1];
  }
  return names.length ? names.join(",") : "NONE";
}

function savePorts(opt: string, r: (PortRange & { invert: boolean }) | undefined): string {
  if (!r || isFullRange(r)) return "";
  const inv = r.invert ? " !" : "";
  return r.from === r.to ? `${inv} --${opt} ${r.from}` : `${inv} --${opt} ${r.from}:${r.to}`;
}

export const tcpUdpPrinter: Printer<TcpUdp> = {
  print(m, _rule, numeric) {
    let s = ` ${m.kind}`;
    s += printPorts("spt", m.sport, m.kind, numeric);
    s += printPorts("dpt", m.dport, m.kind, numeric);
    if (m.option) s += ` option=${m.option.invert ? "!" : ""}${m.option.value}`;
    const f = m.tcpFlags;
    if (f) {
      const mask = bitsOf(f.mask);
      const comp = bitsOf(f.comp);
      if (mask || f.invert) {
        s += ` flags:${f.invert ? "!" : ""}`;
        s += numeric ? `0x${hex2(mask)}/0x${hex2(comp)}` : `${tcpf(mask)}/${tcpf(comp)}`;
      }
    }
    return s;
  },
  save(m) {
    let s = savePorts("sport", m.sport) + savePorts("dport", m.dport);
    if (m.option) s += `${m.option.invert ? " !" : ""} --tcp-option ${m.option.value}`;
    const f = m.tcpFlags;
    if (f && (bitsOf(f.mask) || f.invert)) {
      s += `${f.invert ? " !" : ""} --tcp-flags ${tcpf(bitsOf(f.mask))} ${tcpf(bitsOf(f.comp))}`;
    }
    return s;
  },
};

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, "0");
}
