// Every exercise's solutions on the real kernel: the reference passes, each wrong one
// fails, and the same checks fail as in the simulator (whose walk explains the failure).
// Real kernel: run under the kernel lock. One sandbox per solution; several run at a time.
import { describe, expect, it } from "vitest";
import { exerciseFiles, readExercise } from "../../src/cli/exercise-files.js";
import { checkSolution } from "../../src/exercises/check.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { readMachineProfile } from "../../src/real/preflight.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { solutionsOf } from "../exercises/solutions.js";

// The simulator starts from what this machine gives a new namespace, as the sandbox does.
const profile = readMachineProfile();

describe.concurrent("exercises on the kernel", () => {
  for (const file of exerciseFiles()) {
    const { exercise } = readExercise(file);
    for (const s of solutionsOf(exercise.id)) {
      it(`${exercise.id}: ${s.name}`, async () => {
        const kernel = await KernelBackend.start();
        const sim = new SimBackend({ profile });
        try {
          const k = await checkSolution(exercise, s.commands, kernel);
          const v = await checkSolution(exercise, s.commands, sim);
          expect(k.startFailures.map((f) => `${f.command.text}: ${f.result.stderr}`)).toEqual([]);
          expect(k.passed).toBe(s.expect === undefined);
          const failed = (x: typeof k): string[] =>
            x.checks.flatMap((c, i) => (c.ok ? [] : [`check ${i + 1}: ${c.check.command.text}`]));
          expect(failed(k)).toEqual(failed(v));
        } finally {
          await sim.close();
          await kernel.close();
        }
      });
    }
  }
});
