// `packetwalk exercise list|show ID|check ID SOLUTION [--kernel]`: exercises judged by what
// the network does after the learner's lines ran (src/exercises), never by the lines.
import type { Exercise } from "../exercises/format.js";
import { checkSolution } from "../exercises/check.js";
import { missingTraceTools } from "../real/nf-trace.js";
import { chooseMode, openBackends, type BackendOptions } from "./backends.js";
import { findExercise, loadExercises } from "./exercise-files.js";
import { loadScript, UserError } from "./load-script.js";
import { ruleSpecText } from "../lessons/rule-count.js";
import { style } from "./style.js";

type Write = (s: string) => void;

export function exerciseListCommand(write: Write): number {
  for (const x of loadExercises())
    write(`${x.id.padEnd(30)} ${x.kind.padEnd(5)} ${x.lesson.padEnd(30)} ${x.title}\n`);
  return 0;
}

export function exerciseShowCommand(name: string, opts: { hints?: string }, write: Write): number {
  const x = findExercise(name);
  const n = opts.hints === undefined ? 0 : Number(opts.hints);
  if (!Number.isInteger(n) || n < 0)
    throw new UserError("packetwalk exercise show: --hints takes a number of hints");
  write(`${style.bold(x.title)} (${x.id}; practises the lesson ${x.lesson})\n\n`);
  write(`Goal: ${x.goal}\n\n`);
  if (x.text) write(`${x.text}\n\n`);
  write("The starting world:\n");
  for (const c of x.start) write(`  ${c.text}\n`);
  write("\nWhat is checked:\n");
  for (const c of x.checks)
    write(
      `  ${c.expect.kind === "counts" ? `must count packets: the rule ${ruleSpecText(c.expect.rule)}` : checkDescription(c.expect.kind, c.command.text)}\n`,
    );
  for (const [i, h] of x.hints.slice(0, n).entries()) write(`\nHint ${i + 1}: ${h}\n`);
  if (n < x.hints.length)
    write(
      `\n${x.hints.length - n} hint(s) left: packetwalk exercise show ${x.id} --hints ${n + 1}\n`,
    );
  write(`\nWrite your lines in a file, then: packetwalk exercise check ${x.id} FILE\n`);
  return 0;
}

async function simExplanation(
  x: Exercise,
  solution: Parameters<typeof checkSolution>[1],
  opts: BackendOptions,
): Promise<Awaited<ReturnType<typeof checkSolution>>> {
  // From this machine's profile, as the sandbox starts.
  const open = await openBackends("sim", { ...opts, profile: opts.profile ?? "machine" });
  try {
    return await checkSolution(x, solution, open.sim!);
  } finally {
    await open.close();
  }
}

function checkDescription(kind: string, text: string): string {
  return kind === "reaches"
    ? `must get through: ${text}`
    : kind === "blocked"
      ? `must stay blocked: ${text}`
      : `must hold: ${text}`;
}

export async function exerciseCheckCommand(
  name: string,
  solutionFile: string,
  opts: BackendOptions,
  write: Write,
): Promise<number> {
  const x: Exercise = findExercise(name);
  const solution = loadScript(solutionFile).commands;
  const mode = chooseMode(opts);
  if (mode === "compare") throw new UserError("packetwalk exercise check: --sim or --kernel");
  const missing = mode === "kernel" ? missingTraceTools() : undefined;
  if (missing !== undefined)
    throw new UserError(`packetwalk exercise check: ${missing}.\nRun \`packetwalk doctor\`.`, 3);
  const open = await openBackends(mode, opts);
  try {
    const backend = open.sim ?? open.kernel!;
    const v = await checkSolution(x, solution, backend);
    for (const f of v.startFailures)
      write(
        `${style.red("the starting world failed")} at \`${f.command.text}\` (exit ${f.result.exit}): ${(f.result.stderr || f.result.stdout).trim()}\n`,
      );
    for (const e of v.solutionErrors)
      write(
        `note: your line \`${e.command.text}\` exited ${e.result.exit}: ${(e.result.stderr || e.result.stdout).trim()}\n`,
      );
    // The kernel says only a probe's exit: the simulator's walk of the same world explains it.
    const explained =
      backend.kind === "kernel" && !v.passed ? await simExplanation(x, solution, opts) : undefined;
    v.checks.forEach((c, i) => {
      write(`${c.ok ? style.green("ok  ") : style.red("FAIL")} ${c.text}\n`);
      const sim = explained?.checks[i];
      if (!c.ok && sim && !sim.ok && sim.text !== c.text)
        write(`     the simulator's walk of it: ${sim.text.replace(/^.*?, but /, "")}\n`);
    });
    const held = v.checks.filter((c) => c.ok).length;
    write(
      v.passed
        ? `${style.green("solved")}: ${held} of ${v.checks.length} checks hold (${v.backend})\n`
        : `not yet: ${held} of ${v.checks.length} checks hold (${v.backend})\n`,
    );
    return v.passed ? 0 : 1;
  } finally {
    await open.close();
  }
}
