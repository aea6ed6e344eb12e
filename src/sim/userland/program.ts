// What a simulated program gets and gives: its namespace, arguments and printed output.
import type { CommandResult } from "../../backend.js";
import type { LabFile } from "../../script/types.js";
import { type Ip4, type NetNs, type World } from "../kernel/netlink/index.js";

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
 * no /etc/services, and its resolv.conf names a nameserver (Docker's embedded DNS,
 * 127.0.0.11, on a user-defined network) that names are asked of by datagrams.
 */
export interface ProcessEnv {
  /** resolv.conf's nameserver (resolver.ts sends the queries there). */
  nameserver?: Ip4;
  /** No /etc/services: getservbyport finds nothing (nc prints "*"). */
  noServices?: boolean;
  /** Without CAP_NET_ADMIN (Docker's default capabilities): netlink changes fail with EPERM. */
  noNetAdmin?: boolean;
}

export class Output {
  private readonly outText = new TextBuffer();
  private readonly errText = new TextBuffer();
  get stdout(): string {
    return this.outText.text();
  }
  get stderr(): string {
    return this.errText.text();
  }
  out(s: string): void {
    this.outText.add(s);
  }
  err(s: string): void {
    this.errText.add(s);
  }
  result(exit: number): CommandResult {
    return { exit, stdout: this.stdout, stderr: this.stderr };
  }
}

/**
 * Text written piece by piece, joined into flat strings every so many pieces: `+=` would
 * build a rope of every piece, which holds several times the text's size (a `ping -c
 * 100000` held 41 MB for its 6 MB of output).
 */
class TextBuffer {
  private chunks: string[] = [];
  private pieces: string[] = [];

  add(s: string): void {
    this.pieces.push(s);
    if (this.pieces.length >= 256) this.seal();
  }

  text(): string {
    this.seal();
    if (this.chunks.length > 1) this.chunks = [this.chunks.join("")];
    return this.chunks[0] ?? "";
  }

  private seal(): void {
    if (this.pieces.length === 0) return;
    this.chunks.push(this.pieces.join(""));
    this.pieces = [];
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
