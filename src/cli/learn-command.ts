// `packetwalk learn [LESSON]`: the terminal adapter of the lesson stepper. Where the
// learner is and where a key leads is the pure machine of src/lessons/learn-machine.ts;
// this runs what its states ask for (a step in the simulator, a world restored, the same
// step on the kernel) and prints it. Input is read by lines, so the same loop serves a
// terminal, a pipe and a test: a line's first character is the key, an empty line Enter.
import { createInterface } from "node:readline";
import { createActor } from "xstate";
import type { Backend } from "../backend.js";
import type { Topology } from "../backend/topology.js";
import { checkText, pick, type Lesson, type Step } from "../lessons/format.js";
import { isRightAnswer, learnMachine, type LearnOutcome } from "../lessons/learn-machine.js";
import { divergences, runStep, type StepRun } from "../lessons/run-step.js";
import { KernelBackend } from "../real/kernel-backend.js";
import { SimBackend } from "../sim/sim-backend.js";
import type { WorldSnapshot } from "../sim/snapshot.js";
import { renderWalk } from "../walk/render.js";
import { withContainers } from "../diagram/containers.js";
import { dockerContainers } from "./docker-containers.js";
import { lessonDiagram } from "./lesson-diagram.js";
import { findLesson, loadLessons } from "./lesson-files.js";
import { escapeControls, escapeOutput } from "../script/escape.js";
import { UserError } from "./load-script.js";
import { resolveProfile } from "./profile.js";
import { ProgressStore } from "./progress.js";
import { style, useColour } from "./style.js";

/**
 * A step's diagram: an SVG's path and a text rendering (of `topology`, the world after the
 * step); undefined when there is none by that name. The default: src/cli/lesson-diagram.ts.
 */
export type DiagramLookup = (
  lesson: Lesson,
  step: Step,
  name: string,
  topology: Topology | undefined,
) => { path?: string; text?: string } | undefined;

export interface LearnOptions {
  lang?: string;
  profile?: string;
  seed?: string;
  /** Where lessons are (tests); the package's lessons/ otherwise. */
  dir?: string;
}

export interface LearnDeps {
  input?: NodeJS.ReadableStream;
  progress?: ProgressStore;
  diagrams?: DiagramLookup;
  /** Starts a kernel sandbox for `k` (tests may refuse it). */
  kernel?: () => Promise<Backend>;
}

type Write = (s: string) => void;

export const LEARN_KEYS =
  "Enter or n: next step   b: back   r: restart   k: this step on the real kernel   " +
  "w: the whole walk   q: quit";

export async function learnCommand(
  name: string | undefined,
  opts: LearnOptions,
  write: Write,
  deps: LearnDeps = {},
): Promise<number> {
  const dir = opts.dir === undefined ? {} : { dir: opts.dir };
  const lessons = name === undefined ? loadLessons(dir) : [findLesson(name, dir)];
  if (lessons.length === 0) throw new UserError("packetwalk learn: no lessons found");
  const lines = createInterface({ input: deps.input ?? process.stdin, terminal: false });
  const it = lines[Symbol.asyncIterator]();
  const ask = async (prompt: string): Promise<string | null> => {
    write(prompt);
    const r = await it.next();
    return r.done ? null : r.value;
  };
  const progress = deps.progress ?? new ProgressStore();
  try {
    if (name !== undefined) {
      await new Session(lessons[0]!, opts, write, ask, progress, deps).run();
      return 0;
    }
    for (;;) {
      const chosen = await menu(lessons, progress, write, ask);
      if (!chosen) return 0;
      const outcome = await new Session(chosen, opts, write, ask, progress, deps).run();
      if (outcome === "quit") return 0;
    }
  } finally {
    lines.close();
  }
}

async function menu(
  lessons: Lesson[],
  progress: ProgressStore,
  write: Write,
  ask: (p: string) => Promise<string | null>,
): Promise<Lesson | undefined> {
  for (;;) {
    const marks = progress.read();
    write(`\n${style.bold("Lessons")} (progress is kept in ${progress.file})\n`);
    lessons.forEach((l, i) => {
      const p = marks[l.id];
      const mark = p?.done
        ? "done "
        : p && p.reached > 0
          ? `${p.reached}/${l.steps.length}`.padEnd(5)
          : "     ";
      write(`  ${String(i + 1).padStart(2)}. [${mark}] ${pick(l.title, "", l.lang)}  (${l.id})\n`);
    });
    const a = await ask("lesson number or id (q: quit) > ");
    if (a === null || a.trim().toLowerCase() === "q") return undefined;
    const t = a.trim();
    const found = /^\d+$/.test(t) ? lessons[Number(t) - 1] : lessons.find((l) => l.id === t);
    if (found) return found;
    write(`no lesson "${t}"\n`);
  }
}

/** One lesson, start to end: the simulator's world, its snapshots, the kernel on demand. */
class Session {
  private readonly sim: SimBackend;
  /** Per step index: the world before the step ran (taken as the learner first got there). */
  private readonly before: WorldSnapshot[] = [];
  private last: StepRun | undefined;
  /** The world after the step just run, when the step has a diagram to show. */
  private topology: Topology | undefined;
  /** The kernel's sandbox and how many steps it has run (it only ever moves forward). */
  private kernel: { backend: Backend; at: number } | undefined;
  private readonly lang: string;

  constructor(
    private readonly lesson: Lesson,
    opts: LearnOptions,
    private readonly write: Write,
    private readonly ask: (p: string) => Promise<string | null>,
    private readonly progress: ProgressStore,
    private readonly deps: LearnDeps,
  ) {
    const seed = opts.seed === undefined ? 1 : Number(opts.seed);
    if (!Number.isInteger(seed)) throw new UserError(`packetwalk: --seed must be an integer`);
    this.sim = new SimBackend({ profile: resolveProfile(opts.profile), seed });
    this.lang = opts.lang ?? lesson.lang;
  }

  private t(text: Readonly<Record<string, string>>): string {
    return pick(text, this.lang, this.lesson.lang);
  }

  async run(): Promise<LearnOutcome> {
    const l = this.lesson;
    const w = this.write;
    w(`\n${style.bold(this.t(l.title))}\n\n`);
    const intro = this.t(l.intro);
    if (intro) w(`${intro}\n\n`);
    w(`Goals:\n${l.goals.map((g) => `  - ${this.t(g)}\n`).join("")}\n${style.dim(LEARN_KEYS)}\n`);
    const actor = createActor(learnMachine, {
      input: { predicts: l.steps.map((s) => s.prediction !== undefined) },
    }).start();
    try {
      for (;;) {
        const snap = actor.getSnapshot();
        if (snap.status === "done") return snap.value as LearnOutcome;
        const { index, entry } = snap.context;
        const step = l.steps[index]!;
        switch (snap.value) {
          case "running":
            if (entry === "back" || entry === "restart") {
              w(style.dim(`\n(the world is put back as it was before step ${step.number})\n`));
              await this.sim.restore(this.before[index]!);
            } else this.before[index] = this.sim.snapshot();
            await this.showStep(step);
            actor.send({ type: "RAN" });
            if (actor.getSnapshot().value === "revealed") this.reveal(step, undefined, undefined);
            break;
          case "predicting": {
            const p = step.prediction!;
            w(`\n${style.bold("Predict:")} ${this.t(p.question)}\n`);
            p.choices?.forEach((c, i) => w(`  ${i + 1}) ${this.t(c)}\n`));
            const a = await this.ask(
              p.choices
                ? "your answer (a number; Enter: skip, q: quit) > "
                : "your answer (Enter: skip, q: quit) > ",
            );
            // "q" quits here too: no answer of any lesson is the letter q.
            if (a === null || a.trim().toLowerCase() === "q") {
              actor.send({ type: "QUIT" });
              break;
            }
            const correct = isRightAnswer(p, a);
            actor.send({ type: "ANSWER", answer: a.trim(), correct });
            this.reveal(step, a.trim(), correct);
            break;
          }
          case "revealed": {
            const key = await this.ask(`[step ${step.number}/${l.steps.length}] n b r k w q > `);
            const k = key === null ? "q" : key.trim().charAt(0).toLowerCase() || "n";
            if (k === "w") this.wholeWalk();
            else if (k === "n") {
              if (index === l.steps.length - 1) {
                this.progress.record(l.id, step.number, true);
                w(`\n${style.green("Lesson done.")}\n`);
              }
              actor.send({ type: "NEXT" });
            } else if (k === "b") {
              actor.send({ type: "BACK" });
              if (actor.getSnapshot().context.atFirst) w("-- this is the first step --\n");
            } else if (k === "r") actor.send({ type: "RESTART" });
            else if (k === "k") actor.send({ type: "KERNEL" });
            else if (k === "q") actor.send({ type: "QUIT" });
            else w(`${LEARN_KEYS}\n`);
            break;
          }
          case "kernel":
            await this.onKernel(step);
            actor.send({ type: "KERNEL_DONE" });
            break;
        }
      }
    } finally {
      actor.stop();
      await this.sim.close();
      await this.kernel?.backend.close();
    }
  }

  private async showStep(step: Step): Promise<void> {
    const w = this.write;
    w(
      `\n${style.bold(`Step ${step.number}/${this.lesson.steps.length}: ${this.t(step.title)}`)}\n\n`,
    );
    w(`${this.t(step.narration)}\n`);
    this.last = await runStep(this.lesson, step, this.sim);
    // The world after the step, with docker's containers by name (their namespaces have none).
    const ran = this.lesson.steps.slice(0, step.number).flatMap((s) => s.commands);
    this.topology = step.diagram
      ? withContainers(await this.sim.inspect(), await dockerContainers(this.sim, ran))
      : undefined;
    if (this.last.commands.length > 0) w("\n");
    for (const c of this.last.commands) w(commandText(c.command.text, c.result));
  }

  private reveal(step: Step, answer: string | undefined, correct: boolean | undefined): void {
    const w = this.write;
    const p = step.prediction;
    if (p) {
      const right = p.choices
        ? this.t(p.choices.find((c) => Object.values(c).includes(p.answer)) ?? { x: p.answer })
        : p.answer;
      const verdict =
        answer === "" || answer === undefined
          ? `The answer: ${right}`
          : correct
            ? style.green(`Right: ${right}`)
            : style.yellow(`Not quite: the answer is ${right}`);
      w(`\n${verdict}\n${this.t(p.explain)}\n`);
    }
    const run = this.last;
    if (run?.walk) {
      w(`\n${style.bold("The walk")} (w shows it hop by hop):\n`);
      w(run.walk.verdict.map((v) => `${v}\n`).join(""));
    }
    if (step.diagram) {
      const lookup = this.deps.diagrams ?? lessonDiagram;
      const d = lookup(this.lesson, step, step.diagram, this.topology);
      if (d?.text) w(`\n${style.bold("The topology now")}:\n${d.text.replace(/\n?$/, "\n")}`);
      if (d?.path) w(`diagram: ${d.path}\n`);
      if (!d) w(style.dim(`\n(no diagram named "${step.diagram}"; "topology" is drawn)\n`));
    }
    if (run && run.checks.length > 0) {
      w(`\n${style.bold("Checks")}:\n`);
      for (const c of run.checks)
        w(
          `  ${c.ok ? style.green("ok  ") : style.red("FAIL")} ${checkText(c.check)}${c.ok ? "" : `: ${c.why}`}\n`,
        );
    }
    this.progress.record(this.lesson.id, step.number);
  }

  private wholeWalk(): void {
    const walk = this.last?.walk?.walk;
    this.write(walk ? renderWalk(walk, { colour: useColour() }) : "this step walks no probe\n");
  }

  /** The same step on the real kernel: the sandbox brought to it, then held against the simulator. */
  private async onKernel(step: Step): Promise<void> {
    const w = this.write;
    const index = step.number - 1;
    try {
      if (!this.kernel || this.kernel.at !== index) {
        await this.kernel?.backend.close();
        this.kernel = undefined;
        w(style.dim("\nstarting a kernel sandbox...\n"));
        const backend = await (this.deps.kernel ?? (() => KernelBackend.start()))();
        this.kernel = { backend, at: 0 };
        for (const s of this.lesson.steps.slice(0, index)) {
          w(style.dim(`  replaying step ${s.number} on the kernel\n`));
          await runStep(this.lesson, s, backend);
        }
        this.kernel.at = index;
      }
      const k = await runStep(this.lesson, step, this.kernel.backend);
      this.kernel.at = index + 1;
      this.showKernel(k);
    } catch (e) {
      await this.kernel?.backend.close();
      this.kernel = undefined;
      const why = e instanceof Error ? e.message : String(e);
      w(style.red(`the kernel could not run this step: ${why}\n`));
      w("Run `packetwalk doctor` to see what the kernel backend needs.\n");
    }
  }

  private showKernel(k: StepRun): void {
    const w = this.write;
    const sim = this.last;
    w(`\n${style.bold("On the real kernel")}:\n`);
    for (const c of k.commands) w(commandText(c.command.text, c.result));
    if (k.walk) w(`${k.walk.verdict.join("\n")}\n`);
    for (const c of k.checks)
      w(
        `  ${c.ok ? style.green("ok  ") : style.red("FAIL")} ${checkText(c.check)}${c.ok ? "" : `: ${c.why}`}\n`,
      );
    if (!sim) return;
    const diffs = divergences(sim, k);
    if (diffs.length === 0)
      w(style.green("The simulator and the kernel agree on every line of this step.\n"));
    else {
      w(style.yellow(`${diffs.length} line(s) differ (the kernel is right):\n`));
      for (const d of diffs) {
        w(
          `  ${d.command.text}\n    simulator: ${oneLine(d.sim.stdout + d.sim.stderr)} (exit ${d.sim.exit})\n`,
        );
        w(`    kernel:    ${oneLine(d.kernel.stdout + d.kernel.stderr)} (exit ${d.kernel.exit})\n`);
      }
    }
  }
}

function oneLine(s: string): string {
  const t = s.trim().replace(/\n/g, " | ");
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}

function commandText(text: string, r: { exit: number; stdout: string; stderr: string }): string {
  // What programs print is escaped for the terminal, as `run` does (src/script/escape.ts).
  const out = escapeOutput(r.stdout + r.stderr).replace(/\n?$/, "\n");
  return `${style.cyan(`$ ${escapeControls(text)}`)}\n${out === "\n" ? "" : out}${r.exit !== 0 ? style.dim(`(exit ${r.exit})\n`) : ""}`;
}
