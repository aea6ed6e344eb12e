import { defineConfig } from "vitest/config";

// Tests that never touch the kernel: CPU only, so their files run two at a time.
const SIMULATOR = [
  "test/sim",
  "test/script",
  "test/compare",
  "test/lessons",
  "test/exercises",
  "test/diagram",
  "test/web",
];
// Tests that run sandboxes on the real kernel (and CLI tests, which may).
const KERNEL = ["test/diff", "test/real", "test/walk", "test/cli"];
const files = (dirs: string[]): string[] => dirs.map((d) => `${d}/**/*.test.ts`);

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    minWorkers: 1,
    // Tests marked concurrent (the differential labs, each in its own sandbox) run this
    // many at a time within their file.
    maxConcurrency: Math.max(1, Number(process.env.PW_TEST_JOBS ?? 4)),
    projects: [
      {
        extends: true,
        test: { name: "simulator", include: files(SIMULATOR), sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: "kernel",
          include: files(KERNEL),
          // One file at a time, after the simulator's, in one process: the kernel's
          // link-state worker (linkwatch) is shared by every namespace of the machine,
          // so files busy with sandboxes in parallel would change each other's timing.
          // Within a file, tests marked concurrent share the machine on purpose.
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
