// When a run ends, by close() or by packetwalk being killed, nothing of the sandbox is
// left, and the machine's own network namespace never saw any of it.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { isAlive } from "../../src/real/host-procs.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import {
  FIXTURE,
  hostNetSnapshot,
  lab,
  REPO,
  runsProgram,
  sandboxUnavailable,
  TSX_IMPORT,
  waitFor,
} from "./helpers.js";

const BUILD = [
  "ip netns add a",
  "ip netns add b",
  "ip link add va netns a type veth peer name vb netns b",
  "ip link add br0 type bridge",
  "ip link add pw0 type veth peer name pw1",
  "ip link set pw0 master br0",
  "iptables -t nat -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE",
  "ip netns exec b nc -lk 8080 &",
];

describe.skipIf(sandboxUnavailable)("sandbox teardown", () => {
  it("close() ends every sandbox process and leaves the machine as it was", async () => {
    const before = hostNetSnapshot();
    const kb = await KernelBackend.start();
    for (const text of BUILD) expect((await kb.run(lab(text))).exit, text).toBe(0);
    const { unshare, init } = kb.sandbox.pids;
    expect(await waitFor(() => runsProgram(kb.sandbox.hostProcesses(), "nc"), 2000)).toBe(true);
    const procs = kb.sandbox.hostProcesses();
    expect(procs).toContain(init);
    expect([unshare, ...procs].every(isAlive)).toBe(true);
    // While it runs, the machine sees none of it either.
    expect(hostNetSnapshot()).toEqual(before);

    const t0 = Date.now();
    await kb.close();
    // Quick: the init exited on EOF (not the SIGKILL fallback after a grace period).
    expect(Date.now() - t0).toBeLessThan(2000);
    // close() waited for unshare; the kernel has already killed the rest.
    expect([unshare, ...procs].filter(isAlive)).toEqual([]);
    expect(kb.sandbox.hostProcesses()).toEqual([]);
    expect(hostNetSnapshot()).toEqual(before);
    await kb.close(); // idempotent
    await expect(kb.run(lab("ip link"))).rejects.toThrow(/closed/);
  });

  it("killing unshare takes the init and its jobs with it (--kill-child)", async () => {
    const kb = await KernelBackend.start();
    await kb.run(lab("ip netns add a"));
    await kb.run(lab("ip netns exec a nc -lk 8080 &"));
    expect(await waitFor(() => runsProgram(kb.sandbox.hostProcesses(), "nc"), 2000)).toBe(true);
    const procs = kb.sandbox.hostProcesses();
    process.kill(kb.sandbox.pids.unshare, "SIGKILL");
    expect(await waitFor(() => procs.every((p) => !isAlive(p)), 5000)).toBe(true);
    await expect(kb.run(lab("ip link"))).rejects.toThrow(/ended/);
    await kb.close();
  });

  it("SIGKILL of packetwalk ends the sandbox: its pipe closes, the init exits", async () => {
    const before = hostNetSnapshot();
    const child = spawn(process.execPath, ["--import", TSX_IMPORT, FIXTURE, "hold"], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    let held: { unshare: number; init: number; server?: number; processes: number[] } | undefined;
    try {
      const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
      expect(first.done, "the fixture printed its PIDs").toBe(false);
      held = JSON.parse(first.value as string) as {
        unshare: number;
        init: number;
        server?: number;
        processes: number[];
      };
      const pids = [held.unshare, held.init, ...held.processes];
      expect(runsProgram(held.processes, "nc"), "the job runs").toBe(true);
      if (held.server !== undefined) expect(held.processes).toContain(held.server);
      expect(pids.every(isAlive)).toBe(true);

      child.kill("SIGKILL");
      await exited;
      expect(await waitFor(() => pids.every((p) => !isAlive(p)), 5000)).toBe(true);
      expect(hostNetSnapshot()).toEqual(before);
    } finally {
      child.kill("SIGKILL");
      // If teardown failed, do not leave the sandbox behind for the next test.
      if (held && isAlive(held.unshare)) process.kill(held.unshare, "SIGKILL");
    }
  });
});
