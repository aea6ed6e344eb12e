// Every lesson shipped in lessons/ is valid and every check of it holds in the simulator.
import { describe, expect, it } from "vitest";
import { lessonFiles, readLesson } from "../../src/cli/lesson-files.js";
import { resolveProfile } from "../../src/cli/profile.js";
import { verifyLesson } from "../../src/lessons/verify.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

const files = lessonFiles();

describe("lessons in the simulator", () => {
  it("there are lessons", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file.split("/").at(-1)!, async () => {
      const { lesson, errors } = readLesson(file);
      expect(errors.map((e) => e.message)).toEqual([]);
      const sim = new SimBackend({ profile: resolveProfile(undefined), seed: 1 });
      try {
        const v = await verifyLesson(lesson, { sim });
        expect(v.failures.map((f) => `${f.line}: step ${f.step}: ${f.what}`)).toEqual([]);
        expect(v.checks).toBeGreaterThan(0);
        // Prediction first: every lesson asks before it shows.
        expect(lesson.steps.some((s) => s.prediction)).toBe(true);
      } finally {
        await sim.close();
      }
    });
  }
});
