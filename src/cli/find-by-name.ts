// How a learner names a lesson or an exercise on the command line: its id, its file's
// number ("3" or "03"), or its file name with or without ".md".
import { existsSync, statSync } from "node:fs";

/** A name that is a path to read rather than an entry to look up. */
export function isFileName(name: string): boolean {
  return name.includes("/") || (existsSync(name) && statSync(name).isFile());
}

/** Whether the entry (id, file) is the one the learner named. */
export function namedBy(name: string): (x: { id: string; file: string }) => boolean {
  return (x) =>
    x.id === name ||
    x.file.endsWith(`/${name}`) ||
    x.file.endsWith(`/${name}.md`) ||
    (/^\d+$/.test(name) &&
      /^(\d+)-/.exec(x.file.split("/").at(-1) ?? "")?.[1] === name.padStart(2, "0"));
}
