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

/**
 * A script's lines on one backend, results taken in order. An ordered backend gets the
 * next lines before the result of this one is taken: it runs them in order, without
 * waiting for the caller to see each result.
 */
class LinesAhead {
  private readonly ahead: Promise<CommandResult>[] = [];
  private given = 0;

  constructor(
    private readonly backend: Backend,
    private readonly commands: readonly LabCommand[],
  ) {}

  /** The next line's result. */
  next(): Promise<CommandResult> {
    const window = this.backend.ordered ? AHEAD : 1;
    while (this.given < this.commands.length && this.ahead.length < window) {
      const p = this.backend.run(this.commands[this.given++]!);
      p.catch(() => undefined); // taken by next() in its turn; not unhandled meanwhile
      this.ahead.push(p);
    }
    const p = this.ahead.shift();
    return p ?? Promise.reject(new Error("no line left to run"));
  }
}

export async function runLab(
  commands: LabCommand[],
  backend: Backend,
  onLine?: (r: LineResult) => void,
): Promise<LineResult[]> {
  const out: LineResult[] = [];
  const lines = new LinesAhead(backend, commands);
  for (const cmd of commands) {
    const r: LineResult = {
      line: cmd.line,
      command: commandText(cmd),
      provenance: cmd.provenance,
      result: await lines.next(),
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
  const onKernel = new LinesAhead(kernel, commands);
  for (const cmd of commands) {
    const s = await sim.run(cmd);
    const k = await onKernel.next();
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
