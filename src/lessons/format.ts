// A lesson as packetwalk holds it after reading its file (docs/lessons.md describes the
// file). Plain data: the learn stepper, `lesson verify` and a web page all read it.
import type { LabCommand } from "../script/types.js";
import { ruleSpecText, type RuleSpec } from "./rule-count.js";

/**
 * A text in the lesson's own language (key: Lesson.lang) and any translations, keyed by
 * language ("zh"). A learner's `--lang` picks one; missing translations fall back.
 */
export type Localized = Readonly<Record<string, string>>;

/** Where in the source articles (/work/shared/seeds, DIGEST.md) a lesson's facts come from. */
export interface Reference {
  /** The article's number in the digest ("003"). */
  seed: string;
  /** Which part, in words ("steps 1-3"). */
  where: string;
}

export interface Lesson {
  /** The lesson file, as given to the loader. */
  file: string;
  /** Stable id: lowercase words joined by `-`; progress is kept under it. */
  id: string;
  /** The language the lesson is written in ("en"); translations sit beside it. */
  lang: string;
  title: Localized;
  goals: Localized[];
  references: Reference[];
  /** Prose before the first step. */
  intro: Localized;
  steps: Step[];
}

export interface Step {
  /** 1-based step number, as learners and errors name it. */
  number: number;
  /** Line of the step's heading in the lesson file. */
  line: number;
  title: Localized;
  narration: Localized;
  /** The step's lab lines, in order (every `lab` block); they build on earlier steps. */
  commands: LabCommand[];
  /** Asked after the commands ran and before the walk and checks are revealed. */
  prediction?: Prediction;
  /** The probe whose walk the reveal shows (a ping or nc -z line). */
  walk?: LabCommand;
  /** The name of a diagram to show with the reveal (src/diagrams renders it, when it exists). */
  diagram?: string;
  /** Run after the walk, in order; each must hold (`lesson verify`). */
  checks: Check[];
}

export interface Prediction {
  question: Localized;
  /** The choices offered; absent: the learner types a value. */
  choices?: Localized[];
  /** The right answer: a choice's text in the lesson's language, or the value. */
  answer: string;
  explain: Localized;
}

export type Expectation =
  /** The probe (ping or nc -z) gets through: exit 0. */
  | { kind: "reaches" }
  /** The probe does not get through: any non-zero exit. */
  | { kind: "blocked" }
  /** Any lab line: its exit code, and text its output must or must not contain. */
  | { kind: "run"; exit?: number; contains: string[]; lacks: string[] }
  /** An iptables rule that must have counted a packet by now (its command lists the chain). */
  | { kind: "counts"; rule: RuleSpec };

export interface Check {
  /** Line of the check in the lesson file. */
  line: number;
  command: LabCommand;
  expect: Expectation;
}

/** The text in `lang`, else in the lesson's own language. */
export function pick(text: Localized, lang: string, base: string): string {
  return text[lang] ?? text[base] ?? "";
}

/** How a check reads for people: "reaches: ping -c1 10.0.0.2". */
export function checkText(c: Check): string {
  const e = c.expect;
  if (e.kind === "counts") return `counts: ${ruleSpecText(e.rule)}`;
  if (e.kind !== "run") return `${e.kind === "reaches" ? "reaches" : "blocked"}: ${c.command.text}`;
  const parts = [
    ...(e.exit === undefined ? [] : [`exit ${e.exit}`]),
    ...e.contains.map((s) => `contains ${JSON.stringify(s)}`),
    ...e.lacks.map((s) => `lacks ${JSON.stringify(s)}`),
  ];
  return `${c.command.text}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
}
