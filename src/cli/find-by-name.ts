// How a learner names a lesson or an exercise on the command line: its id, its file's
// number ("3" or "03"), or its file name with or without ".md".
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "./load-script.js";

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

/** The Markdown files of a lesson or exercise folder (README.md aside), in name order. */
export function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md") && f.toLowerCase() !== "readme.md")
    .sort()
    .map((f) => join(dir, f));
}

/** A lesson or exercise file's text, or a UserError saying why it cannot be read. */
export function readNamedFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      `packetwalk: cannot read ${file}: ${code === "ENOENT" ? "no such file" : String(code ?? e)}`,
    );
  }
}
