// `conntrack`: the simulator refuses what it does not model with "not simulated".
import type { ProgramSpec } from "./types.js";

export const conntrack = { help: "conntrack" } satisfies ProgramSpec;
