// The NAT targets (libxt_NAT.c in 1.8.9: SNAT, DNAT, MASQUERADE, REDIRECT). Addresses are
// a.b.c.d[-a.b.c.d], ports :p[-q]; ports need -p tcp, udp, sctp, dccp or icmp before the
// option. Listing prints "to:RANGE", "masq ports: P", "redir ports P".
import {
  type NatRange,
  type PortRange,
  type Target,
  formatIp4,
  parseIp4,
} from "../../../kernel/netlink/index.js";
import { paramProblem } from "../errors.js";
import { servicePort } from "../netdb.js";
import { strtouiPrefix } from "../num.js";
import type { ParseCall, Printer, TargetExt } from "./framework.js";

type Snat = Extract<Target, { kind: "SNAT" }>;
type Dnat = Extract<Target, { kind: "DNAT" }>;
type Masq = Extract<Target, { kind: "MASQUERADE" }>;
type Redir = Extract<Target, { kind: "REDIRECT" }>;

const PORT_PROTOS = [6, 17, 132, 33, 1];

function portsAllowed(c: ParseCall): void {
  const p = c.env.proto();
  if (!p || p.invert || !PORT_PROTOS.includes(p.num))
    paramProblem(c.env.src, "Need TCP, UDP, SCTP or DCCP with port specification");
}

function onePort(c: ParseCall, s: string): { value: number; rest: string } {
  const n = strtouiPrefix(s, 0, 65535);
  if (n) return n;
  const svc = servicePort(s, "tcp") ?? servicePort(s, "udp");
  if (svc === undefined) paramProblem(c.env.src, `Port \`${s}' not valid`);
  return { value: svc, rest: "" };
}

/** parse_ports: "p" or "p-q". */
function parsePorts(c: ParseCall, s: string): PortRange {
  const lo = onePort(c, s);
  if (lo.rest === "") return { from: lo.value, to: lo.value };
  if (!lo.rest.startsWith("-")) paramProblem(c.env.src, `Garbage after port value: \`${lo.rest}'`);
  const maxText = lo.rest.slice(1);
  const hi = onePort(c, maxText);
  if (hi.rest !== "") paramProblem(c.env.src, `Garbage after port range: \`${hi.rest}'`);
  if (hi.value < lo.value) paramProblem(c.env.src, `Port range \`${maxText}' funky`);
  return { from: lo.value, to: hi.value };
}

/** parse_to: [addr[-addr]][:port[-port]]. */
function parseRange(c: ParseCall): NatRange {
  const arg = c.arg!;
  const range: NatRange = {};
  const colon = arg.indexOf(":");
  let addrs = arg;
  if (colon >= 0) {
    portsAllowed(c);
    range.ports = parsePorts(c, arg.slice(colon + 1));
    if (colon === 0) return range;
    addrs = arg.slice(0, colon);
  }
  const dash = addrs.indexOf("-");
  const first = dash >= 0 ? addrs.slice(0, dash) : addrs;
  const from = parseIp4(first);
  if (from === undefined) paramProblem(c.env.src, `Bad IP address "${first}"`);
  range.from = from;
  range.to = from;
  if (dash >= 0) {
    const second = addrs.slice(dash + 1);
    const to = parseIp4(second);
    if (to === undefined) paramProblem(c.env.src, `Bad IP address "${second}"`);
    range.to = to;
  }
  return range;
}

const RANDOM = 10;
const RANDOM_FULLY = 11;
const PERSISTENT = 12;

function flag(d: { random?: boolean; randomFully?: boolean; persistent?: boolean }, id: number) {
  if (id === RANDOM) d.random = true;
  if (id === RANDOM_FULLY) d.randomFully = true;
  if (id === PERSISTENT) d.persistent = true;
}

export const snatExt: TargetExt<Snat, Snat> = {
  kind: "target",
  name: "SNAT",
  x6: true,
  options: [
    { name: "to-source", id: 0, hasArg: 1, mand: true },
    { name: "random", id: RANDOM, hasArg: 0 },
    { name: "random-fully", id: RANDOM_FULLY, hasArg: 0 },
    { name: "persistent", id: PERSISTENT, hasArg: 0 },
  ],
  init: () => ({ kind: "SNAT", to: [] }),
  parse(d, c) {
    if (c.id === 0) d.to = [parseRange(c)];
    else flag(d, c.id);
  },
  build: (d) => d,
};

export const dnatExt: TargetExt<Dnat, Dnat> = {
  kind: "target",
  name: "DNAT",
  x6: true,
  options: [
    { name: "to-destination", id: 0, hasArg: 1, mand: true },
    { name: "random", id: RANDOM, hasArg: 0 },
    { name: "persistent", id: PERSISTENT, hasArg: 0 },
  ],
  init: () => ({ kind: "DNAT", to: [] }),
  parse(d, c) {
    if (c.id === 0) d.to = [parseRange(c)];
    else flag(d, c.id);
  },
  build: (d) => d,
};

export const masqueradeExt: TargetExt<Masq, Masq> = {
  kind: "target",
  name: "MASQUERADE",
  x6: true,
  options: [
    { name: "to-ports", id: 0, hasArg: 1 },
    { name: "random", id: RANDOM, hasArg: 0 },
    { name: "random-fully", id: RANDOM_FULLY, hasArg: 0 },
  ],
  init: () => ({ kind: "MASQUERADE" }),
  parse(d, c) {
    if (c.id === 0) {
      portsAllowed(c);
      d.toPorts = parsePorts(c, c.arg!);
    } else flag(d, c.id);
  },
  build: (d) => d,
};

export const redirectExt: TargetExt<Redir, Redir> = {
  kind: "target",
  name: "REDIRECT",
  x6: true,
  options: [
    { name: "to-ports", id: 0, hasArg: 1 },
    { name: "random", id: RANDOM, hasArg: 0 },
  ],
  init: () => ({ kind: "REDIRECT" }),
  parse(d, c) {
    if (c.id === 0) {
      portsAllowed(c);
      d.toPorts = parsePorts(c, c.arg!);
    } else flag(d, c.id);
  },
  build: (d) => d,
};

function ports(p: PortRange): string {
  return p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`;
}

function rangeText(r: NatRange): string {
  let s = "";
  if (r.from !== undefined) {
    s += formatIp4(r.from);
    if (r.to !== undefined && r.to !== r.from) s += `-${formatIp4(r.to)}`;
  }
  if (r.ports) s += `:${ports(r.ports)}`;
  return s;
}

function flags(t: { random?: boolean; randomFully?: boolean; persistent?: boolean }, dash: string) {
  let s = "";
  if (t.random) s += ` ${dash}random`;
  if (t.randomFully) s += ` ${dash}random-fully`;
  if (t.persistent) s += ` ${dash}persistent`;
  return s;
}

export const natPrinter: Printer<Snat | Dnat> = {
  print: (t) => t.to.map((r) => ` to:${rangeText(r)}`).join("") + flags(t, ""),
  save(t) {
    const opt = t.kind === "SNAT" ? "--to-source" : "--to-destination";
    return t.to.map((r) => ` ${opt} ${rangeText(r)}`).join("") + flags(t, "--");
  },
};

export const masqueradePrinter: Printer<Masq> = {
  print: (t) => (t.toPorts ? ` masq ports: ${ports(t.toPorts)}` : "") + flags(t, ""),
  save: (t) => (t.toPorts ? ` --to-ports ${ports(t.toPorts)}` : "") + flags(t, "--"),
};

export const redirectPrinter: Printer<Redir> = {
  print: (t) => (t.toPorts ? ` redir ports ${ports(t.toPorts)}` : "") + flags(t, ""),
  save: (t) => (t.toPorts ? ` --to-ports ${ports(t.toPorts)}` : "") + flags(t, "--"),
};
