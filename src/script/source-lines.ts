// A script's text as logical lines: comments set aside (a lesson's narration), and a line
// ending in `\` joined with the next as a shell joins them (pasted commands often wrap).
import { ScriptError } from "./errors.js";
import { hasUnclosedQuote } from "./quotes.js";
import type { LabComment } from "./types.js";

/** One logical line: its first line's number and its text, continuations joined, trimmed. */
export interface SourceLine {
  line: number;
  text: string;
}

export interface SourceSplit {
  lines: SourceLine[];
  comments: LabComment[];
  errors: ScriptError[];
}

/** An odd number of trailing backslashes: the last one escapes the newline. */
function continues(s: string): boolean {
  const m = /\\+$/.exec(s.trimEnd());
  return m !== null && m[0].length % 2 === 1;
}

/**
 * The shell removes backslash-newline and nothing else. Between words, the blanks around
 * it are shown as one space (the same words); inside a quote they are kept as they are.
 * Trailing blanks after the '\' are forgiven: pasted text often has them.
 */
function join(line: string, next: string): string {
  const before = line.trimEnd().slice(0, -1);
  if (hasUnclosedQuote(before)) return before + next;
  const blank = /\s$/.test(before) || /^\s/.test(next);
  return blank ? `${before.trimEnd()} ${next.trimStart()}` : before + next;
}

export function sourceLines(text: string, file: string): SourceSplit {
  const raw = text.split(/\r?\n/);
  const out: SourceSplit = { lines: [], comments: [], errors: [] };
  for (let i = 0; i < raw.length; i++) {
    const first = i + 1;
    const t = raw[i]!.trim();
    if (t.startsWith("#")) {
      // A comment ends at its newline, backslash or not, as in a shell.
      out.comments.push({ line: first, text: t.replace(/^#+ ?/, "") });
      continue;
    }
    if (t === "") continue;
    let joined = raw[i]!;
    let complete = true;
    while (continues(joined)) {
      if (i + 1 >= raw.length) {
        out.errors.push(
          new ScriptError(
            file,
            first,
            "the line ends with '\\' but no line follows to continue it",
          ),
        );
        complete = false;
        break;
      }
      i++;
      joined = join(joined, raw[i]!);
    }
    if (complete) out.lines.push({ line: first, text: joined.trim() });
  }
  return out;
}
