// Lines the simulator refuses at run time as "not simulated" although the real tool runs
// them (docker's subcommands and flags the model lacks), found when a script is loaded for
// a run that uses the simulator (plain `run`, `--compare`, walks, diagrams), so nothing
// runs first: not the lines above, not the sandbox's dockerd. With `--kernel` alone these
// lines are left to the real daemon.
import { ScriptError } from "./errors.js";
import { dockerNotModelled } from "./programs/docker.js";
import type { LabCommand } from "./types.js";

/** Each docker line the simulator does not model, named by its line, in script order. */
export function notSimulatedErrors(commands: readonly LabCommand[], file: string): ScriptError[] {
  const errors: ScriptError[] = [];
  for (const cmd of commands) {
    if (cmd.program !== "docker") continue;
    // The very check the simulator's docker makes (src/sim/docker/program.ts), same words.
    const what = dockerNotModelled(cmd.args);
    if (what === undefined) continue;
    errors.push(
      new ScriptError(
        file,
        cmd.line,
        `${what} is not simulated`,
        "run the script with --kernel: the real dockerd in the sandbox runs it",
      ),
    );
  }
  return errors;
}
