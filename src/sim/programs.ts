// The simulator's implementation of every program in the registry
// (src/script/programs/registry.ts): the lab programs (./userland) and docker, whose daemon
// runs them (./docker). The compiler checks that none is missing.
import type { ProgramName } from "../script/programs/registry.js";
import { dockerdProgram } from "./docker/dockerd-program.js";
import { dockerProgram } from "./docker/program.js";
import { startJob } from "./userland/jobs.js";
import type { SimProgram } from "./userland/program.js";
import { LAB_PROGRAMS, runLab } from "./userland/programs.js";

const ALL_PROGRAMS = {
  ...LAB_PROGRAMS,
  docker: dockerProgram(runLab),
  dockerd: dockerdProgram(runLab),
} satisfies Record<ProgramName, SimProgram>;

/** A script's background line is a job of its shell, numbered for `kill %N` (jobs.ts). */
function countingJobs(prog: SimProgram): SimProgram {
  return (ctx) => {
    if (ctx.background) startJob(ctx.world);
    return prog(ctx);
  };
}

export const SIM_PROGRAMS = Object.fromEntries(
  Object.entries(ALL_PROGRAMS).map(([name, prog]) => [name, countingJobs(prog)]),
) as Record<ProgramName, SimProgram>;
