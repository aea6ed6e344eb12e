// Spelling things in Mermaid text that GitHub's (older) Mermaid also reads: node ids of
// letters, digits and underscores only, labels always in double quotes with the few
// characters that would end or confuse them written as entity codes (#quot; #lt; ...).

/** A label for `id["..."]`, a quoted edge label or a sequence message: safe inside quotes. */
export function label(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/[#"<>]/g, (c) => ENTITIES[c]!);
}

/** Text of a sequence-diagram message or note: `;` would end the statement there. */
export function seqText(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/[#;"<>]/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = {
  "#": "#35;",
  ";": "#59;",
  '"': "#quot;",
  "<": "#lt;",
  ">": "#gt;",
};

/**
 * An id made from any name: letters and digits stay, anything else becomes _xx (its
 * code in hex), so two different names never give one id and the same name always does.
 */
export function safeId(name: string): string {
  let out = "";
  for (const ch of name) {
    out += /[A-Za-z0-9]/.test(ch) ? ch : `_${ch.codePointAt(0)!.toString(16)}`;
  }
  return out;
}
