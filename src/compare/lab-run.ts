// Running a parsed lab script on one backend, or on both side by side. Used by the CLI,
// lessons and the differential tests alike.
import type { Backend, CommandResult } from "../backend.js";
import type { LabCommand, Provenance } from "../script/types.js";
import { sameResult } from "./normalise.js";

export interface LineResult {
  line: number;
  command: string;
  /** The script line the command came from, and its place in the line's expansion. */
  provenance: Provenance;
  result: CommandResult;
}

export interface ComparedLine {
  line: number;
  command: string;
  provenance: Provenance;
  sim: CommandResult;
  kernel: CommandResult;
  match: boolean;
}

/** The command as the JSON contract names it: the command as it ran (one of a line's expansion). */
export function commandText(cmd: LabCommand): string {
  return cmd.text;
}

/** How many lines an ordered backend is given ahead of the one whose result is awaited. */
const AHEAD = 32;

export async function runLab(
  commands: LabCommand[],
  backend: Backend,
  onLine?: (r: LineResult) => void,
): Promise<LineResult[]> {
  const out: LineResult[] = [];
  const ahead: Promise<CommandResult>[] = [];
  let given = 0;
  for (const cmd of commands) {
    // An ordered backend gets the next lines now: it runs them in order, without waiting
    // for this loop to see each result (results are still taken, and shown, in order).
    const window = backend.ordered ? AHEAD : 1;
    while (given < commands.length && ahead.length < window) {
      const p = backend.run(commands[given++]!);
      p.catch(() => undefined); // awaited below in its turn; not unhandled meanwhile
      ahead.push(p);
    }
    const r: LineResult = {
      line: cmd.line,
      command: commandText(cmd),
      provenance: cmd.provenance,
      result: await ahead.shift()!,
    };
    out.push(r);
    onLine?.(r);
  }
  return out;
}

/** Runs each line in the simulator and then on the kernel, and compares them. */
export async function compareLab(
  commands: LabCommand[],
  sim: Backend,
  kernel: Backend,
  onLine?: (r: ComparedLine) => void,
): Promise<ComparedLine[]> {
  const out: ComparedLine[] = [];
  for (const cmd of commands) {
    const s = await sim.run(cmd);
    const k = await kernel.run(cmd);
    const r: ComparedLine = {
      line: cmd.line,
      command: commandText(cmd),
      provenance: cmd.provenance,
      sim: s,
      kernel: k,
      match: sameResult(s, k, cmd.text),
    };
    out.push(r);
    onLine?.(r);
  }
  return out;
}
