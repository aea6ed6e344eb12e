// The multiport match (libxt_multiport.c, revision 1): up to 15 ports, a range taking
// two; it needs -p tcp, udp, udplite, sctp or dccp given before it.
import { type Match, type PortRange } from "../../../kernel/netlink/index.js";
import { paramProblem } from "../errors.js";
import type { MatchExt, ParseCall, Printer } from "./framework.js";
import { parsePort, portText } from "./ports.js";

type Multiport = Extract<Match, { kind: "multiport" }>;

const MULTI_PORTS = 15;
const PROTOS: Record<number, string> = {
  6: "tcp",
  17: "udp",
  136: "udplite",
  132: "sctp",
  33: "dccp",
};

/** check_proto: the protocol name the ports are looked up for. */
function checkProto(c: ParseCall): string {
  const p = c.env.proto();
  const only = "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP";
  if (p?.invert) paramProblem(c.env.src, only);
  const name = p ? PROTOS[p.num] : undefined;
  if (name) return name;
  if (!p || p.num === 0)
    paramProblem(
      c.env.src,
      "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
    );
  paramProblem(c.env.src, only);
}

/** parse_multi_ports_v1. */
function parsePorts(c: ParseCall, proto: string): PortRange[] {
  const out: PortRange[] = [];
  let slots = 0;
  for (const item of c.arg!.split(",")) {
    if (slots >= MULTI_PORTS) paramProblem(c.env.src, "too many ports specified");
    const colon = item.indexOf(":");
    if (colon >= 0 && slots === MULTI_PORTS - 1)
      paramProblem(c.env.src, "too many ports specified");
    const from = parsePort(c.env.src, colon >= 0 ? item.slice(0, colon) : item, proto);
    if (colon < 0) {
      out.push({ from, to: from });
      slots++;
      continue;
    }
    const to = parsePort(c.env.src, item.slice(colon + 1), proto);
    if (from >= to) paramProblem(c.env.src, "invalid portrange specified");
    out.push({ from, to });
    slots += 2;
  }
  return out;
}

const WHICH = ["sports", "dports", "ports"] as const;

export const multiportExt: MatchExt<Partial<Multiport>, Multiport> = {
  kind: "match",
  name: "multiport",
  x6: true,
  options: [
    { name: "source-ports", id: 0, hasArg: 1, invert: true, excl: [1, 2] },
    { name: "sports", id: 0, hasArg: 1, invert: true, excl: [1, 2] },
    { name: "destination-ports", id: 1, hasArg: 1, invert: true, excl: [0, 2] },
    { name: "dports", id: 1, hasArg: 1, invert: true, excl: [0, 2] },
    { name: "ports", id: 2, hasArg: 1, invert: true, excl: [0, 1] },
  ],
  init: () => ({ kind: "multiport", invert: false }),
  parse(d, c) {
    const proto = checkProto(c);
    d.ports = parsePorts(c, proto);
    d.which = WHICH[c.id];
    if (c.invert) d.invert = true;
  },
  final(_d, xflags, env) {
    if (xflags.size === 0) paramProblem(env.src, "multiport expection an option");
  },
  build: (d) => ({ kind: "multiport", ports: d.ports!, which: d.which!, invert: d.invert! }),
};

function list(m: Multiport, proto: string | undefined, numeric: boolean): string {
  return m.ports
    .map((r) =>
      r.from === r.to
        ? portText(r.from, proto, numeric)
        : `${portText(r.from, proto, numeric)}:${portText(r.to, proto, numeric)}`,
    )
    .join(",");
}

export const multiportPrinter: Printer<Multiport> = {
  print(m, rule, numeric) {
    const proto = rule.proto && !rule.proto.invert ? PROTOS[rule.proto.num ?? 0] : undefined;
    return ` multiport ${m.which} ${m.invert ? " !" : ""}${list(m, proto, numeric)}`;
  },
  save: (m) => `${m.invert ? " !" : ""} --${m.which} ${list(m, undefined, true)}`,
};
