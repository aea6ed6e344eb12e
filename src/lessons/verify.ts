// `packetwalk lesson verify`: a lesson run step by step, without a learner, on the
// simulator, the kernel or both. Every check must hold in each backend that ran it; with
// both, every command must also print the same in both (after normalisation), and each
// walk must meet the same netfilter rules as the kernel's trace of it, since a learner is
// shown the simulator's and the kernel is the judge.
import type { Backend } from "../backend.js";
import { nsDisplay } from "../backend/trace-types.js";
import { compareNfPaths } from "../walk/compare-nf.js";
import { checkText, type Lesson } from "./format.js";
import { divergences, runStep, type StepRun } from "./run-step.js";

export interface VerifyFailure {
  step: number;
  /** Line in the lesson file. */
  line: number;
  backend: "sim" | "kernel" | "compare";
  what: string;
}

export interface LessonVerdict {
  lesson: Lesson;
  /** Checks run (in each backend). */
  checks: number;
  failures: VerifyFailure[];
}

export async function verifyLesson(
  lesson: Lesson,
  b: { sim?: Backend; kernel?: Backend },
): Promise<LessonVerdict> {
  const failures: VerifyFailure[] = [];
  let checks = 0;
  for (const step of lesson.steps) {
    const runs: StepRun[] = [];
    for (const be of [b.sim, b.kernel]) {
      if (!be) continue;
      const run = await runStep(lesson, step, be);
      runs.push(run);
      for (const c of run.checks) {
        checks++;
        if (!c.ok)
          failures.push({
            step: step.number,
            line: c.check.line,
            backend: run.backend,
            what: `${checkText(c.check)}: ${c.why}`,
          });
      }
    }
    const [sim, kernel] = runs;
    if (sim && kernel)
      for (const d of divergences(sim, kernel))
        failures.push({
          step: step.number,
          line: d.command.line,
          backend: "compare",
          what:
            `\`${d.command.text}\` prints differently: ` +
            `simulator exit ${d.sim.exit}, kernel exit ${d.kernel.exit}\n` +
            indent(`simulator:\n${indent(d.sim.stdout + d.sim.stderr)}`) +
            indent(`kernel:\n${indent(d.kernel.stdout + d.kernel.stderr)}`),
        });
    // The walk's netfilter path: the simulator's must be the kernel's own trace of it.
    if (sim?.walk && kernel?.walk)
      for (const d of compareNfPaths(sim.walk.netfilter, kernel.walk.netfilter))
        failures.push({
          step: step.number,
          line: sim.walk.probe.line,
          backend: "compare",
          what:
            `the walk's packet ${d.index + 1} in ${nsDisplay(d.ns)} (${d.packet}) meets other ` +
            `rules from step ${d.at + 1} on\n` +
            indent(`simulator:\n${indent((d.sim ?? ["(no such packet)"]).join("\n"))}`) +
            indent(`kernel:\n${indent((d.kernel ?? ["(no such packet)"]).join("\n"))}`),
        });
  }
  return { lesson, checks, failures };
}

function indent(s: string): string {
  const t = s.replace(/\n$/, "");
  return t === "" ? "" : `${t.replace(/^/gm, "  ")}\n`;
}
