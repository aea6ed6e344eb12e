// What a simulated program gets and gives: its namespace, arguments and printed output.
import type { CommandResult } from "../../backend.js";
import type { LabFile } from "../../script/types.js";
import { type NetNs, type World } from "../kernel/netlink/index.js";

export interface ProgramContext {
  world: World;
  /** The namespace the program runs in (after `ip netns exec` / nsenter prefixes). */
  ns: NetNs;
  args: string[];
  /** The program's name as typed (for messages). */
  program: string;
  /** Runs in the background (`&`): returns at once and keeps working on the scheduler. */
  background: boolean;
  /** The longest a foreground command may run before the kernel backend kills it (ms). */
  timeLimitMs?: number;
  /** `echo V > /proc/sys/...`: the file the line writes. */
  redirect?: string;
  /** The files the line names, read when the script was loaded (never opened here). */
  files?: readonly LabFile[];
  /** What the process sees beyond its namespace: a container's (docker exec), else the host's. */
  env?: ProcessEnv;
}

/**
 * A process's resolver and files where they are not the host's: a container's image has
 * no /etc/services, and on a user-defined network Docker's embedded DNS answers names.
 */
export interface ProcessEnv {
  /** getaddrinfo for a name: the address and the name a reverse lookup gives back. */
  resolve?: (name: string) => { addr: number; fqdn: string } | undefined;
  /** No /etc/services: getservbyport finds nothing (nc prints "*"). */
  noServices?: boolean;
}

export class Output {
  stdout = "";
  stderr = "";
  out(s: string): void {
    this.stdout += s;
  }
  err(s: string): void {
    this.stderr += s;
  }
  result(exit: number): CommandResult {
    return { exit, stdout: this.stdout, stderr: this.stderr };
  }
}

/**
 * A foreground program waiting on virtual time (ping): the backend runs the world until
 * `done` holds or `until` comes, then `finish` gives the result (or throws TimedOut).
 * The backend, not the program, runs the wait, so a long one can let the event loop in
 * (signals, output) between slices of events.
 */
export interface Waiting {
  waiting: { until: number; done: () => boolean; finish: () => CommandResult };
}

export type SimProgram = (ctx: ProgramContext) => CommandResult | Waiting;

/** Thrown by a program to stop with an exit code after printing. */
export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * Thrown by a foreground program still running when the kernel backend would kill it
 * (its per-command limit): the backend reports what timeout(1) and the sandbox report,
 * exit 124, keeping what the program printed so far.
 */
export class TimedOut extends Error {
  constructor(
    readonly limitMs: number,
    readonly stdout = "",
    readonly stderr = "",
  ) {
    super(`timed out after ${limitMs} ms`);
  }
}
