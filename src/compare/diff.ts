// Side-by-side account of where the simulator and the kernel differ on one line.
import { diffLines } from "diff";
import type { CommandResult } from "../backend.js";
import { normaliseResult } from "./normalise.js";

export interface Difference {
  field: "exit" | "stdout" | "stderr";
  sim: string;
  kernel: string;
  /** Unified-style lines: "  same", "- sim only", "+ kernel only". */
  lines: string[];
}

export function differences(
  sim: CommandResult,
  kernel: CommandResult,
  command?: string,
): Difference[] {
  const a = normaliseResult(sim, command);
  const b = normaliseResult(kernel, command);
  const out: Difference[] = [];
  if (a.exit !== b.exit) {
    out.push({
      field: "exit",
      sim: String(a.exit),
      kernel: String(b.exit),
      lines: [`- exit ${a.exit}`, `+ exit ${b.exit}`],
    });
  }
  for (const field of ["stdout", "stderr"] as const) {
    if (a[field] === b[field]) continue;
    const lines: string[] = [];
    for (const part of diffLines(a[field], b[field])) {
      const mark = part.added ? "+ " : part.removed ? "- " : "  ";
      for (const l of part.value.replace(/\n$/, "").split("\n")) lines.push(mark + l);
    }
    out.push({ field, sim: a[field], kernel: b[field], lines });
  }
  return out;
}
