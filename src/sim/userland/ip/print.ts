// iproute2's output layer (lib/json_writer.c, lib/json_print.c): one call prints either
// the text form or a JSON member, so a printer written once gives `ip` and `ip -j` output
// with the same field order, separators and pretty-printing as the real tool.

/** lib/json_writer.c, byte for byte: separators, nesting and the optional pretty layout. */
export class JsonWriter {
  out = "";
  private depth = 0;
  private sep = "";

  constructor(private readonly pretty: boolean) {}

  private indent(): void {
    for (let i = 0; i < this.depth; i++) this.out += "    ";
  }

  private eol(): void {
    if (!this.pretty) return;
    this.out += "\n";
    this.indent();
  }

  private eor(): void {
    if (this.sep !== "") this.out += this.sep;
    this.sep = ",";
  }

  private puts(s: string): void {
    let r = '"';
    for (const ch of s) {
      if (ch === "\t") r += "\\t";
      else if (ch === "\n") r += "\\n";
      else if (ch === "\r") r += "\\r";
      else if (ch === "\f") r += "\\f";
      else if (ch === "\b") r += "\\b";
      else if (ch === "\\") r += "\\\\";
      else if (ch === '"') r += '\\"';
      else r += ch;
    }
    this.out += `${r}"`;
  }

  private begin(c: string): void {
    this.eor();
    this.out += c;
    this.depth++;
    this.sep = "";
  }

  private end(c: string): void {
    this.depth--;
    if (this.sep !== "") this.eol();
    this.out += c;
    this.sep = ",";
  }

  name(n: string): void {
    this.eor();
    this.eol();
    this.sep = "";
    this.puts(n);
    this.out += ":";
    if (this.pretty) this.out += " ";
  }

  /** jsonw_printf: a raw value (numbers, booleans, preformatted timers). */
  raw(v: string): void {
    this.eor();
    this.out += v;
  }

  string(v: string): void {
    this.eor();
    this.puts(v);
  }

  startObject(): void {
    this.begin("{");
  }

  endObject(): void {
    this.end("}");
  }

  startArray(): void {
    this.begin("[");
    if (this.pretty) this.out += " ";
  }

  endArray(): void {
    if (this.pretty && this.sep !== "") this.out += " ";
    this.sep = "";
    this.end("]");
  }

  /** jsonw_destroy. */
  finish(): string {
    return `${this.out}\n`;
  }
}

export type JsonValue = string | number | boolean | null;

/**
 * print_*(PRINT_ANY | PRINT_FP | PRINT_JSON, key, fmt, value): the text goes to stdout
 * when not in JSON mode, the key and value to the JSON writer when in it.
 */
export class Printer {
  private text = "";
  readonly jw: JsonWriter | undefined;
  /** _SL_: the line separator, a backslash in one-line mode. */
  readonly sl: string;

  constructor(json: boolean, pretty: boolean, oneline: boolean) {
    this.jw = json ? new JsonWriter(pretty) : undefined;
    this.sl = oneline ? "\\" : "\n";
  }

  get json(): boolean {
    return this.jw !== undefined;
  }

  /** PRINT_FP only (also what plain fprintf to stdout does outside JSON mode). */
  fp(s: string): void {
    if (!this.jw) this.text += s;
  }

  /** PRINT_ANY with a string value. */
  str(key: string | null, text: string, value: string): void {
    if (this.jw) {
      if (key !== null) this.jw.name(key);
      this.jw.string(value);
    } else this.text += text;
  }

  /** PRINT_ANY with a number (print_int, print_uint, print_u64). */
  num(key: string | null, text: string, value: number): void {
    if (this.jw) {
      if (key !== null) this.jw.name(key);
      this.jw.raw(String(value));
    } else this.text += text;
  }

  /** PRINT_ANY with a boolean (print_bool, print_on_off). */
  bool(key: string | null, text: string, value: boolean): void {
    if (this.jw) {
      if (key !== null) this.jw.name(key);
      this.jw.raw(value ? "true" : "false");
    } else this.text += text;
  }

  /** PRINT_JSON only. */
  js(key: string | null, value: JsonValue): void {
    if (!this.jw) return;
    if (key !== null) this.jw.name(key);
    if (value === null) this.jw.raw("null");
    else if (typeof value === "string") this.jw.string(value);
    else this.jw.raw(String(value));
  }

  /** A JSON member with a preformatted raw value (jsonw_name + jsonw_printf). */
  jsRaw(key: string, raw: string): void {
    if (!this.jw) return;
    this.jw.name(key);
    this.jw.raw(raw);
  }

  /** print_nl: the line separator, text mode only. */
  nl(): void {
    if (!this.jw) this.text += this.sl;
  }

  openObject(key: string | null = null): void {
    if (!this.jw) return;
    if (key !== null) this.jw.name(key);
    this.jw.startObject();
  }

  closeObject(): void {
    this.jw?.endObject();
  }

  /** open_json_array(PRINT_ANY, json ? key : text). */
  openArray(key: string | null, text: string, jsonToo = true): void {
    if (this.jw) {
      if (!jsonToo) return;
      if (key !== null) this.jw.name(key);
      this.jw.startArray();
    } else this.text += text;
  }

  closeArray(text: string, jsonToo = true): void {
    if (this.jw) {
      if (jsonToo) this.jw.endArray();
    } else this.text += text;
  }

  /** new_json_obj: JSON output is one array of objects. */
  begin(): void {
    this.jw?.startArray();
  }

  /** delete_json_obj: close the array and end the line. */
  end(): string {
    if (this.jw) {
      this.jw.endArray();
      return this.jw.finish();
    }
    return this.text;
  }
}
