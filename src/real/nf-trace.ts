// The kernel's own account of a probe's way through netfilter, in the sandbox.
//
// nftables tracing is per network namespace: in each one packetwalk loads a table of its
// own whose chains, first at the prerouting and output hooks (priority -500), set nftrace
// on every IPv4 packet, and runs xtables-monitor there, which prints each traced rule and
// policy in iptables' words. The learner's tables are not touched: their rules, listings
// and counters stay as they were, and the table is deleted when the trace stops.
//
// A monitor only sees events after it has bound its netlink socket. To know that it has,
// and later that it has printed everything the kernel already sent it, packetwalk adds an
// empty chain to its table and waits for the monitor to print that event: netlink
// delivers a socket's messages in order, so every trace event sent before is printed.
import type { NfPathPacket } from "../backend/trace-types.js";
import { findProgram } from "./paths.js";
import type { Sandbox } from "./sandbox.js";
import {
  parseXtablesTrace,
  rulePositions,
  TRACE_TABLE,
  type RulePositions,
} from "./xtables-trace.js";

export interface NfTraceResult {
  /** Per namespace ("" first, then by name), each packet in the order it was first seen. */
  packets: NfPathPacket[];
  /** What may make the trace incomplete (a monitor that died, a sync that timed out). */
  warnings: string[];
}

/**
 * A namespace `ip netns` does not name, entered by its file: a Docker container's, which
 * dockerd keeps under /run/docker/netns. `name` is what traces call it ("web (container)",
 * as the simulator's walks do).
 */
export interface NsFile {
  name: string;
  path: string;
}

export interface NfTraceSession {
  /** The traced namespaces: "" (the sandbox's own), then those given, by name. */
  readonly namespaces: readonly string[];
  /**
   * Stops marking new packets, in every namespace at once: packets already marked are
   * still traced to their end. The cut is a line written to an `nft -i` that runs from
   * start() on, so it takes effect within milliseconds, with no process to start: the
   * trace then ends at a point in time the caller chooses, not when stop() gets round
   * to it (a TCP retransmission due soon after must fall outside on every machine).
   */
  cut(): Promise<void>;
  /** Collects the trace and removes the trace tables. Safe to call more than once. */
  stop(): Promise<NfTraceResult>;
}

/**
 * How long a monitor may take to show that it listens, or to catch up when stopping. It
 * runs at nice 19: on a machine whose cores are both busy it may wait seconds for a slice.
 * Waiting ends as soon as the event shows, so a long bound costs nothing when all is well.
 */
const SYNC_TIMEOUT_MS = 20_000;
/**
 * If a sync chain's event has not shown after this long, another is added: the monitor
 * may have bound its socket just after the first was added, and then never sees it.
 */
const RESYNC_MS = 500;
/** How often the monitor's output is looked at while waiting for a sync event. */
const POLL_MS = 10;
/**
 * Waited before the final sync. A packet sent just before the probe exited may still be
 * in a backlog queue (a veth hands it to the peer namespace through netif_rx, processed
 * in softirq, possibly on another CPU); its events follow within microseconds.
 * Packets the kernel sends later on its own (a FIN exchange, a delayed ACK) are the
 * caller's to wait for, before stop().
 */
const IN_FLIGHT_MS = 10;

/** Programs the trace needs, and the Debian package of each. */
const TOOLS = [
  { program: "nft", pkg: "nftables" },
  { program: "xtables-monitor", pkg: "iptables" },
  { program: "stdbuf", pkg: "coreutils" },
  { program: "nice", pkg: "coreutils" },
] as const;

/** Chains of the trace table: name and hook. */
const HOOKS = [
  ["pre", "prerouting"],
  ["out", "output"],
] as const;

/**
 * One rule per protocol, so the trace says which (xtables-monitor prints the rule as
 * `-p icmp`; for ICMP the packet line shows no protocol at all). Multicast is left out:
 * the IGMP reports a bridge sends would be noise.
 */
const MARK_RULES = [
  "ip protocol icmp",
  "ip protocol udp",
  "ip protocol tcp",
  "ip protocol != { icmp, udp, tcp }",
].map((m) => `ip daddr != 224.0.0.0/4 ${m} meta nftrace set 1`);

/**
 * The nft script that (re)creates the trace table. Declaring and deleting it first
 * replaces one a crashed run may have left, in the same transaction.
 */
export function traceTableScript(): string {
  const chains = HOOKS.map(
    ([name, hook]) =>
      `  chain ${name} {\n    type filter hook ${hook} priority -500; policy accept;\n` +
      MARK_RULES.map((r) => `    ${r}\n`).join("") +
      "  }\n",
  );
  return (
    `table ip ${TRACE_TABLE}\ndelete table ip ${TRACE_TABLE}\n` +
    `table ip ${TRACE_TABLE} {\n${chains.join("")}}\n`
  );
}

/** Why tracing cannot work on this machine, or undefined. */
export function missingTraceTools(): string | undefined {
  const missing = TOOLS.filter((t) => findProgram(t.program) === undefined);
  if (missing.length === 0) return undefined;
  const names = missing.map((t) => t.program).join(", ");
  const pkgs = [...new Set(missing.map((t) => t.pkg))].join(" ");
  return `cannot trace netfilter: ${names} not found (apt-get install ${pkgs})`;
}

/** Network namespaces of the sandbox, as `ip netns list` names them. */
export async function listNamespaces(sandbox: Sandbox): Promise<string[]> {
  const r = await sandbox.exec({ argv: ["ip", "netns", "list"], background: false });
  if (r.exit !== 0) throw new Error(`ip netns list: ${r.stderr.trim() || `exit ${r.exit}`}`);
  // "c1 (id: 0)": the name is the first word.
  return r.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0] ?? "")
    .filter((n) => n !== "");
}

const label = (ns: string): string =>
  ns === "" ? "the sandbox's namespace" : ns.endsWith(")") ? ns : `namespace ${ns}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let sessions = 0;

/** Tracing in one namespace: its trace table and its monitor. */
class NsTrace {
  private syncs = 0;
  private readonly monitor: string;
  /** An `nft -i` in the namespace, fed the cut when it is due. */
  private readonly cutter: string;

  /**
   * `file`: the namespace's file, for one `ip netns` does not name (entered with nsenter;
   * `ip netns exec` takes only a name). Monitors are named by position: a container's
   * name holds a space.
   */
  constructor(
    private readonly sandbox: Sandbox,
    readonly ns: string,
    session: number,
    index: number,
    private readonly file?: string,
  ) {
    this.monitor = `nf-trace-${session}-${index}`;
    this.cutter = `nf-cut-${session}-${index}`;
  }

  /** argv run in this namespace. */
  private inNs(argv: string[]): string[] {
    if (this.file !== undefined) return ["nsenter", `--net=${this.file}`, "--", ...argv];
    return this.ns === "" ? argv : ["ip", "netns", "exec", this.ns, ...argv];
  }

  private async nft(args: string[], stdin?: string): Promise<{ exit: number; out: string }> {
    const r = await this.sandbox.exec({
      argv: this.inNs(["nft", ...args]),
      background: false,
      ...(stdin !== undefined ? { stdin } : {}),
    });
    if (r.exit === 0) return { exit: 0, out: r.stdout };
    const why = r.stderr.trim().split("\n")[0] || `exit ${r.exit}`;
    return { exit: r.exit, out: `nft ${args.join(" ")} in ${label(this.ns)}: ${why}` };
  }

  /** Loads the table and starts the monitor, at once: the sync after it needs both. */
  async start(): Promise<void> {
    // stdbuf -oL: into a pipe, xtables-monitor's stdout is fully buffered, and SIGTERM
    // would lose what it holds. nice 19: the monitor looks each rule up as it prints it,
    // and must not take the CPU from the probe's own programs (whose timing races the
    // kernel's timers, e.g. a server closing within the 40 ms of a delayed ACK); the
    // netlink socket holds the events until it reads them, and stop() waits for that.
    const argv = this.inNs(["nice", "-n", "19", "stdbuf", "-oL", "xtables-monitor", "-t", "-e"]);
    const [load, monitor, cutter] = await Promise.all([
      this.nft(["-f", "-"], traceTableScript()),
      this.sandbox.startMonitor(this.monitor, argv),
      this.sandbox.startMonitor(this.cutter, this.inNs(["nft", "-i"])),
    ]);
    if (load.exit !== 0) throw new Error(load.out);
    if (monitor.exit !== 0) {
      throw new Error(`xtables-monitor in ${label(this.ns)}: ${monitor.stderr.trim()}`);
    }
    if (cutter.exit !== 0) throw new Error(`nft -i in ${label(this.ns)}: ${cutter.stderr.trim()}`);
    const problem = await this.sync();
    if (problem !== undefined) throw new Error(problem);
  }

  /**
   * Adds an empty chain and waits until the monitor prints its event: then it listens,
   * and has printed every event sent before. Returns what went wrong, if anything.
   */
  async sync(): Promise<string | undefined> {
    const end = Date.now() + SYNC_TIMEOUT_MS;
    const added: string[] = [];
    let nextAdd = 0;
    while (Date.now() < end) {
      if (Date.now() >= nextAdd) {
        const chain = `sync${++this.syncs}`;
        const r = await this.nft(["add", "chain", "ip", TRACE_TABLE, chain]);
        if (r.exit !== 0) return r.out;
        added.push(`EVENT: -4 -t ${TRACE_TABLE} -N ${chain}`);
        nextAdd = Date.now() + RESYNC_MS;
      }
      const seen = await this.sandbox.peekMonitor(this.monitor);
      if (seen.stdout.split("\n").some((l) => added.includes(l.trim()))) return undefined;
      if (!seen.running) return this.ended(seen.exit, seen.stderr);
      await sleep(POLL_MS);
    }
    return `xtables-monitor in ${label(this.ns)} did not report a ruleset change within ${SYNC_TIMEOUT_MS / 1000} s; its trace may be incomplete`;
  }

  private ended(exit: number, stderr: string): string {
    const why = stderr.trim() || `exit ${exit}`;
    return `xtables-monitor in ${label(this.ns)} ended early (${why}); its trace may be incomplete`;
  }

  /**
   * Puts an accept first in each marking chain: no packet is marked from now on. Not a
   * flush: a monitor still printing earlier trace events looks their rules up, and one
   * that finds its rule gone exits ("No such file or directory"), as a busy machine showed.
   * The cutter applies its lines in order, so the chain it adds last tells, once the
   * monitor prints it, that the accepts are in place: only then does cut() return. A
   * monitor that died or lags past the timeout is reported when the session stops.
   */
  async cut(): Promise<void> {
    const chain = `cut${++this.syncs}`;
    const lines = [
      ...HOOKS.map(([name]) => `insert rule ip ${TRACE_TABLE} ${name} accept\n`),
      `add chain ip ${TRACE_TABLE} ${chain}\n`,
    ];
    await this.sandbox.writeMonitor(this.cutter, lines.join(""));
    const event = `EVENT: -4 -t ${TRACE_TABLE} -N ${chain}`;
    const end = Date.now() + SYNC_TIMEOUT_MS;
    while (Date.now() < end) {
      const seen = await this.sandbox.peekMonitor(this.monitor);
      if (seen.stdout.split("\n").some((l) => l.trim() === event)) return;
      if (!seen.running) return;
      await sleep(POLL_MS);
    }
  }

  /** Ends the cutter; what it complained of, if anything (a cut that failed). */
  async stopCutter(): Promise<string | undefined> {
    const r = await this.sandbox.stopMonitor(this.cutter);
    const err = r.stderr.trim();
    return err === "" ? undefined : `nft -i in ${label(this.ns)}: ${err}`;
  }

  /** Ends the monitor: its output, and what went wrong with it. */
  async stopMonitor(): Promise<{ text: string; warnings: string[] }> {
    const r = await this.sandbox.stopMonitor(this.monitor);
    const warnings: string[] = [];
    // SIGTERM is how it is meant to end; any other end, or a complaint, is news.
    if (r.exit !== 128 + 15 && r.exit !== 0) warnings.push(this.ended(r.exit, r.stderr));
    else if (r.stderr.trim() !== "")
      warnings.push(`xtables-monitor in ${label(this.ns)}: ${r.stderr.trim()}`);
    return { text: r.stdout, warnings };
  }

  /** Where each rule of the namespace's ip tables sits in its chain, by handle. */
  async positions(): Promise<{ positions?: RulePositions; warning?: string }> {
    const r = await this.nft(["-a", "list", "ruleset"]);
    if (r.exit !== 0) return { warning: `${r.out}; rule numbers left out` };
    return { positions: rulePositions(r.out) };
  }

  async dropTable(): Promise<string | undefined> {
    const r = await this.nft(["delete", "table", "ip", TRACE_TABLE]);
    return r.exit === 0 ? undefined : r.out;
  }

  /** Undoes start() as far as it got; for a start that failed elsewhere. */
  async abandon(): Promise<void> {
    await this.sandbox.stopMonitor(this.monitor).catch(() => undefined);
    await this.sandbox.stopMonitor(this.cutter).catch(() => undefined);
    await this.dropTable().catch(() => undefined);
  }
}

/**
 * Once the monitor has caught up, the rest can go at once: deleting the table only adds
 * ruleset events to the monitor's output, and the listing skips our table anyway.
 */
async function collect(t: NsTrace): Promise<{ packets: NfPathPacket[]; warnings: string[] }> {
  const warnings: string[] = [];
  const synced = await t.sync();
  if (synced !== undefined) warnings.push(synced);
  const [monitor, { positions, warning }, dropped, cutter] = await Promise.all([
    t.stopMonitor(),
    t.positions(),
    t.dropTable(),
    t.stopCutter(),
  ]);
  const { text, warnings: monitorWarnings } = monitor;
  warnings.push(...monitorWarnings);
  if (cutter !== undefined) warnings.push(cutter);
  if (warning !== undefined) warnings.push(warning);
  if (dropped !== undefined) warnings.push(dropped);
  // A monitor that died is reported by both the sync and the stop.
  return { packets: parseXtablesTrace(t.ns, text, positions), warnings: [...new Set(warnings)] };
}

/**
 * Starts tracing every IPv4 packet in the sandbox's own namespace, in `namespaces`
 * (names as `ip netns list` shows them, see listNamespaces) and in `files` (containers'
 * namespaces). When it resolves, the monitors listen: run the probe, then stop() the
 * session.
 */
export async function startNfTrace(
  sandbox: Sandbox,
  namespaces: string[],
  files: readonly NsFile[] = [],
): Promise<NfTraceSession> {
  const missing = missingTraceTools();
  if (missing !== undefined) throw new Error(missing);
  const session = ++sessions;
  const byName = new Map<string, string | undefined>();
  for (const n of namespaces) if (n !== "") byName.set(n, undefined);
  for (const f of files) if (f.name !== "" && !byName.has(f.name)) byName.set(f.name, f.path);
  const names = ["", ...[...byName.keys()].sort()];
  const traces = names.map((ns, i) => new NsTrace(sandbox, ns, session, i, byName.get(ns)));
  const started = await Promise.allSettled(traces.map((t) => t.start()));
  const failed = started.flatMap((s) => (s.status === "rejected" ? [s.reason] : []));
  if (failed.length > 0) {
    await Promise.all(traces.map((t) => t.abandon()));
    throw failed[0] instanceof Error ? failed[0] : new Error(String(failed[0]));
  }

  let stopping: Promise<NfTraceResult> | undefined;
  let cutting: Promise<void> | undefined;
  return {
    namespaces: names,
    cut(): Promise<void> {
      cutting ??= Promise.all(traces.map((t) => t.cut())).then(() => undefined);
      return cutting;
    },
    stop(): Promise<NfTraceResult> {
      stopping ??= (async () => {
        await sleep(IN_FLIGHT_MS);
        const results = await Promise.all(traces.map(collect));
        return {
          packets: results.flatMap((r) => r.packets),
          warnings: results.flatMap((r) => r.warnings),
        };
      })();
      return stopping;
    },
  };
}
