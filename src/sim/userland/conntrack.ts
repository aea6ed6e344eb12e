// `conntrack` (conntrack-tools 1.4.7): -L/--dump [-p PROTO] [FILTERS] and -F/--flush of the
// namespace's conntrack table, with the tool's messages and exit codes.
import type { CommandResult } from "../../backend.js";
import {
  formatIp4,
  conntrackOf,
  type ConntrackTable,
  type CtEntry,
  type CtTuple,
  conntrackFlush,
} from "../kernel/netlink/index.js";
import {
  ADDRESS_OPTIONS,
  filterAddress,
  filterMark,
  filterNumber,
  matchesFilter,
  NAT_OPTIONS,
  PROTO_VALUE_OPTIONS,
  type CtFilter,
} from "./conntrack-filter.js";
import { CONNTRACK_USAGE } from "./conntrack-usage.js";
import { notSimulatedResult } from "./not-simulated.js";
import { Output, type ProgramContext } from "./program.js";

export const CONNTRACK_VERSION = "conntrack v1.4.7 (conntrack-tools)";

const PROTO_NAMES: Record<string, number> = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  dccp: 33,
  gre: 47,
  icmpv6: 58,
  sctp: 132,
  udplite: 136,
};

const NAME_OF: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp" };

// conntrack-tools 1.4.7's commands and options (conntrack.c) that the simulator does not
// model: other commands, filters, output formats.
const UNMODELLED = new Set(
  (
    "-G --get -D --delete -I --create -U --update -E --event -C --count -S --stats " +
    "-R --load-file -V --version " +
    "-t --timeout -c --secmark -u --status -e --event-mask -z --zero " +
    "-o --output -w --zone --orig-zone --reply-zone " +
    "-b --buffer-size -f --family -l --label --label-add --label-del -a --mask-src " +
    "--mask-dst --tuple-src --tuple-dst"
  ).split(" "),
);
/** Options of a protocol (tcp, udp, icmp), known to conntrack only after -p. */
const PROTO_OPTIONS = new Set(
  (
    "--sport --orig-port-src --dport --orig-port-dst --reply-port-src --reply-port-dst " +
    "--state --icmp-type --icmp-code --icmp-id --mask-port-src --mask-port-dst"
  ).split(" "),
);

/** The port options TCP and UDP share (conntrack's proto extensions). */
const PORT_OPTIONS = [
  "--sport",
  "--orig-port-src",
  "--dport",
  "--orig-port-dst",
  "--reply-port-src",
  "--reply-port-dst",
];

/** The options each protocol knows. */
const OPTIONS_OF_PROTO: Record<number, string[]> = {
  1: ["--icmp-type", "--icmp-code", "--icmp-id"],
  6: [...PORT_OPTIONS, "--state"],
  17: PORT_OPTIONS,
};

const TCP_STATES = new Set(
  "NONE SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT CLOSE_WAIT LAST_ACK TIME_WAIT CLOSE LISTEN".split(
    " ",
  ),
);

function fail(o: Output, msg: string): CommandResult {
  o.err(
    `${CONNTRACK_VERSION}: ${msg}\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`,
  );
  return o.result(2);
}

export function conntrack(ctx: ProgramContext): CommandResult {
  const o = new Output();
  let command: "list" | "flush" | undefined;
  let proto: number | undefined;
  const filter: CtFilter = {};
  const args = ctx.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-L" || a === "--dump" || a === "-F" || a === "--flush") {
      const c = a === "-L" || a === "--dump" ? "list" : "flush";
      if (command !== undefined && command !== c) return fail(o, "Invalid commands combination");
      command = c;
      // An optional table name follows the command.
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith("-")) {
        if (next !== "conntrack") return fail(o, `unknown type \`${next}'`);
        i++;
      }
      continue;
    }
    if (a === "-p" || a === "--protonum" || a === "--proto") {
      const v = args[++i];
      if (v === undefined) return fail(o, `option \`${a}' requires an argument`);
      const n = /^\d+$/.test(v) ? Number(v) : PROTO_NAMES[v.toLowerCase()];
      if (n === undefined || n > 255) return fail(o, `\`${v}' unsupported protocol`);
      proto = n;
      continue;
    }
    if (a === "-h" || a === "--help") continue;
    const addrKey = ADDRESS_OPTIONS[a];
    if (addrKey !== undefined) {
      const v = args[++i];
      if (v === undefined) return fail(o, `option \`${a}' requires an argument`);
      const ip = filterAddress(v);
      // A mask, an IPv6 address or a name: not modelled here.
      if (ip === undefined) return notSimulatedResult(`conntrack ${a} ${v}`);
      (filter as Record<string, unknown>)[addrKey] = ip;
      continue;
    }
    const natKey = NAT_OPTIONS[a];
    if (natKey !== undefined) {
      filter[natKey] = true;
      continue;
    }
    if (a === "-m" || a === "--mark") {
      const v = args[++i];
      if (v === undefined) return fail(o, `option \`${a}' requires an argument`);
      const m = filterMark(v);
      if (!m) return notSimulatedResult(`conntrack ${a} ${v}`);
      filter.mark = m;
      continue;
    }
    if (proto !== undefined && OPTIONS_OF_PROTO[proto]?.includes(a)) {
      const v = args[++i];
      if (v === undefined) return fail(o, `option \`${a}' requires an argument`);
      const key = PROTO_VALUE_OPTIONS[a]!;
      if (key === "state") {
        if (!TCP_STATES.has(v.toUpperCase())) return notSimulatedResult(`conntrack ${a} ${v}`);
        filter.state = v.toUpperCase();
      } else {
        const n = filterNumber(v, key.startsWith("icmp") && key !== "icmpId" ? 255 : 65535);
        if (n === undefined) return notSimulatedResult(`conntrack ${a} ${v}`);
        (filter as Record<string, unknown>)[key] = n;
      }
      continue;
    }
    // An option of another protocol than -p's is unknown to conntrack (icmp, tcp, udp).
    if (proto !== undefined && OPTIONS_OF_PROTO[proto] && PROTO_OPTIONS.has(a)) {
      const others = Object.values(OPTIONS_OF_PROTO).some((l) => l.includes(a));
      if (others) return fail(o, `unknown option \`${a}'`);
    }
    if (UNMODELLED.has(a) || (proto !== undefined && PROTO_OPTIONS.has(a)))
      return notSimulatedResult(`conntrack ${a}`);
    if (a.startsWith("-")) return fail(o, `unknown option \`${a}'`);
    return fail(o, `unknown type \`${a}'`);
  }
  if (command === undefined) {
    if (proto !== undefined) return fail(o, "Illegal option `--protonum' with this command");
    if (args.length === 0 || args.every((a) => a === "-h" || a === "--help")) {
      o.out(CONNTRACK_USAGE);
      return o.result(0);
    }
    return fail(o, "no command specified");
  }
  if (command === "flush") {
    if (proto !== undefined) return fail(o, "Illegal option `--protonum' with this command");
    if (Object.keys(filter).length > 0) return notSimulatedResult("conntrack -F with a filter");
    conntrackFlush(ctx.ns);
    o.err(`${CONNTRACK_VERSION}: connection tracking table has been emptied.\n`);
    return o.result(0);
  }
  const table = conntrackOf(ctx.ns);
  let n = 0;
  for (const ct of table.list()) {
    if (proto !== undefined && ct.proto !== proto) continue;
    if (!matchesFilter(ct, filter)) continue;
    o.out(`${formatEntry(table, ct)}\n`);
    n++;
  }
  o.err(`${CONNTRACK_VERSION}: ${n} flow entries have been shown.\n`);
  return o.result(0);
}

function tuple(t: CtTuple): string {
  const l4 =
    t.proto === 1
      ? `type=${t.dport >> 8} code=${t.dport & 255} id=${t.sport}`
      : `sport=${t.sport} dport=${t.dport}`;
  return `src=${formatIp4(t.src)} dst=${formatIp4(t.dst)} ${l4}`;
}

/** One line of `conntrack -L` (libnetfilter_conntrack's default output). */
export function formatEntry(table: ConntrackTable, ct: CtEntry): string {
  const name = NAME_OF[ct.proto] ?? "unknown";
  const parts = [`${name.padEnd(8)} ${ct.proto} ${table.timeoutSeconds(ct)}`];
  if (ct.tcpState) parts.push(ct.tcpState);
  parts.push(tuple(ct.tuple[0]));
  if (!ct.seenReply) parts.push("[UNREPLIED]");
  parts.push(tuple(ct.tuple[1]));
  if (ct.assured) parts.push("[ASSURED]");
  parts.push(`mark=${ct.mark}`, "use=1");
  return parts.join(" ");
}
