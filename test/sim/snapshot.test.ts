// World snapshots (src/sim/snapshot.ts): going back to a snapshot and running the lines
// after it again gives byte for byte what a run that never went back gave, for every lab
// script (simulator only). Probe lines run traced with time passing around them, as in
// `run --compare`, so time that passes between commands is part of what is replayed.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { scriptFiles } from "../../src/cli/script-files.js";
import { loadLabScript } from "../../src/script/load.js";
import type { LabCommand } from "../../src/script/types.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { isProbe } from "../../src/walk/probe.js";

const DIRS = ["test/labs", "lessons"];
const files = DIRS.flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith(".lab"))
    .sort()
    .map((f) => join(d, f)),
);

/** One line's output, the walk of a probe included, as text to compare. */
async function step(sim: SimBackend, cmd: LabCommand): Promise<string> {
  if (!isProbe(cmd)) return JSON.stringify(await sim.run(cmd));
  // Kernel-like timings: tracing took 120 ms to start and 450 ms to stop.
  const p = await sim.trace(cmd, { padBeforeMs: 120, padAfterMs: 450 });
  return JSON.stringify(p);
}

async function steps(sim: SimBackend, cmds: LabCommand[]): Promise<string[]> {
  const out: string[] = [];
  for (const c of cmds) out.push(await step(sim, c));
  return out;
}

function load(file: string): LabCommand[] {
  const files = scriptFiles(dirname(file));
  const { script, errors } = loadLabScript(readFileSync(file, "utf8"), file, { files });
  expect(errors).toEqual([]);
  return script.commands;
}

describe("world snapshots: restore, then the same lines give the same output", () => {
  for (const file of files) {
    it(file, async () => {
      const cmds = load(file);
      const reference = await steps(new SimBackend(), cmds);

      const third = Math.floor(cmds.length / 3);
      const half = Math.floor(cmds.length / 2);
      const sim = new SimBackend();
      await steps(sim, cmds.slice(0, third));
      const early = sim.snapshot();
      await steps(sim, cmds.slice(third, half));
      const mid = sim.snapshot();
      expect(mid.commands).toBeGreaterThanOrEqual(half);
      await steps(sim, cmds.slice(half));

      // Back to the middle, forward to the end: as if it never went back.
      await sim.restore(mid);
      expect(sim.world.scheduler.now).toBe(mid.now);
      expect(await steps(sim, cmds.slice(half))).toEqual(reference.slice(half));
      // Further back, to a snapshot taken before the one just restored.
      await sim.restore(early);
      expect(await steps(sim, cmds.slice(third))).toEqual(reference.slice(third));
      // Into another backend.
      const other = new SimBackend();
      await other.restore(mid);
      expect(await steps(other, cmds.slice(half))).toEqual(reference.slice(half));
    });
  }

  it("a snapshot of a fresh world restores to a fresh world", async () => {
    const cmds = load("test/labs/04-bridge-two-netns.lab");
    const sim = new SimBackend();
    const empty = sim.snapshot();
    const reference = await steps(sim, cmds);
    await sim.restore(empty);
    expect(sim.world.named.size).toBe(0);
    expect(await steps(sim, cmds)).toEqual(reference);
  });
});
