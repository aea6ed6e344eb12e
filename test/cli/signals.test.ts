// Ctrl-C and SIGTERM stop `run` and `walk` (issue 9): a one-line message, exit 130 or 143,
// and the kernel sandbox closed; a stdout whose reader went away ends the run quietly. The CLI runs as its own process (from source, via tsx);
// the signal is sent once it has printed its first line (so its handlers are there). A
// walk prints nothing until it ends: it runs in-process. The kill timeout is a failsafe.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REPO, sandboxUnavailable, TSX_IMPORT, waitFor } from "../real/helpers.js";
import { resetInterruption } from "../../src/cli/signals.js";
import { captured, captureOutput, run, script } from "./capture.js";

captureOutput();

const ENTRY = `${REPO}src/cli/entry.ts`;
const FAILSAFE_MS = 90_000;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; out: () => string; ended: Promise<Ended> } {
  const child = spawn(process.execPath, ["--import", TSX_IMPORT, ENTRY, ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  const failsafe = setTimeout(() => child.kill("SIGKILL"), FAILSAFE_MS);
  const ended = new Promise<Ended>((resolve) =>
    child.once("close", (code, signal) => {
      clearTimeout(failsafe);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, out: () => stdout, ended };
}

/** Direct children of a process (the kernel sandbox's unshare). */
function children(pid: number): number[] {
  const f = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
}

function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return / Z /.test(stat.slice(stat.lastIndexOf(")")));
  } catch {
    return true;
  }
}

const SETUP = [
  "ip netns add ns1",
  "ip link add veth0 type veth peer name eth0 netns ns1",
  "ip link set veth0 up",
  "ip -n ns1 link set eth0 up",
  "ip addr add 10.0.0.1/24 dev veth0",
  "ip -n ns1 addr add 10.0.0.2/24 dev eth0",
];
// With a limit of an hour, this ping keeps the simulator busy for many minutes.
const LONG_PING = "ping -q -i 0.002 10.0.0.2";

describe("signals while a simulation runs", () => {
  for (const [sig, code, word] of [
    ["SIGINT", 130, "interrupted"],
    ["SIGTERM", 143, "terminated"],
  ] as const) {
    it(`run: ${sig} ends it with exit ${code} and one line`, async () => {
      const f = script([...SETUP, LONG_PING, LONG_PING].join("\n") + "\n");
      const p = start(["run", "--timeout", "3600", f]);
      expect(await waitFor(() => p.out().includes("$ ip netns add ns1"), FAILSAFE_MS)).toBe(true);
      p.child.kill(sig);
      const e = await p.ended;
      expect(e.signal).toBeNull();
      expect(e.code).toBe(code);
      expect(e.stderr).toBe(`packetwalk: ${word} (${sig})\n`);
    });
  }

  it("walk: SIGINT ends the walk of an unbounded ping with exit 130 (in-process)", async () => {
    // A walk prints nothing until it ends: run it in this process, and send the signal as
    // soon as its handler is there.
    const before = process.listenerCount("SIGINT");
    const f = script(SETUP.join("\n") + "\n");
    const walking = run("walk", "--timeout", "3600", f, "--", LONG_PING);
    const ready = await waitFor(() => process.listenerCount("SIGINT") > before, FAILSAFE_MS, 1);
    expect(ready).toBe(true);
    process.emit("SIGINT", "SIGINT");
    expect(await walking).toBe(130);
    expect(captured.err).toBe("packetwalk: interrupted (SIGINT)\n");
    expect(captured.out).toBe("");
    expect(process.listenerCount("SIGINT")).toBe(before);
    resetInterruption();
  });
});

describe("signals while the kernel backend runs", () => {
  it.skipIf(sandboxUnavailable)(
    `run --kernel: SIGTERM closes the sandbox and exits 143 (${sandboxUnavailable ?? "sandbox"})`,
    async () => {
      const f = script("ip netns add ns1\nsleep 30\nip netns list\n");
      const p = start(["run", "--kernel", f]);
      expect(await waitFor(() => p.out().includes("$ ip netns add ns1"), FAILSAFE_MS)).toBe(true);
      const sandbox = children(p.child.pid!);
      expect(sandbox.length).toBeGreaterThan(0);
      p.child.kill("SIGTERM");
      const e = await p.ended;
      expect(e.code).toBe(143);
      expect(e.stderr).toBe("packetwalk: terminated (SIGTERM)\n");
      expect(e.stdout).not.toContain("ip netns list");
      expect(sandbox.filter((pid) => !gone(pid))).toEqual([]);
    },
  );
});

describe("a reader that goes away (| head -2)", () => {
  for (const args of [[], ["--json"]]) {
    it(`run ${args.join(" ")}: ends quietly with exit 0, no EPIPE stack trace`, async () => {
      const p = start(["run", ...args, "lessons/01-namespaces-veth-bridge.lab"]);
      expect(await waitFor(() => p.out().split("\n").length > 2, FAILSAFE_MS)).toBe(true);
      p.child.stdout!.destroy();
      const e = await p.ended;
      expect(e.signal).toBeNull();
      expect(e.code).toBe(0);
      expect(e.stderr).toBe("");
    });
  }

  it.skipIf(sandboxUnavailable)(
    `run --kernel: closes the sandbox and exits 0 (${sandboxUnavailable ?? "sandbox"})`,
    async () => {
      const f = script(
        // The write after `sleep 1` meets the closed pipe; `sleep 30` would then outlast it.
        ["ip netns add ns1", "sleep 1", "ip link", "sleep 30", "ip link"].join("\n") + "\n",
      );
      const p = start(["run", "--kernel", f]);
      expect(await waitFor(() => p.out().includes("$ ip netns add ns1"), FAILSAFE_MS)).toBe(true);
      const sandbox = children(p.child.pid!);
      expect(sandbox.length).toBeGreaterThan(0);
      p.child.stdout!.destroy();
      const e = await p.ended;
      expect(e.code).toBe(0);
      expect(e.stderr).toBe("");
      expect(sandbox.filter((pid) => !gone(pid))).toEqual([]);
    },
  );
});
