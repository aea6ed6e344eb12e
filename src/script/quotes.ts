// Quote checks the shell-quote tokenizer does not make: it forgives an unclosed quote and
// reads `$(` and backticks inside single quotes.

/** Removes '...' spans so checks for $( and backticks ignore quoted text. */
export function stripSingleQuoted(s: string): string {
  return s.replace(/'[^']*'/g, "''");
}

/** Command substitution (`...` or $(...)) outside single quotes. */
export function hasSubstitution(s: string): boolean {
  return /`|\$\(/.test(stripSingleQuoted(s));
}

export function hasUnclosedQuote(s: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote === null && c === "\\") {
      i++;
      continue;
    }
    if (quote === '"' && c === "\\") {
      i++;
      continue;
    }
    if (quote === null && (c === "'" || c === '"')) quote = c;
    else if (quote !== null && c === quote) quote = null;
  }
  return quote !== null;
}
