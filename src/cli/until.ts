// `run --until LINE`: the script up to and including line LINE, which must be a command
// line; the world stops there (nothing after it runs, no narration after it prints).
import type { LabScript } from "../script/types.js";
import { UserError } from "./load-script.js";

/** The script cut after line `until` (unchanged without one); a bad LINE is a UserError. */
export function untilLine(script: LabScript, until: string | undefined): LabScript {
  if (until === undefined) return script;
  const line = /^\d+$/.test(until) ? Number(until) : NaN;
  if (!Number.isSafeInteger(line) || line < 1)
    throw new UserError(`packetwalk: --until ${until}: not a line number (1, 2, ...)`);
  const lines = script.commands.map((c) => c.line);
  const last = lines.at(-1);
  if (last === undefined)
    throw new UserError(`packetwalk: --until ${line}: ${script.file} has no command lines`);
  if (line > last)
    throw new UserError(
      `packetwalk: --until ${line}: beyond the script's last command (line ${last})`,
    );
  if (!lines.includes(line)) {
    const what = script.comments.some((c) => c.line === line) ? "a comment" : "a blank line";
    const before = lines.filter((l) => l < line).at(-1);
    const after = lines.find((l) => l > line)!;
    const near = before === undefined ? `line ${after}` : `lines ${before} and ${after}`;
    throw new UserError(
      `packetwalk: --until ${line}: line ${line} is ${what}, not a command; the nearest commands are on ${near}`,
    );
  }
  return {
    ...script,
    commands: script.commands.filter((c) => c.line <= line),
    comments: script.comments.filter((c) => c.line < line),
  };
}
