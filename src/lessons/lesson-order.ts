// A lesson's blocks run as one script, step after step (run-step.ts: each step's lab
// lines, its walk's probe, its checks), so what a script's parser checks across lines
// is checked across the whole lesson too: a dockerd line in a later step, after docker
// lines in an earlier one, would otherwise fail only when a learner reaches it. A docker
// line the simulator does not model is refused too: a learner's lesson runs there.
import { dockerdOrderErrors } from "../script/dockerd-order.js";
import { notSimulatedErrors } from "../script/sim-refusals.js";
import type { LabCommand } from "../script/types.js";
import type { Step } from "./format.js";

/** The lesson's commands in the order they run. */
export function runOrder(steps: readonly Step[]): LabCommand[] {
  return steps.flatMap((s) => [
    ...s.commands,
    ...(s.walk ? [s.walk] : []),
    ...s.checks.map((c) => c.command),
  ]);
}

export interface OrderProblem {
  line: number;
  /** "step 3": the step holding the line. */
  step: string | undefined;
  reason: string;
}

/**
 * dockerd's order problems across the lesson's steps, and the docker lines the simulator
 * does not model (a learner's lesson runs there), each naming its line and step.
 */
export function lessonOrderProblems(steps: readonly Step[], file: string): OrderProblem[] {
  const stepOf = (line: number): string | undefined => {
    const s = steps.find((x) => runOrder([x]).some((c) => c.line === line));
    return s && `step ${s.number}`;
  };
  const commands = runOrder(steps);
  return [...dockerdOrderErrors(commands, file), ...notSimulatedErrors(commands, file)].map(
    (e) => ({
      line: e.line,
      step: stepOf(e.line),
      reason: e.reason + (e.hint ? ` (${e.hint})` : ""),
    }),
  );
}
