// Reads and loads a lab script for the CLI (a file, or `-`: standard input); problems
// become readable errors.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadLabScript } from "../script/load.js";
import type { Expander } from "../script/expand.js";
import type { LabScript } from "../script/types.js";
import { scriptFiles } from "./script-files.js";

// In its own module so the command line can catch it without loading a command.
export { UserError } from "./user-error.js";
import { UserError } from "./user-error.js";

/** The name a script read from standard input goes by in messages. */
export const STDIN_SCRIPT = "<stdin>";

export interface LoadScriptOptions {
  /** Expands lines into several commands (tests inject one; `docker` will). */
  expand?: Expander;
}

/**
 * `path`, or `-` for standard input. File arguments resolve in the script's directory;
 * for standard input, in the current directory.
 */
export function loadScript(path: string, opts: LoadScriptOptions = {}): LabScript {
  const stdin = path === "-";
  let text: string;
  try {
    text = readFileSync(stdin ? 0 : path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(code ?? e);
    throw new UserError(`packetwalk: cannot read ${stdin ? "standard input" : path}: ${why}`);
  }
  const file = stdin ? STDIN_SCRIPT : path;
  const files = scriptFiles(stdin ? "." : dirname(path));
  const { script, errors } = loadLabScript(text, file, { files, ...opts });
  if (errors.length > 0) {
    const lines = errors.map((e) => e.message).join("\n");
    // A shell answers an unknown command with 127; any other refusal is a usage error.
    const unknown = errors.some((e) => e.reason.startsWith("unknown command"));
    throw new UserError(
      `${lines}\npacketwalk: ${errors.length} line(s) cannot run; nothing was run. Fix them and try again.`,
      unknown ? 127 : 2,
    );
  }
  return script;
}
