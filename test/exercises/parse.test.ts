// Exercise files are validated before anything runs: each problem names the file, the line
// and the field; a valid file gives its world, goal, hints and checks.
import { describe, expect, it } from "vitest";
import { parseExercise } from "../../src/exercises/parse.js";
import { probePhrase } from "../../src/exercises/check.js";
import { parseLine } from "../../src/script/parse.js";

const good = `---
id: tiny
title: Tiny
lesson: veth-pairs
kind: fix
goal: The host reaches 10.0.0.2.
hints:
  - one
  - two
---

# Tiny

Some words.

\`\`\`lab
ip netns add app
\`\`\`

\`\`\`check
- reaches: ping -c1 -W1 10.0.0.2
- run: ip -n app link
  lacks: NO-CARRIER
\`\`\`
`;

describe("exercise files", () => {
  it("reads a valid file", () => {
    const { exercise, errors } = parseExercise(good, "x.md");
    expect(errors).toEqual([]);
    expect(exercise).toMatchObject({
      id: "tiny",
      kind: "fix",
      lesson: "veth-pairs",
      hints: ["one", "two"],
    });
    expect(exercise.start.map((c) => c.text)).toEqual(["ip netns add app"]);
    expect(exercise.checks.map((c) => [c.expect.kind, c.line])).toEqual([
      ["reaches", 21],
      ["run", 22],
    ]);
    expect(exercise.text).toBe("Some words.");
  });

  it("names the file, line and field of every problem", () => {
    const bad = good
      .replace("kind: fix", "kind: puzzle\ncolour: red")
      .replace("- reaches: ping -c1 -W1 10.0.0.2", "- reaches: ip route")
      .replace("ip netns add app", 'ip netns add "app');
    const msgs = parseExercise(bad, "x.md").errors.map((e) => e.message);
    expect(msgs).toContain('x.md:1: front matter: kind: "puzzle" must be build or fix');
    expect(msgs.some((m) => m.startsWith("x.md:1: front matter: colour: unknown field"))).toBe(
      true,
    );
    expect(msgs).toContain(
      "x.md:22: check 1.reaches: `ip route` is not a probe: a ping or nc -z line",
    );
    expect(msgs.some((m) => m.startsWith("x.md:18: lab: "))).toBe(true);
  });

  it("needs checks", () => {
    const none = good.replace(/```check[\s\S]*```\n/, "");
    expect(parseExercise(none, "x.md").errors.map((e) => e.field)).toContain("check");
  });

  it("says a probe the way a learner would", () => {
    expect(probePhrase(parseLine("ip netns exec web ping -c1 -W1 203.0.113.8", 1, "t")!)).toBe(
      "your ping from web to 203.0.113.8",
    );
    expect(probePhrase(parseLine("nc -z -w1 198.51.100.1 8080", 1, "t")!)).toBe(
      "your connection from (root) to 198.51.100.1 port 8080",
    );
    expect(probePhrase(parseLine("docker exec api nc -z -w1 172.18.0.3 80", 1, "t")!)).toBe(
      "your connection from api (container) to 172.18.0.3 port 80",
    );
  });
});
