// Reads and parses a lab script for the CLI; problems become readable errors.
import { readFileSync } from "node:fs";
import { parseScript } from "../script/parse.js";
import type { LabScript } from "../script/types.js";

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export function loadScript(path: string): LabScript {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(code ?? e);
    throw new UserError(`packetwalk: cannot read ${path}: ${why}`);
  }
  const { script, errors } = parseScript(text, path);
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
