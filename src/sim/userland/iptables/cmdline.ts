// The command line's vocabulary (xshared.h, xshared.c, xtables.c): command and option
// bits, which options each command allows (commands_v_options), the short options of
// IPT_OPTSTRING and the long options of original_opts.
import type { LongOpt } from "./getopt.js";

// Command bits (xshared.h CMD_*), in the order cmd2char names them.
export const CMD = {
  INSERT: 1 << 0,
  DELETE: 1 << 1,
  DELETE_NUM: 1 << 2,
  REPLACE: 1 << 3,
  APPEND: 1 << 4,
  LIST: 1 << 5,
  FLUSH: 1 << 6,
  ZERO: 1 << 7,
  NEW_CHAIN: 1 << 8,
  DELETE_CHAIN: 1 << 9,
  SET_POLICY: 1 << 10,
  RENAME_CHAIN: 1 << 11,
  LIST_RULES: 1 << 12,
  ZERO_NUM: 1 << 13,
  CHECK: 1 << 14,
} as const;
export const CMD_CHARS = "IDDRALFZNXPESZC";

// Option bits (xshared.h OPT_*), in optflags[] order.
export const OPT = {
  NUMERIC: 1 << 0,
  SOURCE: 1 << 1,
  DESTINATION: 1 << 2,
  PROTOCOL: 1 << 3,
  JUMP: 1 << 4,
  VERBOSE: 1 << 5,
  EXPANDED: 1 << 6,
  VIANAMEIN: 1 << 7,
  VIANAMEOUT: 1 << 8,
  LINENUMBERS: 1 << 9,
  COUNTERS: 1 << 10,
  FRAGMENT: 1 << 11,
} as const;
export const OPT_CHARS = "nsdpjvxio0cf";
/** Options that may follow "!" (inverse_for_options). */
export const INVERTIBLE =
  OPT.SOURCE | OPT.DESTINATION | OPT.PROTOCOL | OPT.VIANAMEIN | OPT.VIANAMEOUT | OPT.FRAGMENT;

/** commands_v_options: per command, the options (n s d p j v x i o 0 c f) that are illegal. */
export const ILLEGAL: [number, string][] = [
  [CMD.INSERT, "x.....x..x.."],
  [CMD.DELETE, "x.....x..xx."],
  [CMD.DELETE_NUM, "xxxxx.xxxxxx"],
  [CMD.REPLACE, "x.....x..x.."],
  [CMD.APPEND, "x.....x..x.."],
  [CMD.LIST, ".xxxx..xx.xx"],
  [CMD.FLUSH, "xxxxx.xxxxxx"],
  [CMD.ZERO, "xxxxx.xxxxxx"],
  [CMD.NEW_CHAIN, "xxxxx.xxxxxx"],
  [CMD.DELETE_CHAIN, "xxxxx.xxxxxx"],
  [CMD.SET_POLICY, "xxxxx.xxxx.x"],
  [CMD.RENAME_CHAIN, "xxxxx.xxxxxx"],
  [CMD.LIST_RULES, "xxxxx.xxxxxx"],
  [CMD.ZERO_NUM, "xxxxx.xxxxxx"],
  [CMD.CHECK, "x.....x..xx."],
];

/** IPT_OPTSTRING's letters and whether they take an argument (2: optional). */
export const SHORTS: Record<string, 0 | 1 | 2> = {
  A: 1,
  C: 1,
  D: 1,
  E: 1,
  F: 2,
  I: 1,
  L: 2,
  M: 1,
  N: 1,
  P: 1,
  V: 0,
  X: 2,
  Z: 2,
  c: 1,
  d: 1,
  i: 1,
  j: 1,
  o: 1,
  p: 1,
  s: 1,
  t: 1,
  R: 1,
  S: 2,
  W: 2,
  "4": 0,
  "6": 0,
  b: 0,
  f: 0,
  g: 1,
  h: 2,
  m: 1,
  n: 0,
  v: 0,
  w: 2,
  x: 0,
};

/** xtables.c original_opts. */
export const ORIGINAL_OPTS: LongOpt[] = [
  ["append", 1, "A"],
  ["delete", 1, "D"],
  ["check", 1, "C"],
  ["insert", 1, "I"],
  ["replace", 1, "R"],
  ["list", 2, "L"],
  ["list-rules", 2, "S"],
  ["flush", 2, "F"],
  ["zero", 2, "Z"],
  ["new-chain", 1, "N"],
  ["delete-chain", 2, "X"],
  ["rename-chain", 1, "E"],
  ["policy", 1, "P"],
  ["source", 1, "s"],
  ["destination", 1, "d"],
  ["src", 1, "s"],
  ["dst", 1, "d"],
  ["protocol", 1, "p"],
  ["in-interface", 1, "i"],
  ["jump", 1, "j"],
  ["table", 1, "t"],
  ["match", 1, "m"],
  ["numeric", 0, "n"],
  ["out-interface", 1, "o"],
  ["verbose", 0, "v"],
  ["wait", 2, "w"],
  ["wait-interval", 2, "W"],
  ["exact", 0, "x"],
  ["fragments", 0, "f"],
  ["version", 0, "V"],
  ["help", 2, "h"],
  ["line-numbers", 0, "0"],
  ["modprobe", 1, "M"],
  ["set-counters", 1, "c"],
  ["goto", 1, "g"],
  ["ipv4", 0, "4"],
  ["ipv6", 0, "6"],
].map(([name, hasArg, val]) => ({ name, hasArg, val }) as LongOpt);

export function cmd2char(bits: number): string {
  let i = 0;
  for (let b = bits; b > 1; b >>>= 1) i++;
  return CMD_CHARS[i]!;
}

export function opt2char(bit: number): string {
  let i = 0;
  for (let b = bit; b > 1; b >>>= 1) i++;
  return OPT_CHARS[i]!;
}
