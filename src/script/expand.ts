// The expansion stage: one script line may stand for several commands (the `docker`
// vocabulary will: `docker run` is `ip link add ...`, `iptables ...`, ...). Each command
// keeps its provenance: the line it came from and its place in the expansion. Without an
// expander every line is itself (step 1 of 1).
import { parse as shellParse } from "shell-quote";
import { ScriptError } from "./errors.js";
import { stripPrompt, stripSudo } from "./pasted.js";
import { hasSubstitution, hasUnclosedQuote } from "./quotes.js";
import type { SourceLine } from "./source-lines.js";
import type { LabCommand, Provenance } from "./types.js";

export interface ExpansionInput {
  /** The script line's number (a continued line's first line). */
  line: number;
  /** The script line as written. */
  text: string;
  /** Its words as a shell splits them, a pasted `$ ` prompt and `sudo` removed. */
  words: readonly string[];
  /** Refuses the line, naming it: "docker run: no such network n2". */
  fail: (reason: string, hint?: string) => never;
}

/**
 * A vocabulary whose lines stand for other lab lines. `expand` gives the lab lines one
 * script line stands for (each then parsed and checked like any line), or undefined to
 * leave the line as it is. It is called once per line, in order: an expander that keeps
 * state (the networks `docker network create` made) is made afresh for each script.
 */
export interface Expander {
  /** Named in each command's provenance ("docker"). */
  readonly name: string;
  expand(input: ExpansionInput): readonly string[] | undefined;
}

/** The line's lab lines: the expander's, or the line itself (undefined). */
export function expansionOf(
  src: SourceLine,
  file: string,
  expander: Expander | undefined,
): readonly string[] | undefined {
  if (expander === undefined) return undefined;
  const fail = (reason: string, hint?: string): never => {
    throw new ScriptError(file, src.line, reason, hint);
  };
  const words = plainWords(src.text, fail);
  if (words === undefined) return undefined;
  // Blank and comment lines of an expansion are not commands: they do not count as steps.
  return expander
    .expand({ ...src, words, fail })
    ?.filter((t) => t.trim() !== "" && !t.trim().startsWith("#"));
}

/** A command of an expansion, its provenance set; its errors name the line and the step. */
export function expandedCommand(
  src: SourceLine,
  by: Expander,
  step: number,
  of: number,
  parse: () => LabCommand | null,
): LabCommand | null {
  let cmd: LabCommand | null;
  try {
    cmd = parse();
  } catch (e) {
    if (!(e instanceof ScriptError)) throw e;
    throw new ScriptError(
      e.file,
      e.line,
      `${e.reason} (in command ${step} of ${of} this line expands into)`,
      e.hint,
    );
  }
  if (cmd === null) return null;
  const provenance: Provenance = { line: src.line, text: src.text, step, of, expandedBy: by.name };
  return { ...cmd, provenance };
}

/**
 * The line's words when it is only words (a trailing comment allowed); undefined when it
 * has shell syntax, which the parser then refuses or understands (`&`, `>`).
 */
function plainWords(
  text: string,
  fail: (reason: string, hint?: string) => never,
): string[] | undefined {
  if (hasSubstitution(text) || hasUnclosedQuote(text)) return undefined;
  let variable = false;
  let tokens: ReturnType<typeof shellParse>;
  try {
    tokens = shellParse(stripPrompt(text), () => {
      variable = true;
      return "";
    });
  } catch {
    return undefined;
  }
  if (variable) return undefined;
  const words: string[] = [];
  for (const t of tokens) {
    if (typeof t === "string") words.push(t);
    else if ("comment" in t) break;
    else return undefined;
  }
  return words.length === 0 ? undefined : stripSudo(words, fail);
}
