// GNU getopt_long as iptables calls it: optstring starting with "-:" (arguments are
// returned in order, as option 1, and a missing argument is reported as ':'), opterr off,
// long options abbreviable to any unambiguous prefix, and an option table that grows as
// extensions are loaded. Only what iptables relies on is modelled.

export interface LongOpt {
  name: string;
  /** 0 none, 1 required, 2 optional (only as --name=value). */
  hasArg: 0 | 1 | 2;
  /** What getopt returns for it: a short option letter or an extension option key. */
  val: string;
}

export type GetoptResult =
  /** An option; `arg` is its argument (null when none). */
  | { kind: "opt"; val: string; arg: string | null }
  /** A non-option argument (getopt returns 1). */
  | { kind: "arg"; arg: string }
  /**
   * Unknown or ambiguous option ('?'); `optopt` is the letter for a short option, `long`
   * the element as written for a long one.
   */
  | { kind: "unknown"; optopt: string; long?: string }
  /** Missing argument (':'): the short letter or the long option's name. */
  | { kind: "missing"; option: string; long: boolean };

export class Getopt {
  /** Index of the next argv element, as C's optind (argv[0] is the program). */
  optind = 1;
  private nextchar = "";

  constructor(
    readonly argv: string[],
    /** Short options: letter -> 0 none, 1 required, 2 optional. */
    private readonly shorts: Record<string, 0 | 1 | 2>,
  ) {}

  next(longs: readonly LongOpt[]): GetoptResult | undefined {
    if (this.nextchar === "") {
      if (this.optind >= this.argv.length) return undefined;
      const a = this.argv[this.optind]!;
      if (a === "--") {
        this.optind++;
        return undefined;
      }
      if (!a.startsWith("-") || a === "-") {
        this.optind++;
        return { kind: "arg", arg: a };
      }
      if (a.startsWith("--")) {
        this.optind++;
        return this.long(a.slice(2), longs);
      }
      this.nextchar = a.slice(1);
      this.optind++;
    }
    return this.short();
  }

  private short(): GetoptResult {
    const c = this.nextchar[0]!;
    this.nextchar = this.nextchar.slice(1);
    const has = this.shorts[c];
    if (has === undefined) return { kind: "unknown", optopt: c };
    if (has === 0) return { kind: "opt", val: c, arg: null };
    if (this.nextchar !== "") {
      const arg = this.nextchar;
      this.nextchar = "";
      return { kind: "opt", val: c, arg };
    }
    if (has === 2) return { kind: "opt", val: c, arg: null };
    if (this.optind >= this.argv.length) return { kind: "missing", option: c, long: false };
    return { kind: "opt", val: c, arg: this.argv[this.optind++]! };
  }

  private long(text: string, longs: readonly LongOpt[]): GetoptResult {
    const eq = text.indexOf("=");
    const name = eq >= 0 ? text.slice(0, eq) : text;
    const inline = eq >= 0 ? text.slice(eq + 1) : null;
    let found = longs.find((o) => o.name === name);
    if (!found) {
      const prefixed = longs.filter((o) => o.name.startsWith(name));
      const first = prefixed[0];
      if (!first || prefixed.some((o) => o.hasArg !== first.hasArg || o.val !== first.val))
        return { kind: "unknown", optopt: "", long: `--${text}` };
      found = first;
    }
    if (found.hasArg === 0) {
      if (inline !== null)
        return {
          kind: "unknown",
          optopt: found.val.length === 1 ? found.val : "",
          long: `--${text}`,
        };
      return { kind: "opt", val: found.val, arg: null };
    }
    if (inline !== null) return { kind: "opt", val: found.val, arg: inline };
    if (found.hasArg === 2) return { kind: "opt", val: found.val, arg: null };
    if (this.optind >= this.argv.length) return { kind: "missing", option: found.name, long: true };
    return { kind: "opt", val: found.val, arg: this.argv[this.optind++]! };
  }

  /** xs_has_arg: the next element exists and is not an option or "!". */
  hasArg(): boolean {
    const a = this.argv[this.optind];
    return a !== undefined && !a.startsWith("-") && !a.startsWith("!");
  }

  /** argv[optind - 1], what iptables names in its messages. */
  previous(): string {
    return this.argv[this.optind - 1] ?? "";
  }
}

/** glibc's own complaint (opterr on), as iptables-save and iptables-restore print it. */
export function getoptComplaint(prog: string, r: GetoptResult): string {
  if (r.kind === "missing") {
    return r.long
      ? `${prog}: option '--${r.option}' requires an argument\n`
      : `${prog}: option requires an argument -- '${r.option}'\n`;
  }
  if (r.kind === "unknown" && r.long !== undefined)
    return `${prog}: unrecognized option '${r.long}'\n`;
  if (r.kind === "unknown") return `${prog}: invalid option -- '${r.optopt}'\n`;
  return "";
}
