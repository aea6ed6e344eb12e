// Runs one lab script in the simulator and on the kernel (a fresh sandbox) and describes
// every line that differs after normalisation: the differential tests' shared step.
import { differences } from "../../src/compare/diff.js";
import { compareLab } from "../../src/compare/lab-run.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { readMachineProfile } from "../../src/real/preflight.js";
import { parseScript } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

// Both backends start from this machine's world: the kernel's new namespaces inherit it.
const profile = readMachineProfile();

export interface Mismatches {
  /** Lines the parser refused (none expected). */
  errors: string[];
  /** One block per differing line; empty when every line matches. */
  report: string;
}

export async function mismatches(
  text: string,
  file: string,
  scriptDir?: string,
): Promise<Mismatches> {
  const { script, errors } = parseScript(text, file);
  if (errors.length > 0) return { errors: errors.map((e) => e.message), report: "" };
  const sim = new SimBackend({ profile, ...(scriptDir ? { scriptDir } : {}) });
  const kernel = await KernelBackend.start(scriptDir ? { scriptDir } : {});
  try {
    const lines = await compareLab(script.commands, sim, kernel);
    const report = lines
      .filter((l) => !l.match)
      .map(
        (l) =>
          `line ${l.line}: ${l.command}\n${differences(l.sim, l.kernel, l.command)
            .flatMap((d) => [`  ${d.field}:`, ...d.lines.map((x) => `    ${x}`)])
            .join("\n")}`,
      )
      .join("\n");
    return { errors: [], report };
  } finally {
    await kernel.close();
  }
}
