// `ping`: no flooding; may run in the background.
import type { ProgramSpec } from "./types.js";

export const ping = {
  help: "ping",
  background: true,
  check(args) {
    for (const a of args) {
      if (/^-[a-zA-Z]*f/.test(a) && !a.startsWith("-W")) return "ping -f (flood) is not supported";
    }
    return undefined;
  },
} satisfies ProgramSpec;
