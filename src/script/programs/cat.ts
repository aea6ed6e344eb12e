// `cat /proc/sys/net/...`: reading a namespace's settings, nothing else.
import { isProcSysPath } from "../names.js";
import type { ProgramSpec } from "./types.js";

export const cat = {
  help: "cat /proc/sys/net/...",
  check(args) {
    if (args.length === 0) return "cat needs a /proc/sys/... path";
    for (const a of args) {
      if (!isProcSysPath(a)) return `cat reads only /proc/sys/net/... files here, not "${a}"`;
    }
    return undefined;
  },
} satisfies ProgramSpec;
