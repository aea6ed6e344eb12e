// The one interface both machines implement: run a lab command, get what it printed.
import type { NfPathPacket, TraceEntry } from "./backend/trace-types.js";
import type { LabCommand } from "./script/types.js";
import type { Topology } from "./backend/topology.js";

export * from "./backend/ids.js";
export type * from "./backend/topology.js";

/**
 * How long one command may run before the kernel backend kills it (exit 124, as
 * timeout(1) reports it); `packetwalk run --timeout` changes it for both backends.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 20_000;

export interface CommandResult {
  exit: number;
  stdout: string;
  stderr: string;
  /**
   * What a daemon did in the kernel for this line (the simulated docker: each netlink
   * call, iptables and sysctl run, in order), for `run` to show under the line.
   */
  performed?: PerformedOp[];
}

/** One kernel operation a daemon performed, as the command a learner would type for it. */
export interface PerformedOp {
  /** Where: "" for the host's namespace, else the namespace's path (/run/docker/netns/<id>). */
  where: string;
  text: string;
}

export interface HostProfile {
  /** Name shown to people ("docker-host", "machine", or a file path). */
  name: string;
  /**
   * IPv4 settings a new namespace copies from the machine's initial namespace
   * (net.ipv4.ip_forward and net.ipv4.conf.{all,default}.*), as sysctl keys.
   */
  ipv4: Record<string, string>;
  /** br_netfilter loaded: net.bridge.bridge-nf-call-* exist (value per key) or null when absent. */
  brNetfilter: Record<string, string> | null;
}

export interface Backend<A extends TraceAccount = TraceAccount> {
  readonly kind: "sim" | "kernel";
  /**
   * run() may be called again before the last call settled, and the lines still run one
   * after the other in call order (the kernel's: the next lines are on their way while one
   * runs). Absent: await each run() before the next.
   */
  readonly ordered?: boolean;
  /** Runs one command; a background job (`&`) returns exit 0 at once. */
  run(cmd: LabCommand): Promise<CommandResult>;
  /**
   * Runs one command (a probe) with its packets traced, and follows them for SETTLE_MS
   * (backend/trace-types.ts) after it ends: what it printed, and the backend's account.
   */
  trace(cmd: LabCommand, opts?: TraceOptions): Promise<Traced<A>>;
  /** A snapshot of everything the lab has built so far (src/backend/topology.ts). */
  inspect(): Promise<Topology>;
  /** Ends the run: background jobs, namespaces, everything goes. Safe to call twice. */
  close(): Promise<void>;
}

// ---- trace(): a command with the backend's own account of its packets ----------------

export interface TraceOptions {
  /**
   * Simulator only: virtual ms to let pass before the command. With both backends the
   * kernel traces first; its tracing took this long to start (KernelTraceAccount.beforeMs),
   * and the simulator's clock lets the same time pass, so what later commands see (ICMP
   * rate limits, neighbour and TCP timers) stays the same in both.
   */
  padBeforeMs?: number;
  /**
   * Simulator only: the kernel's trace showed a program woken by its peer's FIN only after
   * its kernel had sent the delayed ACK (a race of the machine's scheduler that the kernel
   * decides); the simulated programs then wake that late too, so later counters agree.
   */
  lateWakeupAfterFin?: boolean;
  /**
   * Simulator only: virtual ms to let pass after the command ends, the traced SETTLE_MS
   * included (KernelTraceAccount.afterMs). Never less than SETTLE_MS.
   */
  padAfterMs?: number;
  /**
   * Kernel only: trace these namespaces (the script's names, ROOT_NS for its own) and the
   * root, not every one: a monitor per namespace is what a kernel trace costs (a walk
   * passes where its probe can go, src/walk/trace-scope.ts). Every namespace when absent.
   */
  namespaces?: readonly string[];
}

/** The simulator's account: its trace (the walk is built from it) and the netfilter path. */
export interface SimTraceAccount {
  backend: "sim";
  entries: TraceEntry[];
  /** Per packet and namespace, in the shape of the kernel's trace. */
  netfilter: NfPathPacket[];
}

/** The kernel's account: nftables' own trace (xtables-monitor), and how long tracing took. */
export interface KernelTraceAccount {
  backend: "kernel";
  /** Per namespace (the root first, then by name), each packet in the order first seen. */
  netfilter: NfPathPacket[];
  /** What may make the trace incomplete (a monitor that died, a sync that timed out). */
  warnings: string[];
  /** The namespaces traced: ROOT_NS ("") first, then by name. */
  traced: string[];
  /**
   * With TraceOptions.namespaces only: the devices IPv4 packets left each traced namespace
   * by (src/real/egress-watch.ts), to tell a probe that went where it was not traced.
   */
  egress?: {
    ns: string;
    dev: string;
    /**
     * Where the device leads, as the kernel pairs its veths: the namespace of the other
     * end, null when that was not found; absent when not a veth into another namespace.
     */
    to?: string | null;
  }[];
  /** Wall ms tracing took to start, before the command ran. */
  beforeMs: number;
  /** Wall ms from the command's end until tracing had stopped (the settle included). */
  afterMs: number;
}

export type TraceAccount = SimTraceAccount | KernelTraceAccount;

export interface Traced<A extends TraceAccount = TraceAccount> {
  result: CommandResult;
  account: A;
}
