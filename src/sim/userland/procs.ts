// The simulator's process table: the lab's background programs (nc -l, ping &), each
// living in a network namespace and holding it alive, as lsns and `ip netns pids` list
// them. PID 1 is the sandbox's init, in the root namespace, as on the kernel backend.
import { type NetNs, type World } from "../kernel/netlink/index.js";
import { nextPid } from "./pids.js";
import { worldSlot } from "./world-slot.js";

export interface SimProcess {
  readonly pid: number;
  readonly ns: NetNs;
  /** /proc/PID/cmdline, its words joined by spaces (what lsns prints). */
  readonly cmdline: string;
}

/** The init's command line: the kernel backend's is node running sandbox-init (normalised). */
export const INIT_CMDLINE = "sandbox-init";

const table = (world: World): Set<SimProcess> =>
  worldSlot(world, "procs", () => new Set<SimProcess>());

/**
 * A process starts living in ns (holding it alive after `ip netns del`, get_net by its
 * nsproxy); the function returned is its exit.
 */
export function startProcess(
  world: World,
  ns: NetNs,
  argv: readonly string[],
): { pid: number; exit: () => void } {
  const proc: SimProcess = { pid: nextPid(world), ns, cmdline: argv.join(" ") };
  const procs = table(world);
  procs.add(proc);
  const release = world.hold(ns);
  return {
    pid: proc.pid,
    exit: () => {
      procs.delete(proc);
      release();
    },
  };
}

/** Every live process, the init first, by pid (/proc's readdir order). */
export function processes(world: World): SimProcess[] {
  const init: SimProcess = { pid: 1, ns: world.root, cmdline: INIT_CMDLINE };
  return [init, ...[...table(world)].sort((a, b) => a.pid - b.pid)];
}

/** /proc/PID/ns/net: the namespace process pid lives in, if there is such a process. */
export function netnsOfPid(world: World, pid: number): NetNs | undefined {
  return processes(world).find((p) => p.pid === pid)?.ns;
}
