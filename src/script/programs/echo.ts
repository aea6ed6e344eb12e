// `echo WORDS`, and `echo VALUE > /proc/sys/net/...`: the one redirection, which packetwalk
// performs itself in both backends.
import type { ProgramSpec } from "./types.js";

export const echo = {
  help: "echo > /proc/sys/net/...",
  redirect: true,
  kernel: { printsArgs: true },
} satisfies ProgramSpec;
