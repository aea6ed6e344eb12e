// A lab script problem found before anything runs: names the line and what is wrong.
export class ScriptError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
    readonly hint?: string,
  ) {
    super(`${file}:${line}: ${reason}${hint ? `\n  hint: ${hint}` : ""}`);
    this.name = "ScriptError";
  }
}
