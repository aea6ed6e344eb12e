// The simulator as a Backend: each lab command runs the simulated program in the
// simulated namespace, on the world's virtual clock.
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  type Backend,
  type CommandResult,
  type HostProfile,
} from "../backend.js";
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { LabCommand } from "../script/types.js";
import { Pacer } from "./engine/pacer.js";
import { World } from "./kernel/core/world.js";
import { DOCKER_HOST_PROFILE } from "./profile.js";
import { bridge } from "./userland/bridge.js";
import { conntrack } from "./userland/conntrack.js";
import { ip } from "./userland/ip/index.js";
import { iptables } from "./userland/iptables/iptables.js";
import { iptablesRestore, restoreOptions } from "./userland/iptables/restore.js";
import { iptablesSave } from "./userland/iptables/save.js";
import { nc } from "./userland/nc.js";
import { ping } from "./userland/ping.js";
import { cat, echo } from "./userland/procsys.js";
import {
  TimedOut,
  type ProgramContext,
  type SimProgram,
  type Waiting,
} from "./userland/program.js";
import { sleep } from "./userland/sleep.js";
import { sysctl } from "./userland/sysctl.js";

const PROGRAMS: Record<string, SimProgram> = {
  ip,
  bridge,
  sysctl,
  ping,
  cat,
  sleep,
  conntrack,
  nc,
  iptables,
  "iptables-save": iptablesSave,
};

/** Programs the kernel backend runs that the simulator does not model yet. */
const NOT_YET = new Set<string>([]);

export interface SimOptions {
  profile?: HostProfile;
  seed?: number;
  /** The kernel backend's per-command limit (DEFAULT_COMMAND_TIMEOUT_MS unless --timeout). */
  timeLimitMs?: number;
  /** Directory of the lab script: where `iptables-restore FILE` finds FILE. */
  scriptDir?: string;
  /** Wall time (ms) run() works before it lets the event loop in (default SLICE_MS). */
  sliceMs?: number;
  /** Cancels the run: run() throws Interrupted at its next pause (the CLI's Ctrl-C). */
  signal?: AbortSignal;
}

export class SimBackend implements Backend {
  readonly kind = "sim" as const;
  readonly world: World;

  private readonly timeLimitMs: number;
  private readonly scriptDir: string | undefined;
  private readonly pacer: Pacer;

  constructor(opts: SimOptions = {}) {
    this.world = new World(opts.profile ?? DOCKER_HOST_PROFILE, opts.seed ?? 1);
    this.timeLimitMs = opts.timeLimitMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.scriptDir = opts.scriptDir;
    this.pacer = new Pacer(opts.sliceMs, opts.signal);
  }

  async run(cmd: LabCommand): Promise<CommandResult> {
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
    world.scheduler.settle();
    const ns = world.netns(cmd.netns);
    if (!ns) return missingNetns(cmd);
    const ctx: ProgramContext = {
      world,
      ns,
      args: cmd.args,
      program: cmd.program,
      background: cmd.background,
      timeLimitMs: this.timeLimitMs,
    };
    if (cmd.program === "echo") return echo(ctx, cmd.redirect);
    if (cmd.program === "iptables-restore") return this.restore(ctx);
    const prog = PROGRAMS[cmd.program];
    if (!prog) {
      const why = NOT_YET.has(cmd.program)
        ? `packetwalk: the simulator does not model ${cmd.program} yet; run this script with --kernel`
        : `packetwalk: ${cmd.program}: command not supported`;
      return { exit: 127, stdout: "", stderr: `${why}\n` };
    }
    const res = this.guard(cmd, () => prog(ctx));
    if (!("waiting" in res)) this.world.scheduler.settle();
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

  /**
   * `iptables-restore [FILE]`: FILE is read beside the script, as the kernel backend does
   * (kernel-backend.ts restore); without one the program reads stdin, which a lab script
   * cannot feed: empty, as /dev/null is on the kernel.
   */
  private restore(ctx: ProgramContext): CommandResult {
    const opts = restoreOptions(ctx.args);
    if ("exit" in opts) return opts;
    const at = restoreFileIndex(ctx.args);
    if (at === undefined) return iptablesRestore(ctx, opts, "");
    const file = ctx.args[at]!;
    const fail = (stderr: string): CommandResult => ({ exit: 1, stdout: "", stderr });
    if (this.scriptDir === undefined)
      return fail(`packetwalk: iptables-restore: no script directory to read ${file} from\n`);
    const dir = resolve(this.scriptDir);
    const path = resolve(dir, file);
    const rel = relative(dir, path);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel))
      return fail(`packetwalk: iptables-restore: ${file} is not beside the script\n`);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT"
          ? "No such file or directory"
          : code === "EISDIR"
            ? "Is a directory"
            : code === "EACCES"
              ? "Permission denied"
              : String(code);
      return fail(`Can't open ${file}: ${why}\n`);
    }
    return iptablesRestore(ctx, opts, text);
  }

  async close(): Promise<void> {
    // Nothing outlives the object: the world is garbage once dropped.
  }
}

/** Index of iptables-restore's rules file (its one positional), as kernel-backend.ts finds it. */
function restoreFileIndex(args: string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-T" || a === "--table" || a === "-M" || a === "--modprobe") {
      i++;
      continue;
    }
    if (!a.startsWith("-")) return i;
  }
  return undefined;
}

/** What the real prefixes print when the namespace does not exist. */
function missingNetns(cmd: LabCommand): CommandResult {
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
