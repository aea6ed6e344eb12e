// `iptables-restore [FILE]` as a lab line runs it: FILE's content was read when the script
// was loaded; without one the program reads stdin, which a lab line cannot feed: empty,
// as /dev/null is on the kernel.
import type { CommandResult } from "../../../backend.js";
import { PROGRAMS } from "../../../script/programs/registry.js";
import type { ProgramContext } from "../program.js";
import { iptablesRestore, restoreOptions } from "./restore.js";

export function iptablesRestoreProgram(ctx: ProgramContext): CommandResult {
  const opts = restoreOptions(ctx.args);
  if ("exit" in opts) return opts;
  const file = ctx.files?.[0];
  if (file === undefined) return iptablesRestore(ctx, opts, "");
  if ("error" in file) {
    const stderr = PROGRAMS["iptables-restore"].cannotOpen(file.name, file.error);
    return { exit: 1, stdout: "", stderr };
  }
  return iptablesRestore(ctx, opts, file.content);
}
