import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One test file at a time: the kernel's link-state worker (linkwatch) is shared by
    // every namespace of the machine, so sandboxes busy in parallel change each other's
    // timing. The simulator's tests are fast either way.
    fileParallelism: false,
    // Tests marked concurrent (the differential labs, each in its own sandbox) run this
    // many at a time within their file.
    maxConcurrency: Math.max(1, Number(process.env.PW_TEST_JOBS ?? 4)),
  },
});
