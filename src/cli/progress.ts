// A learner's progress through the lessons, kept in the XDG state directory
// ($XDG_STATE_HOME/packetwalk/progress.json, else ~/.local/state/packetwalk/...).
// Losing it costs nothing but a menu's marks, so a file that cannot be read or written
// is treated as empty, never as an error.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface LessonProgress {
  /** Steps whose answer was revealed, highest step number reached. */
  reached: number;
  /** The learner went past the last step. */
  done: boolean;
}

export type Progress = Record<string, LessonProgress>;

export function progressFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME?.startsWith("/")
    ? env.XDG_STATE_HOME
    : join(env.HOME ?? homedir(), ".local", "state");
  return join(base, "packetwalk", "progress.json");
}

export class ProgressStore {
  constructor(readonly file: string = progressFile()) {}

  read(): Progress {
    try {
      const v: unknown = JSON.parse(readFileSync(this.file, "utf8"));
      return typeof v === "object" && v !== null && "lessons" in v
        ? ((v as { lessons: Progress }).lessons ?? {})
        : {};
    } catch {
      return {};
    }
  }

  /** Records that step `number` of lesson `id` was revealed (and the lesson done). */
  record(id: string, number: number, done = false): void {
    const all = this.read();
    const was = all[id] ?? { reached: 0, done: false };
    all[id] = { reached: Math.max(was.reached, number), done: was.done || done };
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      // Written whole and renamed: a crash never leaves half a file.
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ lessons: all }, null, 2)}\n`);
      renameSync(tmp, this.file);
    } catch {
      // A read-only home: progress is not kept, the lesson goes on.
    }
  }
}
