// Differential tests: every lab script in test/labs/ and lessons/ runs in the simulator and
// on the real kernel (in a sandbox); every line must give the same result after
// normalisation, and every probe's netfilter path must be the kernel's own trace of it.
// The kernel is the judge.
//
// Labs run several at a time, each in its own sandbox: most of a lab's time is waiting
// (timeouts, sleeps, neighbour timers), not CPU. A lab whose result depends on timing
// that other busy sandboxes can shift says so with a line `# lab: serial` and runs
// alone, after the others. How many run at once is vitest's maxConcurrency (vitest.config.ts,
// PW_TEST_JOBS); the longest start first (lab-order.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mismatches } from "./both-backends.js";
import { longestFirst } from "./lab-order.js";

const DIRS = ["test/labs", "lessons"];
const labs = DIRS.flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith(".lab"))
    .sort()
    .map((f) => join(d, f)),
).map((file) => {
  const text = readFileSync(file, "utf8");
  return { file, text, serial: /^# lab: serial\b/m.test(text) };
});

async function checkLab(file: string, text: string): Promise<void> {
  const { errors, report, traced, allowed } = await mismatches(text, file, join(file, ".."), {
    topology: true,
  });
  expect(errors).toEqual([]);
  // Known simulator differences in the final topology (topology-check.ts), for the record.
  if (allowed.length > 0) console.info(allowed.join("\n"));
  // The message carries the report whole (vitest shortens the values it compares).
  expect(report, `differences:\n${report}`).toBe("");
  // The netfilter labs' probes cross rules: their comparison is never of empty paths.
  if (/\/nf-\d+/.test(file)) expect(traced).toBeGreaterThan(0);
}

it("has at least 25 differential lab scripts", () => {
  expect(labs.length).toBeGreaterThanOrEqual(25);
});

describe.concurrent("lab scripts: simulator vs kernel", () => {
  for (const { file, text } of longestFirst(labs.filter((l) => !l.serial)))
    it(file, () => checkLab(file, text));
});

const serial = labs.filter((l) => l.serial);
if (serial.length > 0)
  describe("lab scripts that run alone: simulator vs kernel", () => {
    for (const { file, text } of serial) it(file, () => checkLab(file, text));
  });
