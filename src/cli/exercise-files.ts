// Finding and reading exercise files: the package's exercises/ folder (every *.md but
// README.md), or a file a path names; and a solution file, as a lab script.

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Exercise } from "../exercises/format.js";
import { parseExercise } from "../exercises/parse.js";
import type { LessonError } from "../lessons/parse.js";
import { isFileName, markdownFiles, namedBy, readNamedFile } from "./find-by-name.js";
import { UserError } from "./load-script.js";

/** The package's exercises/ (two levels above src/cli and dist/cli alike). */
export const EXERCISES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../exercises");

export function exerciseFiles(dir = EXERCISES_DIR): string[] {
  return markdownFiles(dir);
}

export function readExercise(file: string): { exercise: Exercise; errors: LessonError[] } {
  const text = readNamedFile(file);
  return parseExercise(text, file);
}

export function loadExercises(dir?: string): Exercise[] {
  const out = exerciseFiles(dir).map((f) => readExercise(f));
  const errors = out.flatMap((o) => o.errors);
  if (errors.length > 0)
    throw new UserError(
      `${errors.map((e) => e.message).join("\n")}\npacketwalk: ${errors.length} problem(s) in exercise files.`,
    );
  return out.map((o) => o.exercise);
}

/** An exercise by id, by its number ("3"), by file name, or by path. */
export function findExercise(name: string, dir?: string): Exercise {
  if (isFileName(name)) {
    const { exercise, errors } = readExercise(name);
    if (errors.length > 0) throw new UserError(errors.map((e) => e.message).join("\n"));
    return exercise;
  }
  const all = loadExercises(dir);
  const found = all.find(namedBy(name));
  if (!found)
    throw new UserError(
      `packetwalk: no exercise "${name}". Exercises: ${all.map((x) => x.id).join(", ")}`,
    );
  return found;
}
