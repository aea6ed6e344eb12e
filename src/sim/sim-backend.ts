// The simulator as a Backend: each lab command runs the simulated program in the
// simulated namespace, on the world's virtual clock.
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  type Backend,
  type CommandResult,
  type HostProfile,
  type SimTraceAccount,
  type Topology,
  type TraceOptions,
  type Traced,
} from "../backend.js";
import { unloadedFiles } from "../script/load.js";
import { runSubstituted, traceSubstituted } from "../script/run-substituted.js";
import { isProgram } from "../script/programs/registry.js";
import type { LabCommand } from "../script/types.js";
import { Pacer } from "./engine/pacer.js";
import { bootWorld } from "./kernel/boot.js";
import type { World } from "./kernel/core/world.js";
import { inspectWorld } from "./inspect.js";
import { DOCKER_HOST_PROFILE } from "./profile.js";
import { Journal, type WorldSnapshot } from "./snapshot.js";
import { TimedOut, type ProgramContext, type Waiting } from "./userland/program.js";
import { SIM_PROGRAMS } from "./programs.js";
import { netnsOfPid } from "./userland/procs.js";
import { traceInSim } from "./trace/traced-command.js";

export interface SimOptions {
  profile?: HostProfile;
  seed?: number;
  /** The kernel backend's per-command limit (DEFAULT_COMMAND_TIMEOUT_MS unless --timeout). */
  timeLimitMs?: number;
  /** Wall time (ms) run() works before it lets the event loop in (default SLICE_MS). */
  sliceMs?: number;
  /** Cancels the run: run() throws Interrupted at its next pause (the CLI's Ctrl-C). */
  signal?: AbortSignal;
}

export class SimBackend implements Backend<SimTraceAccount> {
  readonly kind = "sim" as const;
  private current: World;
  /** What this world was given, for snapshots (snapshot.ts). */
  private journal: Journal;
  private readonly pacer: Pacer;

  constructor(opts: SimOptions = {}) {
    this.pacer = new Pacer(opts.sliceMs, opts.signal);
    this.journal = new Journal({
      profile: opts.profile ?? DOCKER_HOST_PROFILE,
      seed: opts.seed ?? 1,
      timeLimitMs: opts.timeLimitMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    });
    this.current = bootWorld(this.journal.origin.profile, this.journal.origin.seed);
  }

  /** The simulated world (a new object after restore). */
  get world(): World {
    return this.current;
  }

  private get timeLimitMs(): number {
    return this.journal.origin.timeLimitMs;
  }

  /** The world as it is now, to go back to later (cheap: see snapshot.ts). */
  snapshot(): WorldSnapshot {
    return this.journal.snapshot(this.current.scheduler.now);
  }

  /**
   * Puts the world back as it was when s was taken (by this backend or another: the
   * world's options, profile, seed and time limit, come with s): a fresh world replays
   * the commands up to s. Commands run after s are forgotten.
   */
  async restore(s: WorldSnapshot): Promise<void> {
    const origin = Journal.originOf(s);
    const world = bootWorld(origin.profile, origin.seed);
    this.current = world;
    this.journal = await Journal.replay(
      s,
      (t) => world.scheduler.runUntil(t),
      async (cmd, trace, journal) => {
        this.journal = journal;
        if (trace) await this.trace(cmd, trace);
        else this.runSync(cmd);
      },
    );
  }

  async run(cmd: LabCommand): Promise<CommandResult> {
    if (cmd.substitution) return runSubstituted(cmd, cmd.substitution, (c) => this.run(c));
    // A long wait runs in slices, and lines pause between them when the run has been
    // busy: the host's event loop (Ctrl-C, output) is never held off for long.
    this.pacer.check();
    const started = this.start(cmd);
    let res: CommandResult;
    if ("waiting" in started) {
      const w = started.waiting;
      await this.pacer.runWhile(this.world.scheduler, w.until, w.done);
      res = this.end(cmd, w.finish);
    } else res = started;
    await this.pacer.maybePause();
    return res;
  }

  trace(cmd: LabCommand, opts?: TraceOptions): Promise<Traced<SimTraceAccount>> {
    if (cmd.substitution)
      // The probe's PID first (run, not traced), then the probe itself, traced.
      return traceSubstituted(
        cmd,
        cmd.substitution,
        (c) => this.run(c),
        (c) => this.trace(c, opts),
        (result) => ({ result, account: { backend: "sim", entries: [], netfilter: [] } }),
      );
    const world = this.world;
    return this.journal.traced(cmd, world.scheduler.now, opts ?? {}, () =>
      traceInSim(world, (c) => this.run(c), cmd, opts),
    );
  }

  /** The world as it stands, read from its objects (no program's output is parsed). */
  async inspect(): Promise<Topology> {
    return inspectWorld(this.world);
  }

  runSync(cmd: LabCommand): CommandResult {
    const started = this.start(cmd);
    if (!("waiting" in started)) return started;
    const w = started.waiting;
    this.world.scheduler.runWhile(w.until, w.done);
    return this.end(cmd, w.finish);
  }

  /** Starts the line: its result, or the wait of a program that blocks on virtual time. */
  private start(cmd: LabCommand): CommandResult | Waiting {
    const world = this.world;
    this.journal.begin(cmd, world.scheduler.now);
    world.scheduler.settle();
    const ns =
      cmd.netnsOfPid !== undefined ? netnsOfPid(world, cmd.netnsOfPid) : world.netns(cmd.netns);
    if (!ns) return missingNetns(cmd);
    const unread = unloadedFiles(cmd);
    if (unread !== undefined) return { exit: 1, stdout: "", stderr: unread };
    const ctx: ProgramContext = {
      world,
      ns,
      args: cmd.args,
      program: cmd.program,
      background: cmd.background,
      timeLimitMs: this.timeLimitMs,
      ...(cmd.redirect !== undefined ? { redirect: cmd.redirect } : {}),
      ...(cmd.files !== undefined ? { files: cmd.files } : {}),
    };
    // Only a command built without the parser names a program outside the registry.
    if (!isProgram(cmd.program)) {
      const why = `packetwalk: ${cmd.program}: command not supported`;
      return { exit: 127, stdout: "", stderr: `${why}\n` };
    }
    const prog = SIM_PROGRAMS[cmd.program];
    const res = this.guard(cmd, () => prog(ctx));
    if (!("waiting" in res)) world.scheduler.settle();
    return res;
  }

  /** Ends a waiting line: its result once the wait is over. */
  private end(cmd: LabCommand, finish: () => CommandResult): CommandResult {
    const res = this.guard(cmd, finish);
    this.world.scheduler.settle();
    return res;
  }

  /** A program killed at the limit reports what the sandbox reports (sandbox-init.ts). */
  private guard<T>(cmd: LabCommand, fn: () => T): T | CommandResult {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof TimedOut)) throw e;
      return {
        exit: 124,
        stdout: e.stdout,
        stderr: `${e.stderr}packetwalk: ${cmd.argv.join(" ")}: timed out after ${e.limitMs / 1000} s, killed\n`,
      };
    }
  }

  async close(): Promise<void> {
    // Nothing outlives the object: the world is garbage once dropped.
  }
}

/** What the real prefixes print when the namespace does not exist. */
function missingNetns(cmd: LabCommand): CommandResult {
  if (cmd.netnsOfPid !== undefined) {
    const path = `/proc/${cmd.netnsOfPid}/ns/net`;
    return {
      exit: 1,
      stdout: "",
      stderr: `nsenter: cannot open ${path}: No such file or directory\n`,
    };
  }
  if (cmd.argv[0] === "nsenter") {
    const path = cmd.argv[1]!.slice("--net=".length);
    return {
      exit: 1,
      stdout: "",
      stderr: `nsenter: cannot open ${path}: No such file or directory\n`,
    };
  }
  return {
    exit: 255,
    stdout: "",
    stderr: `Cannot open network namespace "${cmd.netns}": No such file or directory\n`,
  };
}
