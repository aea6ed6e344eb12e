// Finding and reading lesson files for `learn` and `lesson verify`: the lessons shipped
// in the package's lessons/ folder (every *.md there but README.md), or a file a path names.

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Lesson } from "../lessons/format.js";
import { parseLesson, SEEDS, type LessonError } from "../lessons/parse.js";
import type { Expander } from "../script/expand.js";
import { isFileName, markdownFiles, namedBy, readNamedFile } from "./find-by-name.js";
import { UserError } from "./load-script.js";

/** The package's lessons/ (two levels above src/cli and dist/cli alike). */
export const LESSONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../lessons");

export interface LessonLoadOptions {
  /** Where lessons are looked up by id (tests point it elsewhere). */
  dir?: string;
  expand?: Expander;
}

/** The lesson files of a folder, in name order. */
export function lessonFiles(dir = LESSONS_DIR): string[] {
  return markdownFiles(dir);
}

/** Reads and validates one file; its problems, or the lesson. */
export function readLesson(
  file: string,
  opts: LessonLoadOptions = {},
): { lesson: Lesson; errors: LessonError[] } {
  const text = readNamedFile(file);
  return parseLesson(text, file, { seeds: SEEDS, ...(opts.expand ? { expand: opts.expand } : {}) });
}

/** Every lesson of the folder, all valid, or a UserError listing every problem. */
export function loadLessons(opts: LessonLoadOptions = {}): Lesson[] {
  const out = lessonFiles(opts.dir).map((f) => readLesson(f, opts));
  const errors = out.flatMap((o) => o.errors);
  if (errors.length > 0) throw invalid(errors);
  return out.map((o) => o.lesson);
}

/** A lesson by id, by file name (with or without .md), or by path. */
export function findLesson(name: string, opts: LessonLoadOptions = {}): Lesson {
  if (isFileName(name)) {
    const { lesson, errors } = readLesson(name, opts);
    if (errors.length > 0) throw invalid(errors);
    return lesson;
  }
  const lessons = loadLessons(opts);
  const found = lessons.find(namedBy(name));
  if (!found)
    throw new UserError(
      `packetwalk: no lesson "${name}". Lessons: ${lessons.map((l) => l.id).join(", ")}`,
    );
  return found;
}

function invalid(errors: LessonError[]): UserError {
  return new UserError(
    `${errors.map((e) => e.message).join("\n")}\npacketwalk: ${errors.length} problem(s) in lesson files.`,
  );
}
