// `docker`: the CLI over the simulated daemon (./daemon.ts). The daemon starts at the
// first docker line of a script; each line's result carries the kernel operations the
// daemon performed for it (CommandResult.performed), which `run` shows under the line.
// The daemon runs the lab programs (its lab lines, docker exec), so they never import it:
// this entry joins them in ../programs.ts.
import type { CommandResult } from "../../backend.js";
import { dockerNotModelled } from "../../script/programs/docker.js";
import { dockerCli } from "./cli.js";
import { CLI_MS, Dockerd, SETTLE_MS, type LabRunner } from "./daemon.js";
import { notSimulatedResult } from "../userland/not-simulated.js";
import type { SimProgram, Waiting } from "../userland/program.js";

export function dockerProgram(run: LabRunner): SimProgram {
  return (ctx) => {
    // What the real daemon runs but the model does not: refused before the daemon starts.
    const notModelled = dockerNotModelled(ctx.args);
    if (notModelled !== undefined) return notSimulatedResult(notModelled);
    const d = Dockerd.of(ctx.world, run);
    const withOps = (r: CommandResult): CommandResult => {
      const performed = d.ops;
      d.ops = [];
      return performed.length > 0 ? { ...r, performed } : r;
    };
    const r: CommandResult | Waiting = dockerCli(d, ctx.args);
    if ("waiting" in r) {
      return { waiting: { ...r.waiting, finish: () => withOps(r.waiting.finish()) } };
    }
    // exec's time is its program's; other lines last CLI_MS, or SETTLE_MS when the
    // daemon changed the kernel (its work, then linkwatch's).
    if (ctx.args[0] === "exec") return withOps(r);
    const until = ctx.world.scheduler.now + (d.ops.length > 0 ? SETTLE_MS : CLI_MS);
    return { waiting: { until, done: () => false, finish: () => withOps(r) } };
  };
}
