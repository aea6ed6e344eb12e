// An exercise as packetwalk holds it after reading its file (docs/exercises.md): a starting
// world, a goal in words, hints, and checks run as probes on the world the learner's
// solution leaves. It never compares the learner's commands with an answer.
import type { Check } from "../lessons/format.js";
import type { LabCommand } from "../script/types.js";

export interface Exercise {
  file: string;
  /** Stable id: lowercase words joined by `-`. */
  id: string;
  title: string;
  /** The lesson it practises (a lesson id). */
  lesson: string;
  /** "build" (make something work) or "fix" (find the fault in a broken host). */
  kind: "build" | "fix";
  /** What must be true at the end, in words. */
  goal: string;
  /** Shown one at a time, each a little more telling. */
  hints: string[];
  /** Prose of the file's body, for `exercise show`. */
  text: string;
  /** The starting world's lab lines (every `lab` block). */
  start: LabCommand[];
  /** Run after the solution, in order; every one must hold. */
  checks: Check[];
}
