// `brctl` (bridge-utils): shows bridges and their MAC tables. Its other commands
// (addbr, addif, stp, setageing...) change only the lab's own namespace: they may run on
// the kernel; the simulator says "not simulated" (use ip link / bridge, which it models).
import type { ProgramSpec } from "./types.js";

export const brctl = {
  help: "brctl",
} satisfies ProgramSpec;
