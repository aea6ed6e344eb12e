import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

// Tests that never touch the kernel: CPU only.
const SIMULATOR = [
  "test/sim",
  "test/script",
  "test/compare",
  "test/lessons",
  "test/exercises",
  "test/diagram",
  "test/web",
];
// The differential suite: every lab and the property test, sandboxes several at a time.
const DIFF = ["test/diff"];
// The other tests that run sandboxes on the real kernel (and CLI tests, which may).
const KERNEL = ["test/real", "test/walk", "test/cli"];
const files = (dirs: string[]): string[] => dirs.map((d) => `${d}/**/*.test.ts`);

// How the run is laid out, for time (2 cores):
// - the differential suite runs in one process, one file at a time (forks, singleFork);
// - beside it, one worker thread runs the simulator's tests, then the other kernel tests,
//   one file at a time: at most one busy core beside the suite, the load it is proved
//   against (.ci/loaded-runs: a busy loop on one core beside it). The kernel tests are
//   mostly waiting, so they fill the time the simulator's tests leave.
// Vitest runs projects of one groupOrder at once only when they use different pools, hence
// threads for those and forks for the suite. The thread's files share its modules
// (isolate: false; importing the simulator once instead of per file halves its CPU), so a
// test file must not mock modules or leave global state behind (test/setup.ts runs per file).
/**
 * The kernel tests first in the thread, the simulator's after: the suite's serial labs,
 * at its end, then have the simulator's pure CPU beside them, the load they are proved
 * against, rather than other sandboxes.
 */
class KernelFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const kernel = (f: TestSpecification): number => (f.project.name === "kernel" ? 0 : 1);
    return sorted.sort((a, b) => kernel(a) - kernel(b));
  }
}

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    sequence: { sequencer: KernelFirst },
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup.ts"],
    poolOptions: { threads: { maxThreads: 1, minThreads: 1, isolate: false } },
    // Tests marked concurrent (the differential labs, each in its own sandbox) run this
    // many at a time within their file.
    maxConcurrency: Math.max(1, Number(process.env.PW_TEST_JOBS ?? 4)),
    projects: [
      {
        extends: true,
        test: {
          name: "simulator",
          include: files(SIMULATOR),
          pool: "threads",
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "diff",
          include: files(DIFF),
          // One file at a time, in one process: the kernel's link-state worker (linkwatch)
          // is shared by every namespace of the machine, so files busy with sandboxes in
          // parallel would change each other's timing. Within a file, tests marked
          // concurrent share the machine on purpose.
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "kernel",
          include: files(KERNEL),
          pool: "threads",
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
