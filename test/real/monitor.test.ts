// Monitors: long-running programs in the sandbox whose output is read while they run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox } from "../../src/real/sandbox.js";
import { sandboxUnavailable } from "./helpers.js";

/** A node program that prints `tick N` every 20 ms; on SIGTERM it prints `bye` and exits 3. */
const TICKER = [
  process.execPath,
  "-e",
  `let n = 0;
   const t = setInterval(() => console.log("tick " + n++), 20);
   process.on("SIGTERM", () => { clearInterval(t); console.log("bye"); console.error("err"); process.exit(3); });`,
];

/** Ignores SIGTERM: only SIGKILL ends it. */
const STUBBORN = [
  process.execPath,
  "-e",
  `process.on("SIGTERM", () => console.log("not yet")); console.log("up"); setInterval(() => {}, 1000);`,
];

describe.skipIf(sandboxUnavailable)("sandbox monitors", () => {
  let sb: Sandbox;

  /** Polls until the monitor has printed `text` (its SIGTERM handler is set by then). */
  async function printed(name: string, text: string): Promise<string> {
    const end = Date.now() + 5000;
    for (;;) {
      const { stdout } = await sb.peekMonitor(name);
      if (stdout.includes(text) || Date.now() > end) return stdout;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    sb = await Sandbox.start();
  });
  afterAll(async () => {
    await sb?.close();
  });

  it("starts, shows its output so far, and stops with all of it", async () => {
    expect(await sb.startMonitor("ticker", TICKER)).toMatchObject({ exit: 0, running: true });
    expect(await printed("ticker", "tick 2\n")).toContain("tick 2\n");
    const peek = await sb.peekMonitor("ticker");
    expect(peek.running).toBe(true);
    expect(peek.stdout.startsWith("tick 0\ntick 1\ntick 2\n")).toBe(true);

    const stop = await sb.stopMonitor("ticker");
    expect(stop).toMatchObject({ exit: 3, running: false, stderr: "err\n" });
    expect(stop.stdout.startsWith(peek.stdout)).toBe(true);
    expect(stop.stdout.endsWith("bye\n")).toBe(true);
    // Gone: the name is free again.
    expect((await sb.peekMonitor("ticker")).exit).toBe(1);
  });

  it("SIGKILLs a monitor that ignores SIGTERM", async () => {
    await sb.startMonitor("stubborn", STUBBORN);
    expect(await printed("stubborn", "up\n")).toBe("up\n");
    const t0 = Date.now();
    const stop = await sb.stopMonitor("stubborn");
    expect(stop.exit).toBe(128 + 9);
    expect(stop.stdout).toContain("up\n");
    expect(Date.now() - t0).toBeGreaterThan(1000);
  });

  it("refuses a name in use, reports a missing program and an unknown name", async () => {
    await sb.startMonitor("one", TICKER);
    await printed("one", "tick 0\n");
    expect(await sb.startMonitor("one", TICKER)).toMatchObject({ exit: 1, running: false });
    expect((await sb.stopMonitor("one")).exit).toBe(3);
    expect(await sb.startMonitor("none", ["no-such-program"])).toMatchObject({
      exit: 127,
      running: false,
    });
    expect(await sb.peekMonitor("never")).toMatchObject({
      exit: 1,
      stderr: "packetwalk: no monitor named never\n",
    });
  });

  it("ordinary commands run while a monitor does", async () => {
    await sb.startMonitor("bg", TICKER);
    const r = await sb.exec({ argv: ["ip", "-o", "link", "show", "lo"], background: false });
    expect(r.exit).toBe(0);
    expect((await sb.peekMonitor("bg")).running).toBe(true);
    await sb.stopMonitor("bg");
  });

  it("a monitor never stopped ends with the sandbox", async () => {
    const other = await Sandbox.start();
    await other.startMonitor("left", TICKER);
    expect(other.hostProcesses().length).toBeGreaterThanOrEqual(2);
    await other.close();
    expect(other.hostProcesses()).toEqual([]);
  });
});
