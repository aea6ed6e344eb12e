// A script's dockerd line sets the daemon's command line, so it must come before the
// daemon starts: before the script's first docker line (which would start it with
// dockerd's defaults), once, and in the host's namespace (the daemon is the sandbox's).
// Checked when the script is parsed, so nothing runs; the backends refuse the same at
// run time for lines typed one by one (DOCKERD_RUNNING, DOCKERD_NETNS).
import { ScriptError } from "./errors.js";
import type { LabCommand } from "./types.js";

/** The order problems of a script's dockerd lines, each naming its line. */
export function dockerdOrderErrors(commands: readonly LabCommand[], file: string): ScriptError[] {
  const errors: ScriptError[] = [];
  let firstDocker: LabCommand | undefined;
  let dockerd: LabCommand | undefined;
  for (const cmd of commands) {
    if (cmd.program === "docker") {
      firstDocker ??= cmd;
      continue;
    }
    if (cmd.program !== "dockerd") continue;
    if (cmd.netns !== undefined) {
      // Not the daemon's line: it starts nothing (the backends refuse it).
      errors.push(
        new ScriptError(
          file,
          cmd.line,
          `dockerd runs in the host's namespace, not ${cmd.netns}'s: a namespace prefix is not simulated`,
          "write the dockerd line without its prefix",
        ),
      );
    } else if (dockerd !== undefined) {
      errors.push(
        new ScriptError(
          file,
          cmd.line,
          `a second dockerd line (line ${dockerd.line} started the daemon already)`,
          "put all of the daemon's flags on one dockerd line",
        ),
      );
    } else if (firstDocker !== undefined) {
      errors.push(
        new ScriptError(
          file,
          cmd.line,
          `dockerd must come before the first docker line (line ${firstDocker.line} starts the daemon with dockerd's defaults)`,
          `move this line above line ${firstDocker.line}`,
        ),
      );
    }
    if (cmd.netns === undefined) dockerd ??= cmd;
  }
  return errors;
}
