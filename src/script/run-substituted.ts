// Running a line with `$(...)` (substitute.ts): the inner commands first, on the same
// backend, then the line with their output in place, parsed again. Both backends call it
// from run(), so a lab, a lesson and an exercise see substitution alike.
import { ScriptError } from "./errors.js";
import { parseLine } from "./parse.js";
import type { LabCommand, Substitution } from "./types.js";

/** What a command printed (the backends' results carry more). */
interface Printed {
  exit: number;
  stdout: string;
  stderr: string;
}

/** What a substitution may become: words a lab line can hold without quoting. */
const PLAIN = /^[A-Za-z0-9_.:,=@%+/-]*$/;

/**
 * The line with each inner command's output in place, parsed again: the command to run
 * (its text and provenance the line's as written), with the inner commands' stderr; or,
 * when that cannot be, the result to report.
 */
export async function resolveSubstitution<R extends Printed>(
  cmd: LabCommand,
  sub: Substitution,
  run: (c: LabCommand) => Promise<R>,
): Promise<{ command: LabCommand; stderr: string } | { result: Printed }> {
  let text = "";
  let at = 0;
  let stderr = "";
  for (const [i, span] of sub.spans.entries()) {
    const r = await run(sub.inner[i]!);
    stderr += r.stderr;
    const words = r.stdout
      .replace(/\n+$/, "")
      .split(/\s+/)
      .filter((w) => w !== "");
    const bad = words.find((w) => !PLAIN.test(w));
    if (bad !== undefined) {
      const why = `packetwalk: $(${span.inner}) printed "${bad}", which a lab line cannot take in\n`;
      return { result: { exit: 1, stdout: "", stderr: stderr + why } };
    }
    text += sub.text.slice(at, span.start) + words.join(" ");
    at = span.end;
  }
  text += sub.text.slice(at);
  let concrete: LabCommand | null;
  try {
    concrete = parseLine(text, cmd.line, sub.file);
  } catch (e) {
    if (!(e instanceof ScriptError)) throw e;
    return { result: { exit: 2, stdout: "", stderr: `${stderr}packetwalk: ${e.reason}\n` } };
  }
  if (concrete === null) return { result: { exit: 0, stdout: "", stderr } };
  return { command: { ...concrete, text: cmd.text, provenance: cmd.provenance }, stderr };
}

/**
 * Runs a line with substitutions: each inner command on the backend, then the line with
 * their output in place, parsed again and run. The inner commands' stderr comes first in
 * the result's, as a shell's terminal shows it.
 */
export async function runSubstituted<R extends Printed>(
  cmd: LabCommand,
  sub: Substitution,
  run: (c: LabCommand) => Promise<R>,
): Promise<R | Printed> {
  const r = await resolveSubstitution(cmd, sub, run);
  if ("result" in r) return r.result;
  const res = await run(r.command);
  return r.stderr === "" ? res : { ...res, stderr: r.stderr + res.stderr };
}

/**
 * Traces a line with substitutions: the inner commands run (not traced), then the line
 * with their output in place is traced; `refused` makes the backend's traced result for a
 * line that could not be resolved.
 */
export async function traceSubstituted<T extends { result: Printed }>(
  cmd: LabCommand,
  sub: Substitution,
  run: (c: LabCommand) => Promise<Printed>,
  trace: (c: LabCommand) => Promise<T>,
  refused: (result: Printed) => T,
): Promise<T> {
  const r = await resolveSubstitution(cmd, sub, run);
  if ("result" in r) return refused(r.result);
  const t = await trace(r.command);
  return { ...t, result: { ...t.result, stderr: r.stderr + t.result.stderr } };
}
