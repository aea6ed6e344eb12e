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
import { World } from "./kernel/core/world.js";
import { DOCKER_HOST_PROFILE } from "./profile.js";
import { Journal, type FileRead, type WorldSnapshot } from "./snapshot.js";
import { bridge } from "./userland/bridge.js";
import { conntrack } from "./userland/conntrack.js";
import { ip } from "./userland/ip/index.js";
import { iptables } from "./userland/iptables/iptables.js";
import { iptablesRestore, restoreOptions } from "./userland/iptables/restore.js";
import { iptablesSave } from "./userland/iptables/save.js";
import { nc } from "./userland/nc.js";
import { ping } from "./userland/ping.js";
import { cat, echo } from "./userland/procsys.js";
import { TimedOut, type ProgramContext, type SimProgram } from "./userland/program.js";
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
}

export class SimBackend implements Backend {
  readonly kind = "sim" as const;
  private current: World;
  /** What this world was given, for snapshots (snapshot.ts). */
  private journal: Journal;

  constructor(opts: SimOptions = {}) {
    this.journal = new Journal({
      profile: opts.profile ?? DOCKER_HOST_PROFILE,
      seed: opts.seed ?? 1,
      timeLimitMs: opts.timeLimitMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      scriptDir: opts.scriptDir,
    });
    this.current = new World(this.journal.origin.profile, this.journal.origin.seed);
  }

  /** The simulated world (a new object after restore). */
  get world(): World {
    return this.current;
  }

  private get timeLimitMs(): number {
    return this.journal.origin.timeLimitMs;
  }

  private get scriptDir(): string | undefined {
    return this.journal.origin.scriptDir;
  }

  /** The world as it is now, to go back to later (cheap: see snapshot.ts). */
  snapshot(): WorldSnapshot {
    return this.journal.snapshot(this.current.scheduler.now);
  }

  /**
   * Puts the world back as it was when s was taken (by this backend or another: the
   * world's options, profile, seed, time limit and script directory, come with s): a fresh
   * world replays the commands up to s. Commands run after s are forgotten.
   */
  restore(s: WorldSnapshot): void {
    const origin = Journal.originOf(s);
    const world = new World(origin.profile, origin.seed);
    this.current = world;
    this.journal = Journal.replay(
      s,
      (t) => world.scheduler.runUntil(t),
      (cmd, journal) => {
        this.journal = journal;
        this.runSync(cmd);
      },
    );
  }

  async run(cmd: LabCommand): Promise<CommandResult> {
    return this.runSync(cmd);
  }

  runSync(cmd: LabCommand): CommandResult {
    const world = this.world;
    this.journal.begin(cmd, world.scheduler.now);
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
    if (cmd.program === "iptables-restore") return this.restoreRules(ctx);
    const prog = PROGRAMS[cmd.program];
    if (!prog) {
      const why = NOT_YET.has(cmd.program)
        ? `packetwalk: the simulator does not model ${cmd.program} yet; run this script with --kernel`
        : `packetwalk: ${cmd.program}: command not supported`;
      return { exit: 127, stdout: "", stderr: `${why}\n` };
    }
    let res: CommandResult;
    try {
      res = prog(ctx);
    } catch (e) {
      if (!(e instanceof TimedOut)) throw e;
      // What the sandbox reports for a command it had to kill (sandbox-init.ts).
      res = {
        exit: 124,
        stdout: e.stdout,
        stderr: `${e.stderr}packetwalk: ${cmd.argv.join(" ")}: timed out after ${e.limitMs / 1000} s, killed\n`,
      };
    }
    world.scheduler.settle();
    return res;
  }

  /**
   * `iptables-restore [FILE]`: FILE is read beside the script, as the kernel backend does
   * (kernel-backend.ts restore); without one the program reads stdin, which a lab script
   * cannot feed: empty, as /dev/null is on the kernel.
   */
  private restoreRules(ctx: ProgramContext): CommandResult {
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
    // Read through the journal: a restored snapshot replays the bytes read then.
    const read = this.journal.read((): FileRead => {
      try {
        return { text: readFileSync(path, "utf8") };
      } catch (e) {
        return { code: (e as NodeJS.ErrnoException).code };
      }
    });
    if (!("text" in read)) {
      const code = read.code;
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
    return iptablesRestore(ctx, opts, read.text);
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
