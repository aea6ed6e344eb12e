// `readlink /proc/PID/ns/net` (coreutils 9.1): which network namespace a process is in,
// as `net:[INODE]`. Only that link: any other path would read the machine's files.
import type { ProgramSpec } from "./types.js";

/** /proc/PID/ns/net or /proc/self/ns/net. */
export const NS_LINK = /^\/proc\/(\d+|self)\/ns\/net$/;

export const readlink = {
  help: "readlink /proc/PID/ns/net",
  check(args) {
    if (args.length !== 1 || !NS_LINK.test(args[0]!)) {
      return `readlink is supported only as "readlink /proc/PID/ns/net" (a process's network namespace)`;
    }
    return undefined;
  },
} satisfies ProgramSpec;
