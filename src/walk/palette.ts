// Terminal styles for the walk. Colour is only ever an aid: every line says in words what
// its colour says, so a pipe or NO_COLOR loses nothing. The caller decides on colour.
import { nsDisplay, type NsName } from "../backend/trace-types.js";

export type Paint = (s: string) => string;

export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
}

/** Terminal styles, switched by the caller (src/cli/style.ts switches them by the terminal). */
export function palette(colour: boolean): Palette {
  const wrap =
    (code: string, reset: string): Paint =>
    (s) =>
      colour && s !== "" ? `\u001b[${code}m${s}\u001b[${reset}m` : s;
  return {
    bold: wrap("1", "22"),
    dim: wrap("2", "22"),
    red: wrap("31", "39"),
    green: wrap("32", "39"),
    yellow: wrap("33", "39"),
    cyan: wrap("36", "39"),
  };
}

/** A namespace as people are shown it: "(root)" for the script's own. */
export function nsName(ns: NsName): string {
  return nsDisplay(ns);
}

/** A program's output as lines (none for ""), without the last newline. */
export function outputLines(s: string): string[] {
  return s === "" ? [] : s.replace(/\n$/, "").split("\n");
}

/** Indents a program's output line; an empty line stays empty (no trailing blanks). */
export function indent(n: number): (l: string) => string {
  return (l) => (l === "" ? "" : " ".repeat(n) + l);
}

/** Colours the verdict at the end of a netfilter line; the words stay as they are. */
export function paintVerdict(text: string, verdict: string, p: Palette): string {
  const at = text.lastIndexOf(verdict);
  if (at < 0) return text;
  return text.slice(0, at) + verdictPaint(verdict, p)(verdict) + text.slice(at + verdict.length);
}

function verdictPaint(verdict: string, p: Palette): Paint {
  if (verdict === "ACCEPT") return p.green;
  if (verdict === "DROP" || verdict.startsWith("REJECT")) return (t) => p.bold(p.red(t));
  return p.yellow;
}
