// Every exercise in the simulator: its reference solution passes, and each wrong solution
// fails with the explanation its file expects (the failed probe's walk verdict).
import { describe, expect, it } from "vitest";
import { exerciseFiles, readExercise } from "../../src/cli/exercise-files.js";
import { resolveProfile } from "../../src/cli/profile.js";
import { checkSolution } from "../../src/exercises/check.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { solutionsOf } from "./solutions.js";

const files = exerciseFiles();

describe("exercises in the simulator", () => {
  it("there are exercises, each with a reference and a wrong solution", () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const { exercise } = readExercise(f);
      const names = solutionsOf(exercise.id).map((s) => s.name);
      expect(names, exercise.id).toContain("reference");
      expect(names.length, exercise.id).toBeGreaterThan(1);
    }
  });
  for (const file of files) {
    const { exercise, errors } = readExercise(file);
    for (const s of solutionsOf(exercise.id)) {
      it(`${exercise.id}: ${s.name}`, async () => {
        expect(errors.map((e) => e.message)).toEqual([]);
        // docker-host: br_netfilter loaded, as on this machine and most hosts with Docker, so verdicts match the kernel's.
        const sim = new SimBackend({ profile: resolveProfile(undefined), seed: 1 });
        try {
          const v = await checkSolution(exercise, s.commands, sim);
          expect(v.startFailures.map((f) => f.command.text)).toEqual([]);
          const failed = v.checks.filter((c) => !c.ok).map((c) => c.text);
          if (s.expect === undefined) expect(failed).toEqual([]);
          else {
            expect(v.passed).toBe(false);
            expect(failed.join("\n")).toContain(s.expect);
          }
        } finally {
          await sim.close();
        }
      });
    }
  }
});
