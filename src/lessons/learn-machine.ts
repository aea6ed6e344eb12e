// Going through a lesson, as a pure machine: which step the learner is on, and where in
// the step (its commands running, the prediction asked, the answer revealed, the kernel
// running the same step). No I/O: an adapter (src/cli/learn-command.ts for the terminal)
// does what a state asks (run the step, restore the world, read an answer) and sends the
// outcome back as an event, so a test or a web page can drive the same machine.
//
//   running --RAN--> predicting --ANSWER--> revealed      (RAN -> revealed without a question)
//   revealed --NEXT--> running (next step) | done (after the last)
//   revealed --BACK--> running (the step before, the world restored to before it)
//   revealed --RESTART--> running (step 1, the world restored to the start)
//   revealed --KERNEL--> kernel --KERNEL_DONE--> revealed
//   any state --QUIT--> quit
import { assign, setup } from "xstate";
import type { Prediction } from "./format.js";

export interface LearnContext {
  /** Per step: does it ask a prediction? (the machine needs nothing else of the lesson) */
  readonly predicts: readonly boolean[];
  /** 0-based index of the step shown. */
  index: number;
  /**
   * How the learner came to this step, which says what the adapter does before running
   * it: "start" and "next" run it on the world as it is; "back" and "restart" first
   * restore the world to how it was before the step.
   */
  entry: "start" | "next" | "back" | "restart";
  /** The learner's answer to this step's prediction ("" skipped), once given. */
  answer?: string;
  correct?: boolean;
  /** The last BACK was pressed on the first step (nothing to go back to). */
  atFirst: boolean;
}

export type LearnEvent =
  | { type: "RAN" }
  | { type: "ANSWER"; answer: string; correct: boolean }
  | { type: "NEXT" }
  | { type: "BACK" }
  | { type: "RESTART" }
  | { type: "KERNEL" }
  | { type: "KERNEL_DONE" }
  | { type: "QUIT" };

export type LearnOutcome = "done" | "quit";

export const learnMachine = setup({
  types: {
    context: {} as LearnContext,
    input: {} as { predicts: readonly boolean[] },
    events: {} as LearnEvent,
  },
  guards: {
    predicts: ({ context }) => context.predicts[context.index] === true,
    atLast: ({ context }) => context.index >= context.predicts.length - 1,
    atFirst: ({ context }) => context.index === 0,
    empty: ({ context }) => context.predicts.length === 0,
  },
  actions: {
    next: assign(({ context }) => fresh(context.index + 1, "next")),
    back: assign(({ context }) => fresh(context.index - 1, "back")),
    restart: assign(() => fresh(0, "restart")),
    stayFirst: assign({ atFirst: true }),
    answer: assign(({ event }) =>
      event.type === "ANSWER" ? { answer: event.answer, correct: event.correct } : {},
    ),
  },
}).createMachine({
  id: "learn",
  context: ({ input }) => ({ predicts: input.predicts, ...fresh(0, "start") }),
  initial: "init",
  on: { QUIT: ".quit" },
  states: {
    init: { always: [{ guard: "empty", target: "done" }, { target: "running" }] },
    running: {
      on: { RAN: [{ guard: "predicts", target: "predicting" }, { target: "revealed" }] },
    },
    predicting: { on: { ANSWER: { target: "revealed", actions: "answer" } } },
    revealed: {
      on: {
        NEXT: [
          { guard: "atLast", target: "done" },
          { target: "running", actions: "next" },
        ],
        BACK: [
          { guard: "atFirst", actions: "stayFirst" },
          { target: "running", actions: "back" },
        ],
        RESTART: { target: "running", actions: "restart" },
        KERNEL: "kernel",
      },
    },
    kernel: { on: { KERNEL_DONE: "revealed" } },
    done: { type: "final" },
    quit: { type: "final" },
  },
});

function fresh(
  index: number,
  entry: LearnContext["entry"],
): Pick<LearnContext, "index" | "entry" | "atFirst"> & { answer: undefined; correct: undefined } {
  return { index, entry, atFirst: false, answer: undefined, correct: undefined };
}

/**
 * Is the learner's answer the prediction's? A choice may be given by its number or its
 * text (in any of its languages); a value is compared without case or surrounding space.
 */
export function isRightAnswer(p: Prediction, given: string): boolean {
  const norm = (s: string): string => s.trim().toLowerCase().replace(/\s+/g, " ");
  const g = norm(given);
  if (g === "") return false;
  if (p.choices) {
    const right = p.choices.findIndex((c) => Object.values(c).includes(p.answer));
    if (/^\d+$/.test(g)) return Number(g) === right + 1;
    return Object.values(p.choices[right] ?? {}).some((t) => norm(t) === g);
  }
  return norm(p.answer) === g;
}
