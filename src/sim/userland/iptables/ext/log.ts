// The LOG target (libxt_LOG.c, 1.8.9): --log-level takes 0-7 or a syslog name (as
// xtopt_parse_sysloglevel spells them), --log-prefix at most 29 characters (cut).
// Listing prints the level by its short name, numerically as "flags N level N".
import { type Target } from "../../../kernel/netlink/index.js";
import { paramProblem } from "../errors.js";
import { strtoui } from "../num.js";
import type { Printer, TargetExt } from "./framework.js";
import { saveString } from "./quote.js";

type Log = Extract<Target, { kind: "LOG" }>;

const PARSE_NAMES: [string, number][] = [
  ["emerg", 0],
  ["alert", 1],
  ["crit", 2],
  ["error", 3],
  ["warning", 4],
  ["notice", 5],
  ["info", 6],
  ["debug", 7],
  ["panic", 0],
];
const PRINT_NAMES = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"];

/** IPT_LOG_* flags, in print and save order, with their option and listing names. */
const FLAG_BITS: [number, string, string][] = [
  [0x01, "log-tcp-sequence", "tcp-sequence"],
  [0x02, "log-tcp-options", "tcp-options"],
  [0x04, "log-ip-options", "ip-options"],
  [0x08, "log-uid", "uid"],
  [0x20, "log-macdecode", "macdecode"],
];

const DEFAULT_LEVEL = 4;

export const logExt: TargetExt<Log, Log> = {
  kind: "target",
  name: "LOG",
  x6: true,
  options: [
    { name: "log-level", id: 0, hasArg: 1 },
    { name: "log-prefix", id: 1, hasArg: 1 },
    ...FLAG_BITS.map(([, name], i) => ({ name, id: i + 2, hasArg: 0 as const })),
  ],
  init: () => ({ kind: "LOG" }),
  parse(d, c) {
    const arg = c.arg ?? "";
    if (c.id === 0) {
      const n = strtoui(arg, 0, 7) ?? PARSE_NAMES.find(([name]) => name === arg)?.[1];
      if (n === undefined) paramProblem(c.env.src, `log level "${arg}" unknown\n`);
      d.level = String(n);
    } else if (c.id === 1) {
      if (arg.length < 1)
        paramProblem(c.env.src, "Argument must have a minimum length of 1 characters\n");
      d.prefix = arg.slice(0, 29);
    } else {
      d.flags = (d.flags ?? 0) | FLAG_BITS[c.id - 2]![0];
    }
  },
  build: (d) => d,
};

function level(t: Log): number {
  return t.level === undefined ? DEFAULT_LEVEL : Number(t.level);
}

export const logPrinter: Printer<Log> = {
  print(t, _rule, numeric) {
    const flags = t.flags ?? 0;
    let s = " LOG";
    if (numeric) s += ` flags ${flags} level ${level(t)}`;
    else {
      s += ` level ${PRINT_NAMES[level(t)]}`;
      for (const [bit, , name] of FLAG_BITS) if (flags & bit) s += ` ${name}`;
    }
    if (t.prefix) s += ` prefix "${t.prefix}"`;
    return s;
  },
  save(t) {
    let s = "";
    if (t.prefix) s += ` --log-prefix${saveString(t.prefix)}`;
    if (level(t) !== DEFAULT_LEVEL) s += ` --log-level ${level(t)}`;
    for (const [bit, opt] of FLAG_BITS) if ((t.flags ?? 0) & bit) s += ` --${opt}`;
    return s;
  },
};
