// Issue 9: `run` for people never echoes a script's control bytes raw (the line, its
// narration, what the simulated programs printed about it); --json keeps them exact.
import { describe, expect, it } from "vitest";
import { captured, captureOutput, run, script } from "./capture.js";

captureOutput();

describe("run escapes control characters for people", () => {
  it("in the command, the narration and the program's messages", async () => {
    const f = script("# narr\x1b[2J\nip link show dev x\x1b[31m\n");
    expect(await run("run", "--sim", f)).toBe(0);
    expect(captured.out).toContain("# narr\\x1b[2J\n");
    expect(captured.out).toContain("$ ip link show dev x\\x1b[31m\n");
    expect(captured.out).toContain('Device "x\\x1b[31m" does not exist.\n');
    expect(captured.out).not.toContain("\x1b");
  });

  it("--json keeps the bytes (JSON escapes them itself)", async () => {
    const f = script("ip link show dev x\x1b[31m\n");
    expect(await run("run", "--sim", "--json", f)).toBe(0);
    const line = JSON.parse(captured.out.trim()) as { command: string; stderr: string };
    expect(line.command).toBe("ip link show dev x\x1b[31m");
    expect(line.stderr).toBe('Device "x\x1b[31m" does not exist.\n');
    expect(captured.out).not.toContain("\x1b");
  });
});
