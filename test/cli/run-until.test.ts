// `packetwalk run --until LINE`: the script runs up to and including LINE, in every mode;
// a LINE that is not a command line is refused before anything runs.
import { describe, expect, it } from "vitest";
import { captured, captureOutput, run, script } from "./capture.js";

captureOutput();

const LAB = [
  "# Two namespaces.", // 1
  "ip netns add a", // 2
  "ip netns add b", // 3
  "", // 4
  "# What is there now?", // 5
  "ip netns list", // 6
  "ip netns add c", // 7
  "ip netns list", // 8
].join("\n");

const jsonLines = (): Record<string, unknown>[] =>
  captured.out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("packetwalk run --until", () => {
  it("runs up to and including the line, then stops (simulator)", async () => {
    expect(await run("run", "--json", "--until", "6", script(LAB))).toBe(0);
    const lines = jsonLines();
    expect(lines.map((l) => l.line)).toEqual([2, 3, 6]);
    expect(lines[2]!.stdout).toBe("b\na\n");
  });

  it("prints no narration from after the line", async () => {
    expect(await run("run", "--until", "3", script(LAB))).toBe(0);
    expect(captured.out).toContain("# Two namespaces.\n$ ip netns add a\n$ ip netns add b\n");
    expect(captured.out).not.toContain("What is there now?");
    expect(captured.out).toContain("2 commands run in the simulator");
  });

  it("refuses a line beyond the script, naming the last command's line", async () => {
    expect(await run("run", "--until", "9", script(LAB))).toBe(2);
    expect(captured.out).toBe("");
    expect(captured.err).toBe("packetwalk: --until 9: beyond the script's last command (line 8)\n");
  });

  it("refuses a comment or blank line, naming the command lines around it", async () => {
    expect(await run("run", "--until", "5", script(LAB))).toBe(2);
    expect(captured.err).toBe(
      "packetwalk: --until 5: line 5 is a comment, not a command; the nearest commands are on lines 3 and 6\n",
    );
    captured.err = "";
    expect(await run("run", "--until", "4", script(LAB))).toBe(2);
    expect(captured.err).toContain("line 4 is a blank line, not a command");
    captured.err = "";
    expect(await run("run", "--until", "1", script(LAB))).toBe(2);
    expect(captured.err).toContain("the nearest commands are on line 2\n");
    expect(captured.out).toBe("");
  });

  it("refuses what is not a line number", async () => {
    for (const bad of ["0", "-1", "x", "2.5"]) {
      captured.err = "";
      expect(await run("run", "--until", bad, script(LAB))).toBe(2);
      expect(captured.err).toContain(`--until ${bad}: not a line number`);
    }
  });

  it("stops the kernel at the line too", async () => {
    expect(await run("run", "--kernel", "--json", "--until", "6", script(LAB))).toBe(0);
    const lines = jsonLines();
    expect(lines.map((l) => l.line)).toEqual([2, 3, 6]);
    expect(lines[2]!.stdout).toBe("b\na\n");
  });

  it("stops both backends at the line with --compare", async () => {
    expect(await run("run", "--compare", "--json", "--until", "7", script(LAB))).toBe(0);
    const lines = jsonLines();
    expect(lines.map((l) => l.line)).toEqual([2, 3, 6, 7]);
    expect(lines.every((l) => l.match === true)).toBe(true);
  });
});
