// `ss` (iproute2 6.1): the namespace's sockets. Refused before anything runs: what would
// act on, or read or write, something outside the lab (-K kills sockets, -D writes a
// file of the machine's, -F reads one).
import type { ProgramSpec } from "./types.js";

/** ss 6.1's short options that take a value (its getopt string "...f:...A:D:F:...N:..."). */
export const SS_WITH_VALUE = "fADFN";

/** ss 6.1's long options, for getopt_long's unique-prefix matching. */
export const SS_LONG: Record<string, string> = {
  numeric: "n",
  resolve: "r",
  options: "o",
  extended: "e",
  memory: "m",
  info: "i",
  processes: "p",
  threads: "T",
  bpf: "b",
  events: "E",
  dccp: "d",
  tcp: "t",
  sctp: "S",
  udp: "u",
  raw: "w",
  unix: "x",
  tipc: "tipc",
  vsock: "vsock",
  all: "a",
  listening: "l",
  ipv4: "4",
  ipv6: "6",
  packet: "0",
  family: "f",
  socket: "A",
  query: "A",
  summary: "s",
  diag: "D",
  filter: "F",
  version: "V",
  help: "h",
  context: "Z",
  contexts: "z",
  net: "N",
  tipcinfo: "tipcinfo",
  tos: "tos",
  cgroup: "cgroup",
  kill: "K",
  "no-header": "H",
  xdp: "xdp",
  mptcp: "M",
  oneline: "O",
  "inet-sockopt": "inet-sockopt",
};

/** The option a long option names (exact, or a unique prefix), or undefined. */
export function ssLongOption(word: string): string | undefined {
  const name = word.slice(2).split("=")[0]!;
  if (Object.hasOwn(SS_LONG, name)) return SS_LONG[name];
  const hits = new Set(
    Object.keys(SS_LONG)
      .filter((k) => k.startsWith(name))
      .map((k) => SS_LONG[k]),
  );
  return name !== "" && hits.size === 1 ? [...hits][0] : undefined;
}

/** Each option the arguments give, as its short letter (or long name), in order. */
export function ssOptions(args: readonly string[]): { options: string[]; operands: string[] } {
  const options: string[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const o = ssLongOption(a) ?? a;
      options.push(o);
      if (SS_WITH_VALUE.includes(o) && o.length === 1 && !a.includes("=")) i++;
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      options.push(f);
      if (SS_WITH_VALUE.includes(f)) {
        if (j === a.length - 1) i++;
        break;
      }
    }
  }
  return { options, operands };
}

const REFUSED: Record<string, string> = {
  K: "ss -K kills sockets: not supported",
  D: "ss -D writes a file on the machine: not supported",
  F: "ss -F reads a file of the machine's: write the filter on the line instead",
};

function refuseSs(args: readonly string[]): string | undefined {
  for (const o of ssOptions(args).options) {
    const r = REFUSED[o];
    if (r !== undefined) return r;
  }
  return undefined;
}

export const ss = {
  help: "ss",
  check: refuseSs,
  kernel: {
    guard(args) {
      const r = refuseSs(args);
      return r === undefined ? undefined : `packetwalk: ${r}\n`;
    },
  },
} satisfies ProgramSpec;
