// `bridge` (iproute2): everything but reading commands from a file.
import { refuseBatch } from "./ip.js";
import type { ProgramSpec } from "./types.js";

export const bridge = {
  help: "bridge",
  check: (args) => refuseBatch("bridge", args),
} satisfies ProgramSpec;
