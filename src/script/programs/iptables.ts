// `iptables`: its own parser (and the simulator's) answers for every option.
import type { ProgramSpec } from "./types.js";

export const iptables = { help: "iptables" } satisfies ProgramSpec;
