// The Go templates of `--format`/`-f` (text/template), the subset docker's users write:
// fields ({{.A.B}}), variables ({{$v.IPAddress}}), `json X`, `range` over a map (keys in
// sorted order, as Go's) or a list, with `{{range $k, $v := ...}}` or dot rebound, and
// `{{end}}`. Values print as Go prints them (%v): maps as map[k:v], lists as [a b],
// absent values as <no value>. Anything else is refused: the caller says "not simulated".

export class TemplateError extends Error {}

type Node =
  | { kind: "text"; text: string }
  | { kind: "print"; pipe: string }
  | { kind: "range"; pipe: string; key?: string; value?: string; body: Node[] };

export type GoValue = unknown;

function parse(src: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  const re = /\{\{-?\s*(.*?)\s*-?\}\}/gs;
  let last = 0;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    if (m.index > last) stack.at(-1)!.push({ kind: "text", text: src.slice(last, m.index) });
    last = m.index + m[0].length;
    const action = m[1]!;
    if (action === "end") {
      if (stack.length === 1) throw new TemplateError("unexpected {{end}}");
      stack.pop();
      continue;
    }
    const r = /^range\s+(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*)?(.+)$/.exec(action);
    if (r) {
      const node: Node = {
        kind: "range",
        pipe: r[3]!,
        ...(r[2] !== undefined
          ? { key: r[1]!, value: r[2] }
          : r[1] !== undefined
            ? { value: r[1] }
            : {}),
        body: [],
      };
      stack.at(-1)!.push(node);
      stack.push(node.body);
      continue;
    }
    stack.at(-1)!.push({ kind: "print", pipe: action });
  }
  if (stack.length !== 1) throw new TemplateError("unexpected EOF");
  if (last < src.length) root.push({ kind: "text", text: src.slice(last) });
  return root;
}

interface Scope {
  dot: GoValue;
  vars: Map<string, GoValue>;
}

function field(v: GoValue, name: string): GoValue {
  if (v instanceof GoMap) return v.entries.find(([k]) => k === name)?.[1];
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, GoValue>;
    return Object.hasOwn(o, name) ? o[name] : undefined;
  }
  return undefined;
}

function operand(word: string, s: Scope): GoValue {
  if (word === ".") return s.dot;
  if (/^"(?:[^"\\]|\\.)*"$/.test(word)) return JSON.parse(word) as string;
  if (/^-?\d+$/.test(word)) return Number(word);
  const m = /^(\$\w*)?((?:\.\w+)*)$/.exec(word);
  if (!m || (m[1] === undefined && m[2] === ""))
    throw new TemplateError(`function "${word}" not defined`);
  let v: GoValue;
  if (m[1] !== undefined) {
    if (!s.vars.has(m[1])) throw new TemplateError(`undefined variable "${m[1]}"`);
    v = s.vars.get(m[1]);
  } else v = s.dot;
  for (const f of m[2]!.split(".").slice(1)) v = field(v, f);
  return v;
}

function pipe(text: string, s: Scope): GoValue {
  const words = text.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  if (words.length === 0) throw new TemplateError("missing value for command");
  const [fn, ...args] = words;
  if (fn === "json") {
    if (args.length !== 1) throw new TemplateError("wrong number of args for json");
    return { json: goJson(operand(args[0]!, s)) };
  }
  if (fn === "index") {
    let v = operand(args[0]!, s);
    for (const a of args.slice(1)) v = field(v, String(operand(a, s)));
    return v;
  }
  if (words.length !== 1) throw new TemplateError(`function "${fn}" not defined`);
  return operand(fn!, s);
}

/** encoding/json: struct fields in order, map keys sorted, <>& escaped. */
export function goJson(v: GoValue, indent?: string): string {
  const sortKeys = (x: GoValue): GoValue => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (x instanceof GoMap) {
      return Object.fromEntries(
        [...x.entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, y]) => [k, sortKeys(y)]),
      );
    }
    if (x !== null && typeof x === "object") {
      return Object.fromEntries(
        Object.entries(x)
          .filter(([, y]) => !(y instanceof OmitEmpty))
          .map(([k, y]) => [k, sortKeys(y)]),
      );
    }
    return x === undefined ? null : x;
  };
  return JSON.stringify(sortKeys(v), null, indent)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

/** An empty string field tagged `json:",omitempty"`: prints as "", left out of JSON. */
export class OmitEmpty {
  toString(): string {
    return "";
  }
}

/** A Go map (its keys print and range sorted); plain objects are structs (fields in order). */
export class GoMap {
  constructor(readonly entries: [string, GoValue][]) {}
  sorted(): [string, GoValue][] {
    return [...this.entries].sort(([a], [b]) => (a < b ? -1 : 1));
  }
}

/** fmt's %v. */
export function goPrint(v: GoValue): string {
  if (v === undefined) return "<no value>";
  if (v === null) return "<nil>";
  if (v instanceof OmitEmpty) return "";
  if (v instanceof GoMap)
    return `map[${v
      .sorted()
      .map(([k, x]) => `${k}:${goPrint(x)}`)
      .join(" ")}]`;
  if (Array.isArray(v)) return `[${v.map(goPrint).join(" ")}]`;
  if (typeof v === "object") {
    if ("json" in v && Object.keys(v).length === 1) return String((v as { json: string }).json);
    return `{${Object.values(v).map(goPrint).join(" ")}}`;
  }
  return String(v);
}

function exec(nodes: Node[], s: Scope): string {
  let out = "";
  for (const n of nodes) {
    if (n.kind === "text") out += n.text;
    else if (n.kind === "print") out += goPrint(pipe(n.pipe, s));
    else {
      const v = pipe(n.pipe, s);
      const items: [GoValue, GoValue][] =
        v instanceof GoMap
          ? v.sorted()
          : Array.isArray(v)
            ? v.map((x, i) => [i, x])
            : v === undefined || v === null
              ? []
              : (() => {
                  throw new TemplateError(`range can't iterate over ${goPrint(v)}`);
                })();
      for (const [k, x] of items) {
        const vars = new Map(s.vars);
        if (n.key !== undefined) vars.set(n.key, k);
        if (n.value !== undefined) vars.set(n.value, x);
        out += exec(n.body, { dot: x, vars });
      }
    }
  }
  return out;
}

/** Executes a template on a value; throws TemplateError for what it cannot parse or run. */
export function runTemplate(src: string, dot: GoValue): string {
  return exec(parse(src), { dot, vars: new Map([["$", dot]]) });
}
