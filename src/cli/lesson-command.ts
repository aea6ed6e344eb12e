// `packetwalk lesson verify [--sim|--kernel|--compare] [LESSON...]` and `lesson list`:
// lessons run without a learner; every check must hold in the backends chosen (and with
// --compare every line must print what the kernel prints). Exit 1 when any fails.
import { verifyLesson } from "../lessons/verify.js";
import { missingTraceTools } from "../real/nf-trace.js";
import { UserError } from "./load-script.js";
import { pick } from "../lessons/format.js";
import { chooseMode, openBackends, type BackendOptions } from "./backends.js";
import { findLesson, loadLessons } from "./lesson-files.js";
import { style } from "./style.js";
import { relative } from "node:path";

/** A path as short as it can be said from here. */
function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith("..") ? p : r;
}

export interface VerifyOptions extends BackendOptions {
  dir?: string;
}

type Write = (s: string) => void;

export async function lessonVerifyCommand(
  names: string[],
  opts: VerifyOptions,
  write: Write,
): Promise<number> {
  const mode = chooseMode(opts);
  // Held against the kernel, the simulator starts from what this machine gives a new
  // namespace (br_netfilter, ip_forward...), as the sandbox does.
  if (mode === "compare" && opts.profile === undefined) opts = { ...opts, profile: "machine" };
  const dir = opts.dir === undefined ? {} : { dir: opts.dir };
  const lessons = names.length === 0 ? loadLessons(dir) : names.map((n) => findLesson(n, dir));
  // Walks run traced on the kernel too (their netfilter path is compared).
  const missing = mode === "sim" ? undefined : missingTraceTools();
  if (missing !== undefined)
    throw new UserError(
      `packetwalk lesson verify: ${missing}.\nRun \`packetwalk doctor\` to see what the kernel backend needs.`,
      3,
    );
  let failed = 0;
  for (const lesson of lessons) {
    // A fresh world (and sandbox) per lesson: each lesson starts from nothing.
    const open = await openBackends(mode, opts);
    try {
      const v = await verifyLesson(lesson, open);
      const head = `${lesson.id} (${shortPath(lesson.file)}): ${lesson.steps.length} steps, ${v.checks} checks`;
      if (v.failures.length === 0) write(`${style.green("ok")}   ${head}\n`);
      else {
        failed++;
        write(`${style.red("FAIL")} ${head}, ${v.failures.length} failed\n`);
        for (const f of v.failures)
          write(
            `  ${shortPath(lesson.file)}:${f.line}: step ${f.step} [${f.backend}]: ${f.what}\n`,
          );
      }
    } finally {
      await open.close();
    }
  }
  write(`${lessons.length - failed} of ${lessons.length} lesson(s) verified (${mode})\n`);
  return failed === 0 ? 0 : 1;
}

export function lessonListCommand(opts: { dir?: string }, write: Write): number {
  for (const l of loadLessons(opts.dir === undefined ? {} : { dir: opts.dir }))
    write(
      `${l.id.padEnd(28)} ${String(l.steps.length).padStart(2)} steps  ${pick(l.title, l.lang, l.lang)}\n`,
    );
  return 0;
}
