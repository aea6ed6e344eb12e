// The CLI's `run` contract (lab-script.md): JSON lines, refusals before anything runs.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { captured, captureOutput, run, script } from "./capture.js";
import { tempDir } from "../temp-dir.js";

captureOutput();

describe("packetwalk run", () => {
  it("--json prints one object per executed line with line, command, exit, stdout, stderr", async () => {
    const f = script("# a comment\nip netns add a\n\nip netns list\nping -c1 10.0.0.1\n");
    expect(await run("run", "--sim", "--json", f)).toBe(0);
    const lines = captured.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const from = (line: number, text: string) => ({ line, text, step: 1, of: 1 });
    expect(lines).toEqual([
      {
        line: 2,
        command: "ip netns add a",
        exit: 0,
        stdout: "",
        stderr: "",
        provenance: from(2, "ip netns add a"),
      },
      {
        line: 4,
        command: "ip netns list",
        exit: 0,
        stdout: "a\n",
        stderr: "",
        provenance: from(4, "ip netns list"),
      },
      {
        line: 5,
        command: "ping -c1 10.0.0.1",
        exit: 2,
        stdout: "",
        stderr: "ping: connect: Network is unreachable\n",
        provenance: from(5, "ping -c1 10.0.0.1"),
      },
    ]);
    expect(Object.keys(lines[0]!)).toEqual([
      "line",
      "command",
      "exit",
      "stdout",
      "stderr",
      "provenance",
    ]);
  });

  it("for people: the command, its output, narration from comments", async () => {
    const f = script("# Make a namespace.\nip netns add a\nip netns list\n");
    expect(await run("run", f)).toBe(0);
    expect(captured.out).toContain("# Make a namespace.\n$ ip netns add a\n$ ip netns list\na\n");
  });

  it("refuses a script with bad lines before running anything, naming each line", async () => {
    const f = script("ip netns add a\nip link | grep x\nrm -rf /\n");
    expect(await run("run", "--json", f)).toBe(127);
    expect(captured.out).toBe("");
    expect(captured.err).toContain(`${f}:2: pipes are not supported`);
    expect(captured.err).toContain(`${f}:3: unknown command "rm"`);
    expect(captured.err).toContain("nothing was run");
    expect(captured.err).not.toMatch(/at \w+ \(/); // no stack trace
  });

  it("uses exit 2 for refusals other than unknown commands", async () => {
    expect(await run("run", script("ip link show $X\n"))).toBe(2);
  });

  it("explains a missing file without a stack trace", async () => {
    expect(await run("run", "/nonexistent/lab.lab")).toBe(2);
    expect(captured.err).toBe("packetwalk: cannot read /nonexistent/lab.lab: no such file\n");
  });

  it("refuses two modes at once", async () => {
    expect(await run("run", "--sim", "--kernel", script("ip link\n"))).toBe(2);
    expect(captured.err).toContain("choose one of --sim, --kernel, --compare");
  });

  it("--compare --json gives sim, kernel and match per line, exit 0 when all match", async () => {
    const f = script("ip netns add a\nip -n a link\nip netns exec a ping -c1 -W1 10.0.0.1\n");
    expect(await run("run", "--compare", "--json", f)).toBe(0);
    const lines = captured.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => Object.keys(l))).toEqual(
      Array(3).fill(["line", "command", "sim", "kernel", "match", "provenance"]),
    );
    expect(lines.every((l) => l.match === true)).toBe(true);
    expect(lines[2]!.kernel).toEqual({
      exit: 2,
      stdout: "",
      stderr: "ping: connect: Network is unreachable\n",
    });
  });

  it("--compare exits 1 and shows the difference when the simulator is wrong", async () => {
    // A profile that claims ip_forward=1 where the machine has 0 makes the two worlds differ.
    const dir = tempDir("pw-prof-");
    const prof = join(dir, "p.json");
    writeFileSync(
      prof,
      JSON.stringify({ name: "odd", ipv4: { "net.ipv4.ip_forward": "7" }, brNetfilter: null }),
    );
    const f = script("sysctl net.ipv4.ip_forward\n");
    expect(await run("run", "--compare", "--profile", prof, f)).toBe(1);
    expect(captured.out).toContain("DIFF");
    expect(captured.out).toContain("- net.ipv4.ip_forward = 7");
    expect(captured.out).toContain("1 of 1 lines differ");
  });
});
