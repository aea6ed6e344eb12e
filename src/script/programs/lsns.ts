// `lsns` (util-linux 2.38.1): lists the namespaces the sandbox's processes live in. It
// only reads /proc (the sandbox mounts its own), so nothing is refused before it runs.
import type { ProgramSpec } from "./types.js";

export const lsns = {
  help: "lsns",
} satisfies ProgramSpec;
