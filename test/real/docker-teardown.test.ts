// When a run with docker lines ends, by close() or by packetwalk being SIGKILLed, dockerd,
// containerd, the shims, docker-proxy and the containers' processes are all gone, the
// machine's mounts and network are as they were, and the container cgroups dockerd made
// below packetwalk's own are removed (after a SIGKILL: by the next daemon's start).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { sweepStaleCgroups } from "../../src/real/docker/daemon.js";
import { isAlive } from "../../src/real/host-procs.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import {
  cgroupDirs,
  commOf,
  dockerTestsUnavailable,
  hostMounts,
  processTree,
} from "./docker-helpers.js";
import { FIXTURE, hostNetSnapshot, lab, REPO, TSX_IMPORT, waitFor } from "./helpers.js";

/** The programs a running daemon with one published port and one container holds. */
const DAEMON_PROGRAMS = ["dockerd", "containerd", "containerd-shim", "docker-proxy", "nc"];

describe.skipIf(dockerTestsUnavailable)("docker teardown", () => {
  it("close() ends dockerd, containerd, shims, proxies and containers, and removes their cgroups", async () => {
    const net = hostNetSnapshot();
    const mounts = hostMounts();
    const kb = await KernelBackend.start();
    let tree: number[] = [];
    let cgroupParent = "";
    try {
      const r = await kb.run(lab("docker run -d --name web -p 8080:80 nginx nc -lk 80"));
      expect(r.exit, r.stderr).toBe(0);
      cgroupParent = (await kb.docker.started()).cgroupParent;
      tree = processTree(kb.sandbox.pids.init);
      const names = tree.map(commOf);
      for (const p of DAEMON_PROGRAMS)
        expect(
          names.some((n) => n?.startsWith(p)),
          p,
        ).toBe(true);
      expect(cgroupDirs(cgroupParent).length).toBeGreaterThan(0);
      // While it runs, the machine sees none of it.
      expect(hostNetSnapshot()).toEqual(net);
      expect(hostMounts()).toEqual(mounts);
    } finally {
      await kb.close();
    }
    expect(tree.filter(isAlive)).toEqual([]);
    expect(isAlive(kb.sandbox.pids.unshare)).toBe(false);
    expect(cgroupDirs(cgroupParent)).toEqual([]);
    expect(hostNetSnapshot()).toEqual(net);
    expect(hostMounts()).toEqual(mounts);
  });

  it("SIGKILL of packetwalk ends the daemon and its containers; the next start sweeps the cgroups", async () => {
    const net = hostNetSnapshot();
    const child = spawn(process.execPath, ["--import", TSX_IMPORT, FIXTURE, "docker"], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    let held:
      { unshare: number; init: number; processes: number[]; cgroupParent: string } | undefined;
    try {
      const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
      expect(first.done, "the fixture printed its PIDs").toBe(false);
      held = JSON.parse(first.value as string) as typeof held & object;
      const pids = [held.unshare, ...held.processes];
      const names = held.processes.map(commOf);
      for (const p of DAEMON_PROGRAMS)
        expect(
          names.some((n) => n?.startsWith(p)),
          p,
        ).toBe(true);
      expect(pids.every(isAlive)).toBe(true);

      child.kill("SIGKILL");
      await exited;
      expect(await waitFor(() => pids.every((p) => !isAlive(p)), 10_000)).toBe(true);
      expect(hostNetSnapshot()).toEqual(net);
      // No cleanUp ran in the killed process: the empty cgroups are still there until a
      // daemon starts again and sweeps those of sandboxes that no longer exist.
      sweepStaleCgroups();
      expect(cgroupDirs(held.cgroupParent)).toEqual([]);
    } finally {
      child.kill("SIGKILL");
      if (held && isAlive(held.unshare)) process.kill(held.unshare, "SIGKILL");
    }
  });
});
