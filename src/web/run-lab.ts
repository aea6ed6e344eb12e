// The simulator in a web page: a lab script's text in, each line's result out, exactly as
// `packetwalk run --json` gives them. Nothing here or below touches node: modules or the
// environment (checked by .dependency-cruiser.cjs), so a bundler can ship it to a browser.
import type { CommandResult } from "../backend.js";
import type { Provenance } from "../script/types.js";
import { runLab } from "../compare/lab-run.js";
import { parseScript } from "../script/parse.js";
import { DOCKER_HOST_PROFILE } from "../sim/profile.js";
import { SimBackend } from "../sim/sim-backend.js";

export interface WebLine extends CommandResult {
  line: number;
  command: string;
  provenance: Provenance;
}

export interface WebRun {
  /** The parser's refusals, one message each; nothing ran when there are any. */
  errors: string[];
  lines: WebLine[];
}

export async function runLabText(text: string, file = "lab.lab"): Promise<WebRun> {
  const { script, errors } = parseScript(text, file);
  if (errors.length > 0) return { errors: errors.map((e) => e.message), lines: [] };
  const sim = new SimBackend({ profile: DOCKER_HOST_PROFILE });
  try {
    const lines = await runLab(script.commands, sim);
    return {
      errors: [],
      lines: lines.map((l) => ({
        line: l.line,
        command: l.command,
        ...l.result,
        provenance: l.provenance,
      })),
    };
  } finally {
    await sim.close();
  }
}
