// The small part of YAML a lesson file uses (its front matter and the bodies of its
// `predict` and `check` blocks): maps, lists, plain and quoted scalars, `[a, b]` flow
// lists and `|` / `>` block scalars. Anything else is refused with the line it is on.
// A full parser (js-yaml) would do; it is not a dependency of packetwalk yet, and this
// subset keeps lesson files simple enough to read on GitHub.

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

export class YamlError extends Error {
  constructor(
    /** 0-based line within the parsed text. */
    readonly line: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

interface Line {
  n: number;
  indent: number;
  text: string;
}

/** Parses a map or a list; "" (only blanks and comments) is an empty map. */
export function parseYaml(text: string): YamlValue {
  const lines: Line[] = [];
  text.split("\n").forEach((raw, n) => {
    const t = raw.replace(/\s+$/, "");
    if (t.trim() === "" || t.trimStart().startsWith("#")) return;
    if (/^\s*\t/.test(raw)) throw new YamlError(n, "tabs cannot indent YAML; use spaces");
    lines.push({ n, indent: t.length - t.trimStart().length, text: t.trimStart() });
  });
  if (lines.length === 0) return {};
  const p = new Parser(lines, text.split("\n"));
  const v = p.block(lines[0]!.indent);
  if (p.i < lines.length) throw new YamlError(lines[p.i]!.n, "unexpected indentation");
  return v;
}

class Parser {
  i = 0;
  constructor(
    private readonly lines: Line[],
    private readonly raw: string[],
  ) {}

  block(indent: number): YamlValue {
    const first = this.lines[this.i]!;
    return first.text === "-" || first.text.startsWith("- ") ? this.list(indent) : this.map(indent);
  }

  private list(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    for (let l = this.lines[this.i]; l && l.indent === indent; l = this.lines[this.i]) {
      if (!(l.text === "-" || l.text.startsWith("- "))) throw new YamlError(l.n, "expected `- `");
      const rest = l.text.slice(1).trimStart();
      if (rest === "") {
        this.i++;
        const next = this.lines[this.i];
        if (!next || next.indent <= indent) throw new YamlError(l.n, "empty list item");
        out.push(this.block(next.indent));
      } else if (/^[^\s"'[][^:]*:(\s|$)/.test(rest)) {
        // `- key: value` starts a map whose other keys line up with `key`.
        const inner = indent + (l.text.length - rest.length);
        this.lines[this.i] = { n: l.n, indent: inner, text: rest };
        out.push(this.map(inner));
      } else {
        this.i++;
        out.push(this.scalar(rest, l.n, indent));
      }
    }
    return out;
  }

  private map(indent: number): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    for (let l = this.lines[this.i]; l && l.indent === indent; l = this.lines[this.i]) {
      const m = /^([^\s:"'][^:]*?):(?:\s+(.*))?$/.exec(l.text);
      if (!m) throw new YamlError(l.n, `expected \`key: value\`, got \`${l.text}\``);
      const key = m[1]!;
      if (Object.hasOwn(out, key)) throw new YamlError(l.n, `${key} is given twice`);
      this.i++;
      // A comment alone after the colon leaves the value to the lines below.
      const rest = (m[2] ?? "").replace(/^#.*$/, "").trim();
      if (rest === "") {
        const next = this.lines[this.i];
        // A list may sit at the key's own indentation (`key:` then `- a`).
        if (
          next &&
          (next.indent > indent || (next.indent === indent && next.text.startsWith("- ")))
        )
          out[key] = this.block(next.indent);
        else out[key] = "";
      } else out[key] = this.scalar(rest, l.n, indent);
    }
    return out;
  }

  private scalar(text: string, n: number, indent: number): YamlValue {
    if (text === "|" || text === ">" || text === "|-" || text === ">-")
      return this.blockScalar(text, n, indent);
    // A comment after a flow list.
    if (text.startsWith("[")) text = text.replace(/\]\s+#[^\]]*$/, "]");
    if (text.startsWith("[")) {
      if (!text.endsWith("]")) throw new YamlError(n, "a flow list must end on its line with ]");
      const body = text.slice(1, -1).trim();
      return body === "" ? [] : splitFlow(body).map((s) => unquote(s.trim(), n));
    }
    if (text.startsWith("{")) throw new YamlError(n, "flow maps ({...}) are not supported");
    // Continuation lines of a plain or quoted scalar: more indented, joined by spaces.
    let value = text;
    for (let l = this.lines[this.i]; l && l.indent > indent; l = this.lines[this.i]) {
      value += ` ${l.text}`;
      this.i++;
    }
    return unquote(value, n);
  }

  /** `|` keeps line breaks, `>` folds them into spaces (blank lines stay paragraph breaks). */
  private blockScalar(style: string, n: number, indent: number): string {
    const body: string[] = [];
    const start = n + 1;
    let end = start;
    while (this.i < this.lines.length && this.lines[this.i]!.indent > indent) {
      end = this.lines[this.i]!.n + 1;
      this.i++;
    }
    const raw = this.raw.slice(start, end);
    const cut = Math.min(
      ...raw.filter((r) => r.trim() !== "").map((r) => r.length - r.trimStart().length),
    );
    for (const r of raw) body.push(r.trim() === "" ? "" : r.slice(cut).replace(/\s+$/, ""));
    const text =
      style[0] === "|"
        ? body.join("\n")
        : body
            .join("\n")
            .split(/\n{2,}/)
            .map((p) => p.replace(/\n/g, " "))
            .join("\n\n");
    return style.endsWith("-") ? text : `${text}\n`;
  }
}

function splitFlow(body: string): string[] {
  const out: string[] = [];
  let cur = "";
  let q: string | undefined;
  for (const ch of body) {
    if (q) {
      if (ch === q) q = undefined;
    } else if (ch === '"' || ch === "'") q = ch;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function unquote(s: string, n: number): string {
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) throw new YamlError(n, "unclosed double quote");
    try {
      return JSON.parse(s) as string;
    } catch {
      throw new YamlError(n, `bad double-quoted string ${s}`);
    }
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new YamlError(n, "unclosed single quote");
    return s.slice(1, -1).replace(/''/g, "'");
  }
  // A comment after a plain scalar.
  return s.replace(/\s+#.*$/, "");
}
