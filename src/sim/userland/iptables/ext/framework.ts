// How iptables extensions take their options (xtables.c xtables_option_parse and
// xtables_options_fcheck): each extension lists its long options; the "x6" ones get the
// generic checks (used once, may not be inverted, mandatory, mutually exclusive), the
// older ones (tcp) check for themselves. An extension also prints and saves its part of
// a rule, so everything about one extension lives in one file.
import { type Match, type NfRule as Rule, type Target } from "../../../kernel/netlink/index.js";
import { paramProblem, type ErrorSource } from "../errors.js";

export interface OptEntry {
  name: string;
  /** Aliases share an id; the first entry with an id names it in messages. */
  id: number;
  hasArg: 0 | 1 | 2;
  /** XTOPT_INVERT: may follow a `!`. */
  invert?: boolean;
  /** XTOPT_MULTI: may be given more than once. */
  multi?: boolean;
  /** XTOPT_MAND: must be given. */
  mand?: boolean;
  /** Ids this option cannot be used together with. */
  excl?: number[];
}

/** What the command line said so far, as an extension's parser sees it. */
export interface ParseEnv {
  src: ErrorSource;
  /** The -p given before this option (cs->fw.ip.proto and its inversion). */
  proto(): { num: number; invert: boolean } | undefined;
  /** The next argument if it is not an option (xs_has_arg); consumed. */
  nextArg(): string | undefined;
}

export interface ParseCall {
  id: number;
  /** The canonical entry of the option (first with this id). */
  entry: OptEntry;
  arg: string | undefined;
  invert: boolean;
  env: ParseEnv;
}

interface ExtBase<D> {
  name: string;
  options: OptEntry[];
  /** Uses the xtables_option_* framework (generic checks and messages). */
  x6: boolean;
  init(): D;
  parse(d: D, c: ParseCall): void;
  /** x6_fcheck / final_check: runs before the generic mandatory/exclusive checks. */
  final?(d: D, xflags: ReadonlySet<number>, env: ParseEnv): void;
}

export interface MatchExt<D, M extends Match = Match> extends ExtBase<D> {
  kind: "match";
  build(d: D): M;
}

export interface TargetExt<D, T extends Target = Target> extends ExtBase<D> {
  kind: "target";
  build(d: D): T;
}

/** Printing and saving of one model kind: what `-L` and `-S` show after the addresses. */
export interface Printer<X> {
  /** ` tcp dpt:80`, with its leading space (print functions of libxt_*.c). */
  print(x: X, rule: Rule, numeric: boolean): string;
  /** ` --dport 80` (save functions). */
  save(x: X, rule: Rule): string;
}

/** An extension with its data type erased, as the command parser holds it. */
export interface AnyExt {
  name: string;
  kind: "match" | "target";
  options: OptEntry[];
  x6: boolean;
  init(): unknown;
  parse(d: unknown, c: ParseCall): void;
  final?(d: unknown, xflags: ReadonlySet<number>, env: ParseEnv): void;
  build(d: unknown): Match | Target;
}

export function erase<D>(e: MatchExt<D> | TargetExt<D>): AnyExt {
  return e as unknown as AnyExt;
}

export function canonicalEntry(opts: OptEntry[], id: number): OptEntry {
  return opts.find((o) => o.id === id)!;
}

/** xtables_option_parse's generic checks, before the extension parses the value. */
export function x6Precheck(ext: AnyExt, c: ParseCall, xflags: ReadonlySet<number>): void {
  const e = c.entry;
  if (!e.multi && xflags.has(e.id))
    paramProblem(c.env.src, `${ext.name}: option "--${e.name}" can only be used once.\n`);
  if (c.invert && !e.invert)
    paramProblem(c.env.src, `${ext.name}: option "--${e.name}" cannot be inverted.\n`);
}

/** xtables_options_fcheck: mandatory options, then exclusions, in table order. */
export function x6Fcheck(ext: AnyExt, xflags: ReadonlySet<number>, src: ErrorSource): void {
  for (const e of ext.options) {
    if (e.mand && !xflags.has(e.id))
      paramProblem(src, `${ext.name}: option "--${e.name}" must be specified\n`);
    if (!xflags.has(e.id)) continue;
    for (const other of [...(e.excl ?? [])].sort((a, b) => a - b)) {
      if (other !== e.id && xflags.has(other)) {
        const o = canonicalEntry(ext.options, other);
        paramProblem(
          src,
          `${ext.name}: option "--${e.name}" cannot be used together with "--${o.name}".\n`,
        );
      }
    }
  }
}
