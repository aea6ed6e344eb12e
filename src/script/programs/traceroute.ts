// `traceroute` (traceroute 2.1.2, UDP probes): foreground only, it prints as it goes.
import type { ProgramSpec } from "./types.js";

export const traceroute = {
  help: "traceroute",
} satisfies ProgramSpec;
