// `sleep N`: a lesson's pause, which the simulator spends on its virtual clock.
import type { ProgramSpec } from "./types.js";

export const sleep = {
  help: "sleep",
  check(args) {
    if (args.length !== 1 || !/^\d+(\.\d+)?$/.test(args[0]!) || Number(args[0]) > 120) {
      return "sleep takes one number of seconds, at most 120";
    }
    return undefined;
  },
  // A pause may be longer than the usual per-command limit.
  kernel: { timeoutMs: (args) => Number(args[0]) * 1000 + 5_000 },
} satisfies ProgramSpec;
