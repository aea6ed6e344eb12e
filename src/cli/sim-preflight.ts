// Before a run that uses the simulator starts anything: the docker lines it does not
// model are refused as the parser refuses a bad line (every one named, nothing run, exit
// 2), not at their turn after the lines above them, and the kernel's dockerd, have run.
import { notSimulatedErrors } from "../script/sim-refusals.js";
import type { LabScript } from "../script/types.js";
import type { Mode } from "./backends.js";
import { UserError } from "./load-script.js";

/** Throws a UserError naming each line the simulator would refuse; `--kernel` alone passes. */
export function refuseNotSimulated(script: LabScript, mode: Mode): LabScript {
  if (mode === "kernel") return script;
  const errors = notSimulatedErrors(script.commands, script.file);
  if (errors.length === 0) return script;
  throw new UserError(
    `${errors.map((e) => e.message).join("\n")}\npacketwalk: ${errors.length} line(s) are not simulated; nothing was run.`,
    2,
  );
}
