// How scripts reach `run` and `walk`: expanded lines shown under their script line (text
// and JSON), a script on standard input, and a probe given without `--`.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/run-command.js";
import { walkCommand } from "../../src/cli/walk-command.js";
import type { Walk } from "../../src/walk/types.js";
import { pairs } from "../script/test-expander.js";
import { captured, captureOutput, run, script } from "./capture.js";
import { tempDir } from "../temp-dir.js";

captureOutput();

const collect = (): { write: (s: string) => void; text: () => string } => {
  let out = "";
  return { write: (s) => void (out += s), text: () => out };
};

describe("run: a line that expands into several commands", () => {
  const lab = "# Two namespaces.\nmkpair a b\nip netns list\n";

  it("for people: the commands indented under their script line", async () => {
    const out = collect();
    expect(await runCommand(script(lab), { expand: pairs }, out.write)).toBe(0);
    expect(out.text()).toContain(
      "# Two namespaces.\n" +
        "$ mkpair a b\n" +
        "  $ ip netns add a\n" +
        "  $ ip netns add b\n" +
        "  $ ip link add va netns a type veth peer name vb netns b\n" +
        "$ ip netns list\n" +
        "b\na\n",
    );
    expect(out.text()).toContain("4 commands run in the simulator");
  });

  it("--json: one object per command, with its provenance", async () => {
    const out = collect();
    expect(await runCommand(script(lab), { json: true, expand: pairs }, out.write)).toBe(0);
    const lines = out
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.line, l.command, l.exit, l.provenance])).toEqual([
      [
        2,
        "ip netns add a",
        0,
        { line: 2, text: "mkpair a b", step: 1, of: 3, expandedBy: "test-pairs" },
      ],
      [
        2,
        "ip netns add b",
        0,
        { line: 2, text: "mkpair a b", step: 2, of: 3, expandedBy: "test-pairs" },
      ],
      [
        2,
        "ip link add va netns a type veth peer name vb netns b",
        0,
        { line: 2, text: "mkpair a b", step: 3, of: 3, expandedBy: "test-pairs" },
      ],
      [3, "ip netns list", 0, { line: 3, text: "ip netns list", step: 1, of: 1 }],
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
});

describe("walk: a failed setup command keeps its provenance", () => {
  it("--json: setupFailures name the script line and the step", async () => {
    const out = collect();
    const f = script("ip netns add a\nmkpair a b\n");
    expect(
      await walkCommand(f, ["ping", "-c1", "10.0.0.2"], { json: true, expand: pairs }, out.write),
    ).toBe(0);
    const walk = JSON.parse(out.text()) as Walk;
    expect(walk.setupFailures).toEqual([
      {
        line: 2,
        command: "ip netns add a",
        exit: 1,
        stderr: 'Cannot create namespace file "/run/netns/a": File exists\n',
        provenance: { line: 2, text: "mkpair a b", step: 1, of: 3, expandedBy: "test-pairs" },
      },
    ]);
  });
});

describe("run -: the script on standard input", () => {
  it("reads it, and file arguments resolve in the current directory", () => {
    const dir = tempDir("pw-stdin-");
    writeFileSync(join(dir, "r.v4"), "*filter\n:INPUT DROP [0:0]\nCOMMIT\n");
    const cli = (input: string) =>
      spawnSync(
        process.execPath,
        [
          "--import",
          pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href,
          fileURLToPath(new URL("../../src/cli/entry.ts", import.meta.url)),
          "run",
          "--json",
          "-",
        ],
        { cwd: dir, input, encoding: "utf8" },
      );
    const ok = cli("$ sudo iptables-restore r.v4\niptables -S INPUT\n");
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    const last = JSON.parse(ok.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ line: 2, stdout: "-P INPUT DROP\n" });
    const bad = cli("ip link\nfrob\n");
    expect(bad.status).toBe(127);
    expect(bad.stderr).toContain('<stdin>:2: unknown command "frob"');
  });
});

describe("walk without `--`", () => {
  it("says to put `--` before the probe, with the command line to use", async () => {
    const f = script("ip netns add a\n");
    expect(
      await run("walk", "--json", f, "ip", "netns", "exec", "a", "ping", "-c1", "10.0.0.2"),
    ).toBe(2);
    expect(captured.err).toBe(
      "packetwalk walk: put `--` before the probe, or its options (-c1) are read as packetwalk's:\n" +
        `  packetwalk walk --json ${f} -- ip netns exec a ping -c1 10.0.0.2\n`,
    );
    expect(captured.out).toBe("");
  });
});
