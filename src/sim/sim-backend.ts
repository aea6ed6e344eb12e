// The simulator as a Backend: each lab command runs the simulated program in the
// simulated namespace, on the world's virtual clock.
import type { Backend, CommandResult, HostProfile } from "../backend.js";
import type { LabCommand } from "../script/types.js";
import { World } from "./kernel/core/world.js";
import { DOCKER_HOST_PROFILE } from "./profile.js";
import { bridge } from "./userland/bridge.js";
import { ip } from "./userland/ip/index.js";
import { ping } from "./userland/ping.js";
import { cat, echo } from "./userland/procsys.js";
import type { ProgramContext, SimProgram } from "./userland/program.js";
import { sleep } from "./userland/sleep.js";
import { sysctl } from "./userland/sysctl.js";

const PROGRAMS: Record<string, SimProgram> = { ip, bridge, sysctl, ping, cat, sleep };

/** Programs the kernel backend runs that the simulator does not model yet. */
const NOT_YET = new Set(["iptables", "iptables-save", "iptables-restore", "conntrack", "nc"]);

export interface SimOptions {
  profile?: HostProfile;
  seed?: number;
}

export class SimBackend implements Backend {
  readonly kind = "sim" as const;
  readonly world: World;

  constructor(opts: SimOptions = {}) {
    this.world = new World(opts.profile ?? DOCKER_HOST_PROFILE, opts.seed ?? 1);
  }

  async run(cmd: LabCommand): Promise<CommandResult> {
    return this.runSync(cmd);
  }

  runSync(cmd: LabCommand): CommandResult {
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
    };
    if (cmd.program === "echo") return echo(ctx, cmd.redirect);
    const prog = PROGRAMS[cmd.program];
    if (!prog) {
      const why = NOT_YET.has(cmd.program)
        ? `packetwalk: the simulator does not model ${cmd.program} yet; run this script with --kernel`
        : `packetwalk: ${cmd.program}: command not supported`;
      return { exit: 127, stdout: "", stderr: `${why}\n` };
    }
    const res = prog(ctx);
    world.scheduler.settle();
    return res;
  }

  async close(): Promise<void> {
    // Nothing outlives the object: the world is garbage once dropped.
  }
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
