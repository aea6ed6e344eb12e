// `packetwalk labs [NAME]`: the example labs a learner can run. They are the lesson labs
// (lessons/*.lab) and the differential labs (test/labs/*.lab), each of which shows one
// behaviour and is checked against the kernel; both folders ship in the npm package.
// Without NAME: each lab with the first sentence of its leading comment; with NAME: run it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "./load-script.js";
import { runCommand, type RunOptions } from "./run-command.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const LAB_DIRS = [join(ROOT, "lessons"), join(ROOT, "test", "labs")];

type Write = (s: string) => void;

/** Every example lab: [name, path], lessons' first. */
export function exampleLabs(dirs = LAB_DIRS): [string, string][] {
  return dirs.flatMap((d) =>
    existsSync(d)
      ? readdirSync(d)
          .filter((f) => f.endsWith(".lab"))
          .sort()
          .map((f): [string, string] => [f.replace(/\.lab$/, ""), join(d, f)])
      : [],
  );
}

/** The first sentence of the lab's leading comment (at most 100 characters), "" without one. */
export function labSummary(path: string): string {
  const lines = readFileSync(path, "utf8").split("\n");
  const comment: string[] = [];
  for (const l of lines) {
    if (!l.startsWith("#")) break;
    comment.push(l.replace(/^#\s?/, ""));
  }
  const text = comment.join(" ").replace(/\s+/g, " ").trim();
  const end = text.search(/\.(\s|$)/);
  const first = end < 0 ? text : text.slice(0, end + 1);
  return first.length > 100 ? `${first.slice(0, 99)}…` : first;
}

export async function labsCommand(
  name: string | undefined,
  opts: RunOptions,
  write: Write,
): Promise<number> {
  const labs = exampleLabs();
  if (name === undefined) {
    for (const [n, p] of labs) write(`${n.padEnd(34)} ${labSummary(p)}\n`);
    write(`\n${labs.length} labs. Run one: packetwalk labs NAME [--kernel | --compare]\n`);
    return 0;
  }
  const found = labs.find(([n, p]) => n === name || basename(p) === name);
  if (!found) throw new UserError(`packetwalk labs: no lab "${name}" (packetwalk labs lists them)`);
  return runCommand(found[1], opts, write);
}
