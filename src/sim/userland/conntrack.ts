// `conntrack` (conntrack-tools 1.4.7): -L/--dump [-p PROTO] and -F/--flush of the
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
    "-s --src --orig-src -d --dst --orig-dst -r --reply-src -q --reply-dst " +
    "-t --timeout -m --mark -c --secmark -u --status -e --event-mask -z --zero " +
    "-o --output -n --src-nat -g --dst-nat -j --any-nat -w --zone --orig-zone --reply-zone " +
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
    conntrackFlush(ctx.ns);
    o.err(`${CONNTRACK_VERSION}: connection tracking table has been emptied.\n`);
    return o.result(0);
  }
  const table = conntrackOf(ctx.ns);
  let n = 0;
  for (const ct of table.list()) {
    if (proto !== undefined && ct.proto !== proto) continue;
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
