// Reading the machine's process table (read-only) to name a sandbox's processes by
// their host PIDs: for diagnostics and for tests that prove nothing outlives a run.
// /proc/PID/task/TID/children would be simpler but needs CONFIG_PROC_CHILDREN.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

function numericEntries(): number[] {
  return readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** Parent PID from /proc/PID/stat ("pid (comm) state ppid ..."; comm may hold spaces). */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

export function childrenOf(pid: number): number[] {
  return numericEntries().filter((p) => parentOf(p) === pid);
}

/** The PID namespace a process is in ("pid:[4026532...]"), or undefined when it is gone. */
export function pidNamespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/**
 * Host PIDs of every live process in the given PID namespace. Zombies do not count: when
 * unshare is killed, the dead init is re-parented to the machine's PID 1, which may take
 * its time to reap it.
 */
export function processesInPidNamespace(ns: string): number[] {
  return numericEntries().filter((p) => pidNamespaceOf(p) === ns && isAlive(p));
}

export function isAlive(pid: number): boolean {
  try {
    // A zombie still has /proc/PID until reaped; count it as gone.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
