// The icmp match (libipt_icmp.c, 1.8.9): a type by name (any unambiguous prefix, any
// case), number or type/code. Listing prints the name when one fits exactly; numerically
// it prints "icmptype 8" (no space: iptables' own quirk).
import { type Match } from "../../../kernel/netlink/index.js";
import { paramProblem } from "../errors.js";
import { strtoui } from "../num.js";
import type { MatchExt, Printer } from "./framework.js";

type Icmp = Extract<Match, { kind: "icmp" }>;

/** [name, type, code min, code max]; 0xFF/0-255 mean any. */
const ICMP_CODES: [string, number, number, number][] = [
  ["any", 0xff, 0, 0xff],
  ["echo-reply", 0, 0, 0xff],
  ["pong", 0, 0, 0xff],
  ["destination-unreachable", 3, 0, 0xff],
  ["network-unreachable", 3, 0, 0],
  ["host-unreachable", 3, 1, 1],
  ["protocol-unreachable", 3, 2, 2],
  ["port-unreachable", 3, 3, 3],
  ["fragmentation-needed", 3, 4, 4],
  ["source-route-failed", 3, 5, 5],
  ["network-unknown", 3, 6, 6],
  ["host-unknown", 3, 7, 7],
  ["network-prohibited", 3, 9, 9],
  ["host-prohibited", 3, 10, 10],
  ["TOS-network-unreachable", 3, 11, 11],
  ["TOS-host-unreachable", 3, 12, 12],
  ["communication-prohibited", 3, 13, 13],
  ["host-precedence-violation", 3, 14, 14],
  ["precedence-cutoff", 3, 15, 15],
  ["source-quench", 4, 0, 0xff],
  ["redirect", 5, 0, 0xff],
  ["network-redirect", 5, 0, 0],
  ["host-redirect", 5, 1, 1],
  ["TOS-network-redirect", 5, 2, 2],
  ["TOS-host-redirect", 5, 3, 3],
  ["echo-request", 8, 0, 0xff],
  ["ping", 8, 0, 0xff],
  ["router-advertisement", 9, 0, 0xff],
  ["router-solicitation", 10, 0, 0xff],
  ["time-exceeded", 11, 0, 0xff],
  ["ttl-exceeded", 11, 0, 0xff],
  ["ttl-zero-during-transit", 11, 0, 0],
  ["ttl-zero-during-reassembly", 11, 1, 1],
  ["parameter-problem", 12, 0, 0xff],
  ["ip-header-bad", 12, 0, 0],
  ["required-option-missing", 12, 1, 1],
  ["timestamp-request", 13, 0, 0xff],
  ["timestamp-reply", 14, 0, 0xff],
  ["address-mask-request", 17, 0, 0xff],
  ["address-mask-reply", 18, 0, 0xff],
];

interface IcmpData {
  type: number;
  codeMin: number;
  codeMax: number;
  invert: boolean;
}

export const icmpExt: MatchExt<IcmpData, Icmp> = {
  kind: "match",
  name: "icmp",
  x6: true,
  options: [{ name: "icmp-type", id: 0, hasArg: 1, invert: true, mand: true }],
  init: () => ({ type: 0xff, codeMin: 0, codeMax: 0xff, invert: false }),
  parse(d, c) {
    const arg = c.arg!;
    const hits = ICMP_CODES.filter(([n]) => n.toLowerCase().startsWith(arg.toLowerCase()));
    if (hits.length > 1) {
      paramProblem(
        c.env.src,
        `Ambiguous ICMP type \`${arg}': \`${hits[0]![0]}' or \`${hits[1]![0]}'?`,
      );
    }
    d.invert = c.invert;
    if (hits.length === 1) {
      [, d.type, d.codeMin, d.codeMax] = hits[0]!;
      return;
    }
    const [t, code] = arg.split("/", 2);
    const type = strtoui(t!, 0, 255);
    if (type === undefined) paramProblem(c.env.src, `Unknown ICMP type \`${arg}'`);
    d.type = type;
    if (code === undefined) return;
    const cv = strtoui(code, 0, 255);
    if (cv === undefined) paramProblem(c.env.src, `Unknown ICMP code \`${arg}'`);
    d.codeMin = d.codeMax = cv;
  },
  build(d) {
    const m: Icmp = { kind: "icmp", type: d.type, invert: d.invert };
    if (d.codeMin === d.codeMax) m.code = d.codeMin;
    return m;
  },
};

function codes(m: Icmp): [number, number] {
  return m.code === undefined ? [0, 0xff] : [m.code, m.code];
}

export const icmpPrinter: Printer<Icmp> = {
  print(m, _rule, numeric) {
    const [lo, hi] = codes(m);
    if (!numeric) {
      const e = ICMP_CODES.find(([, t, a, b]) => t === m.type && a === lo && b === hi);
      if (e) return ` icmp ${m.invert ? "!" : ""}${e[0]}`;
    }
    let s = ` icmp${m.invert ? " !" : ""}type ${m.type}`;
    if (lo === hi) s += ` code ${lo}`;
    else if (lo !== 0 || hi !== 0xff) s += ` codes ${lo}-${hi}`;
    return s;
  },
  save(m) {
    const inv = m.invert ? " !" : "";
    if (m.type === 0xff) return `${inv} --icmp-type any`;
    return `${inv} --icmp-type ${m.type}${m.code !== undefined ? `/${m.code}` : ""}`;
  },
};
