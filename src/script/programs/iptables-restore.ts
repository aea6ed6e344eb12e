// `iptables-restore [FILE]`: FILE is read beside the script when it is loaded; the
// simulator gets its content, the kernel's iptables-restore gets it on stdin, so the
// sandbox is never told a path on the machine.
import { refuseModprobe } from "./iptables-save.js";
import type { ProgramSpec } from "./types.js";

/** Index of the rules file, iptables-restore's one positional argument, if any. */
function rulesFile(args: readonly string[]): number[] {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-T" || a === "--table" || a === "-M" || a === "--modprobe") {
      i++; // an option with a separate value
      continue;
    }
    if (!a.startsWith("-")) return [i];
  }
  return [];
}

export const iptablesRestore = {
  help: "iptables-restore",
  check: refuseModprobe,
  fileArgs: rulesFile,
  // xtables-restore.c: fopen() failed
  cannotOpen: (name, error) => `Can't open ${name}: ${error}\n`,
  kernel: { filesOnStdin: true },
} satisfies ProgramSpec;
