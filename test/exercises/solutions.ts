// The reference and wrong solutions of every exercise (test/exercises/solutions/ID/*.lab).
// A wrong solution's first line says what its failure must explain: `# expect: TEXT`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadScript } from "../../src/cli/load-script.js";
import type { LabCommand } from "../../src/script/types.js";

export const SOLUTIONS_DIR = join(import.meta.dirname, "solutions");

export interface Solution {
  name: string;
  commands: LabCommand[];
  /** undefined for the reference; the text a wrong one's failure must contain. */
  expect?: string;
}

export function solutionsOf(id: string): Solution[] {
  const dir = join(SOLUTIONS_DIR, id);
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".lab"))
      .sort();
  } catch {
    return [];
  }
  return files.map((f) => {
    const path = join(dir, f);
    const first = readFileSync(path, "utf8").split("\n")[0] ?? "";
    const m = /^#\s*expect:\s*(.*)$/.exec(first);
    return {
      name: f.replace(/\.lab$/, ""),
      commands: loadScript(path).commands,
      ...(f === "reference.lab" ? {} : { expect: m?.[1]?.trim() ?? "" }),
    };
  });
}
