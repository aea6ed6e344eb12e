// `tcpdump` (tcpdump 4.99.3): a capture in the background, during the probes that follow
// it; `kill %N` ends it and prints what it captured (kill.ts). Refused before anything
// runs: what would write or read a file of the machine's (-w, -r, -F), run a program
// (-z) or change user (-Z), and a capture in the foreground (nothing else could run).
import type { ProgramSpec } from "./types.js";

/** tcpdump 4.99's short options that take a value (its getopt string). */
export const TCPDUMP_WITH_VALUE = "BcCDEFGiMmrsTVwWyzZ";

const REFUSED: Record<string, string> = {
  w: "tcpdump -w writes a file on the machine: not supported",
  r: "tcpdump -r reads a file of the machine's: not supported",
  F: "tcpdump -F reads a file of the machine's: write the expression on the line instead",
  V: "tcpdump -V reads a file of the machine's: not supported",
  z: "tcpdump -z runs a program: not supported",
  Z: "tcpdump -Z changes user: not supported",
  C: "tcpdump -C writes files on the machine: not supported",
  G: "tcpdump -G writes files on the machine: not supported",
  W: "tcpdump -W writes files on the machine: not supported",
};

const LONG_REFUSED = new Set(["--relinquish-privileges", "--version-file"]);

/** Each short option, with its value, and the expression's words. */
export function tcpdumpOptions(args: readonly string[]): {
  options: [string, string | undefined][];
  expression: string[];
  long: string[];
} {
  const options: [string, string | undefined][] = [];
  const expression: string[] = [];
  const long: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      expression.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      long.push(a);
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      expression.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      if (TCPDUMP_WITH_VALUE.includes(f)) {
        const v = j < a.length - 1 ? a.slice(j + 1) : args[++i];
        options.push([f, v]);
        break;
      }
      options.push([f, undefined]);
    }
  }
  return { options, expression, long };
}

function refuseTcpdump(args: readonly string[]): string | undefined {
  const { options, long } = tcpdumpOptions(args);
  for (const [f] of options) {
    const r = REFUSED[f];
    if (r !== undefined) return r;
  }
  for (const l of long) {
    const name = l.split("=")[0]!;
    if (LONG_REFUSED.has(name) || name.startsWith("--time-stamp-")) continue;
    if (name === "--print" || name.startsWith("--relinq")) {
      return `tcpdump ${name} is not supported`;
    }
  }
  return undefined;
}

export const tcpdump = {
  help: "tcpdump ... &",
  background: true,
  check(args, background) {
    const r = refuseTcpdump(args);
    if (r !== undefined) return r;
    if (!background) {
      return "tcpdump captures until it is killed: run it in the background (`tcpdump -ni IF ... &`), then `kill %N` prints what it captured";
    }
    return undefined;
  },
  kernel: {
    capture: true,
    guard(args) {
      const r = refuseTcpdump(args);
      return r === undefined ? undefined : `packetwalk: ${r}\n`;
    },
  },
} satisfies ProgramSpec;
