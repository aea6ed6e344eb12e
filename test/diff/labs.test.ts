// Differential tests: every lab script in test/labs/ and lessons/ runs in the simulator and
// on the real kernel (in a sandbox); every line must give the same result after
// normalisation, and every probe's netfilter path must be the kernel's own trace of it.
// The kernel is the judge.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mismatches } from "./both-backends.js";

const DIRS = ["test/labs", "lessons"];
const files = DIRS.flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith(".lab"))
    .sort()
    .map((f) => join(d, f)),
);

describe("lab scripts: simulator vs kernel", () => {
  it("has at least 25 differential lab scripts", () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  for (const file of files) {
    it(file, async () => {
      const { errors, report, traced, allowed } = await mismatches(
        readFileSync(file, "utf8"),
        file,
        join(file, ".."),
        { topology: true },
      );
      expect(errors).toEqual([]);
      // Known simulator differences in the final topology (topology-check.ts), for the record.
      if (allowed.length > 0) console.info(allowed.join("\n"));
      expect(report).toBe("");
      // The netfilter labs' probes cross rules: their comparison is never of empty paths.
      if (/\/nf-\d+/.test(file)) expect(traced).toBeGreaterThan(0);
    });
  }
});
