// `kill %N`: ends capture N of the script's job table (jobs.ts) and prints its output.
import type { CommandResult } from "../../backend.js";
import { KILL_IN_NETNS, killedJob, killRefusal } from "../../script/programs/kill.js";
import { takeJob } from "./jobs.js";
import type { ProgramContext } from "./program.js";

export function kill(ctx: ProgramContext): CommandResult {
  if (ctx.ns !== ctx.world.root) return { ...KILL_IN_NETNS };
  const n = killedJob(ctx.args);
  if (n === undefined) return { exit: 2, stdout: "", stderr: "packetwalk: only kill %N\n" };
  const job = takeJob(ctx.world, n);
  if (job === undefined || job === "other") return killRefusal(n, job === "other");
  const out = job.end();
  return { exit: 0, stdout: out.stdout, stderr: out.stderr };
}
