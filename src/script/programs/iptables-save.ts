// `iptables-save`: prints the tables; never writes a file (-f would, on the machine).
import type { ProgramSpec } from "./types.js";

/** -M/--modprobe would run a program of the machine's. */
export function refuseModprobe(args: readonly string[]): string | undefined {
  for (const a of args) {
    if (a.startsWith("-M") || a.startsWith("--modprobe")) return `${a} is not supported`;
  }
  return undefined;
}

const writesFile = (a: string): boolean => /^-[a-zA-Z]*f/.test(a) || /^--fi(l(e)?)?(=|$)/.test(a);

export const iptablesSave = {
  help: "iptables-save",
  check(args) {
    const m = refuseModprobe(args);
    if (m) return m;
    if (args.some(writesFile)) {
      return "iptables-save -f writes a file on the machine; let it print to the screen instead";
    }
    return undefined;
  },
  kernel: {
    // The sandbox shares the machine's filesystem: -f FILE would be written there.
    guard(args) {
      const a = args.find(writesFile);
      return a === undefined
        ? undefined
        : `packetwalk: iptables-save ${a}: writing files is not supported\n`;
    },
  },
} satisfies ProgramSpec;
