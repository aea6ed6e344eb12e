// `ip` (iproute2): everything but reading commands from a file.
import type { ProgramSpec } from "./types.js";

/** ip and bridge: -batch/-force read commands from a file. */
export function refuseBatch(program: string, args: readonly string[]): string | undefined {
  for (const a of args) {
    if (/^-+(b|ba|bat|batc|batch|force)$/.test(a)) {
      return `${program} ${a} reads commands from a file; write each command on its own line`;
    }
  }
  return undefined;
}

export const ip = {
  help: "ip",
  check(args) {
    const batch = refuseBatch("ip", args);
    if (batch) return batch;
    if (args.includes("exec") && args.some((a) => a === "-all" || a === "-a" || a === "--all")) {
      return "ip -all netns exec is not supported: name the namespace";
    }
    return undefined;
  },
} satisfies ProgramSpec;
