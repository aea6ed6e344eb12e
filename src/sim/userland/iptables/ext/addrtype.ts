// The addrtype match (libxt_addrtype.c, revision 1): route types of the source and
// destination address, any case and abbreviated, printed in RTN_* order.
import { type AddrType, type Match } from "../../../kernel/netlink/index.js";
import { paramProblem } from "../errors.js";
import type { MatchExt, ParseCall, Printer } from "./framework.js";

type Addrtype = Extract<Match, { kind: "addrtype" }>;

/** rtn_names[], in bit order. */
const TYPES: AddrType[] = [
  "UNSPEC",
  "UNICAST",
  "LOCAL",
  "BROADCAST",
  "ANYCAST",
  "MULTICAST",
  "BLACKHOLE",
  "UNREACHABLE",
  "PROHIBIT",
  "THROW",
  "NAT",
  "XRESOLVE",
];

const O_SRC = 0;
const O_DST = 1;
const O_IN = 2;
const O_OUT = 3;

function parseTypes(c: ParseCall): AddrType[] {
  const got = new Set<AddrType>();
  for (const word of c.arg!.split(",")) {
    const t = word === "" ? undefined : TYPES.find((n) => n.startsWith(word.toUpperCase()));
    if (!t) paramProblem(c.env.src, `addrtype: bad type "${word}"`);
    got.add(t);
  }
  return TYPES.filter((t) => got.has(t));
}

export const addrtypeExt: MatchExt<Addrtype, Addrtype> = {
  kind: "match",
  name: "addrtype",
  x6: true,
  options: [
    { name: "src-type", id: O_SRC, hasArg: 1, invert: true },
    { name: "dst-type", id: O_DST, hasArg: 1, invert: true },
    { name: "limit-iface-in", id: O_IN, hasArg: 0, excl: [O_OUT] },
    { name: "limit-iface-out", id: O_OUT, hasArg: 0, excl: [O_IN] },
  ],
  init: () => ({ kind: "addrtype", invertSrc: false, invertDst: false }),
  parse(d, c) {
    if (c.id === O_SRC) {
      d.srcType = parseTypes(c);
      d.invertSrc = c.invert;
    } else if (c.id === O_DST) {
      d.dstType = parseTypes(c);
      d.invertDst = c.invert;
    } else if (c.id === O_IN) d.limitIfaceIn = true;
    else d.limitIfaceOut = true;
  },
  final(d, _x, env) {
    if (!d.srcType && !d.dstType)
      paramProblem(env.src, "addrtype: you must specify --src-type or --dst-type");
  },
  build: (d) => d,
};

export const addrtypePrinter: Printer<Addrtype> = {
  print(m) {
    let s = " ADDRTYPE match";
    if (m.srcType) s += ` src-type ${m.invertSrc ? "!" : ""}${m.srcType.join(",")}`;
    if (m.dstType) s += ` dst-type ${m.invertDst ? "!" : ""}${m.dstType.join(",")}`;
    if (m.limitIfaceIn) s += " limit-in";
    if (m.limitIfaceOut) s += " limit-out";
    return s;
  },
  save(m) {
    let s = "";
    if (m.srcType) s += `${m.invertSrc ? " !" : ""} --src-type ${m.srcType.join(",")}`;
    if (m.dstType) s += `${m.invertDst ? " !" : ""} --dst-type ${m.dstType.join(",")}`;
    if (m.limitIfaceIn) s += " --limit-iface-in";
    if (m.limitIfaceOut) s += " --limit-iface-out";
    return s;
  },
};
