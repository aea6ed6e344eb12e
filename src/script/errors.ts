// A lab script problem found before anything runs: names the line and what is wrong.
// What it quotes from the script is escaped: a script's bytes never reach the terminal raw.
import { escapeControls } from "./escape.js";

export class ScriptError extends Error {
  readonly reason: string;
  readonly hint?: string;
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
    hint?: string,
  ) {
    const r = escapeControls(reason);
    const h = hint === undefined ? undefined : escapeControls(hint);
    super(`${escapeControls(file)}:${line}: ${r}${h ? `\n  hint: ${h}` : ""}`);
    this.name = "ScriptError";
    this.reason = r;
    if (h !== undefined) this.hint = h;
  }
}
