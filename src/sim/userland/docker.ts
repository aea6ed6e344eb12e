// `docker` in the simulator: a placeholder until the simulator models the daemon (issue
// #10, built on its own branch). Every docker line is refused as not simulated, so the
// kernel backend, which runs a real dockerd in the sandbox, is the way to run them now.
import type { CommandResult } from "../../backend.js";
import { dockerNotModelled } from "../../script/programs/docker.js";
import { notSimulatedResult } from "./not-simulated.js";
import type { ProgramContext } from "./program.js";

export function docker(ctx: ProgramContext): CommandResult {
  const what = dockerNotModelled(ctx.args) ?? `docker ${ctx.args[0] ?? ""}`.trimEnd();
  return notSimulatedResult(what);
}
