// Shared by the docker tests: whether they can run here, and every process a sandbox
// holds, containers included (they sit in PID namespaces of their own, below the sandbox's).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readOwnCgroups } from "../../src/real/docker/daemon.js";
import { dockerUnavailable } from "../../src/real/docker/paths.js";
import { childrenOf } from "../../src/real/host-procs.js";
import { sandboxUnavailable } from "./helpers.js";

/** Why the docker tests are skipped here, or undefined. */
export const dockerTestsUnavailable: string | undefined = sandboxUnavailable ?? dockerUnavailable();

/** Host PIDs of `pid` and all its descendants, by the parent links in /proc. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i]!));
  return out;
}

/** A process's command name (/proc/PID/comm), or undefined when it is gone. */
export function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The machine's cgroup directories a daemon with this --cgroup-parent made, that still exist. */
export function cgroupDirs(cgroupParent: string): string[] {
  return readOwnCgroups()
    .map(({ mount, path }) => join(mount, path, cgroupParent))
    .filter((d) => existsSync(d));
}

/** The machine's mount table, as packetwalk's own mount namespace sees it. */
export function hostMounts(): string {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ").slice(3, 5).join(" ")) // root and mount point: ids differ
    .sort()
    .join("\n");
}
