// Command substitution, `$(CMD)`, the one way a lab line uses another's output: the way to
// a container's namespace goes through its PID (`nsenter -t $(docker inspect -f
// '{{.State.Pid}}' web) -n ip addr`), a number each backend gives differently. CMD is a lab
// line itself (checked like any), run first by the same backend; what it printed, less
// trailing newlines and split at blanks as an unquoted substitution is, takes its place,
// and the line is parsed again. The text stays as written: a PID never shows in a line.
import type { SubstitutionSpan } from "./types.js";

/**
 * The `$(...)` spans outside single quotes, in order; a reason (a string) when one is not
 * closed or holds another.
 */
export function findSubstitutions(text: string): SubstitutionSpan[] | string {
  const spans: SubstitutionSpan[] = [];
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && quote !== "'") {
      i++;
      continue;
    }
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (quote === '"' && c === "$" && text[i + 1] === "(")
        return "a $(...) inside double quotes is not supported";
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      continue;
    }
    if (c !== "$" || text[i + 1] !== "(") continue;
    // The matching ")": quotes inside the command hide parentheses ('{{.State.Pid}}').
    let q: "'" | '"' | null = null;
    let j = i + 2;
    for (; j < text.length; j++) {
      const d = text[j]!;
      if (q !== null) {
        if (d === q) q = null;
        continue;
      }
      if (d === "'" || d === '"') q = d;
      else if (d === "$" && text[j + 1] === "(") return "a $(...) inside another is not supported";
      else if (d === "(") return "parentheses inside $(...) are not supported";
      else if (d === ")") break;
    }
    if (j >= text.length) return "unterminated $(...)";
    spans.push({ start: i, end: j + 1, inner: text.slice(i + 2, j).trim() });
    i = j;
  }
  return spans;
}
