// `learn` shows a step's diagram: the SVG npm run diagrams drew for it (or for the last
// step before it whose topology changed) and the topology as text, read from the world.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { learnCommand } from "../../src/cli/learn-command.js";
import { lessonDiagramPath } from "../../src/cli/lesson-diagram.js";
import { findLesson } from "../../src/cli/lesson-files.js";
import { ProgressStore } from "../../src/cli/progress.js";
import { topologyText } from "../../src/diagram/topology-text.js";
import { resolveProfile } from "../../src/cli/profile.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { runStep } from "../../src/lessons/run-step.js";
import { tempDir } from "../temp-dir.js";

describe("a lesson step's diagram", () => {
  it("is shown by learn: the SVG's path and the topology as text", async () => {
    let out = "";
    const progress = new ProgressStore(join(tempDir("pw-learn-"), "p.json"));
    // Lesson 1: steps 1-3 answered, then step 4 (a bridge) carries a `diagram` block.
    const keys = ["3", "", "1", "", "no", "", "1", "q"];
    const code = await learnCommand("namespaces-veth-bridge", {}, (s) => (out += s), {
      input: Readable.from(keys.map((k) => `${k}\n`)),
      progress,
    });
    expect(code).toBe(0);
    const step4 = out.slice(out.indexOf("Step 4/5"));
    expect(step4).toContain("The topology now:");
    expect(step4).toMatch(/^ {2}br0 \(bridge\) UP ports: veth0 veth1$/m);
    expect(step4).toMatch(/^ {2}ceth0 172\.18\.0\.10\/16 UP <-> veth0 in \(root\)$/m);
    expect(step4).toMatch(/<-> \S+ in netns0/);
    const m = /^diagram: (.*01-namespaces-veth-bridge-step-04\.svg)$/m.exec(step4);
    expect(m).not.toBeNull();
    expect(existsSync(m![1]!)).toBe(true);
    expect(out).not.toContain("not drawn");
  });

  it("falls back to the last step drawn when a step changed nothing", () => {
    const lesson = findLesson("bridge-mac-learning");
    // Step 2 (the forwarding database) adds no device: its picture is step 1's.
    expect(lessonDiagramPath(lesson, lesson.steps[1]!)).toMatch(
      /diagrams\/lessons\/05-bridge-mac-learning-step-01\.svg$/,
    );
    expect(lessonDiagramPath(lesson, lesson.steps[2]!)).toMatch(/-step-03\.svg$/);
  });

  it("renders namespaces, addresses, veth peers and bridge ports as text", async () => {
    const lesson = findLesson("veth-pairs");
    const sim = new SimBackend({ profile: resolveProfile(undefined), seed: 1 });
    try {
      for (const s of lesson.steps.slice(0, 2)) await runStep(lesson, s, sim);
      const text = topologyText(await sim.inspect());
      expect(text.split("\n")[0]).toBe("(root)");
      expect(text).toMatch(/^ {2}veth0 \S+ UP <-> veth1 in ns1$/m);
      expect(text).toMatch(/^ns1$/m);
    } finally {
      await sim.close();
    }
  });
});
