// `docker ...`: the daemon's networking (src/sim/docker in the simulator, a real dockerd
// in the sandbox on the kernel). A minimal entry of the simulator's branch: the
// subcommands it models; the kernel side's entry (with its parse-time checks) replaces it.
import type { ProgramSpec } from "./types.js";

const SUBCOMMANDS = new Set([
  "run",
  "create",
  "start",
  "stop",
  "restart",
  "rm",
  "exec",
  "ps",
  "inspect",
  "port",
  "network",
]);

export const docker = {
  help: "docker run|exec|ps|network ...",
  check(args) {
    const sub = args[0];
    if (sub === undefined) return "docker needs a subcommand (run, exec, ps, network, ...)";
    if (!SUBCOMMANDS.has(sub)) return `docker ${sub}: not simulated`;
    return undefined;
  },
} satisfies ProgramSpec;
