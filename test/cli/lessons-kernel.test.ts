// Every lesson verified in both backends (`lesson verify --compare`): each check holds in
// the simulator and on the kernel, every line prints the same in both, and every walk
// meets the rules the kernel's own trace shows. Real kernel: run under the kernel lock.
// Lessons run several at a time (vitest's maxConcurrency), each in its own sandbox.
import { describe, expect, it } from "vitest";
import { lessonFiles, readLesson } from "../../src/cli/lesson-files.js";
import { verifyLesson } from "../../src/lessons/verify.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { readMachineProfile } from "../../src/real/preflight.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

// The simulator starts from what this machine gives a new namespace, as the sandbox does.
const profile = readMachineProfile();

describe.concurrent("lessons: simulator vs kernel", () => {
  for (const file of lessonFiles()) {
    it(file.split("/").at(-1)!, async () => {
      const { lesson, errors } = readLesson(file);
      expect(errors.map((e) => e.message)).toEqual([]);
      const sim = new SimBackend({ profile });
      const kernel = await KernelBackend.start();
      try {
        const v = await verifyLesson(lesson, { sim, kernel });
        const failures = v.failures.map(
          (f) => `${f.line}: step ${f.step} [${f.backend}]: ${f.what}`,
        );
        // The message carries them whole (vitest shortens the values it compares).
        expect(failures, failures.join("\n")).toEqual([]);
      } finally {
        await sim.close();
        await kernel.close();
      }
    });
  }
});
