// Benchmark of world snapshots (src/sim/snapshot.ts) on the N-container world: the time a
// snapshot takes and the heap it holds on to, the time a restore takes (a replay of the
// journal into a fresh world), and for scale the heap of the world itself.
//   tsx --expose-gc bench/snapshot.ts [N...]      (npm run bench prints the same columns)
// Memory figures need --expose-gc (a collection before each reading); without it they
// are left out.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseLine, parseScript } from "../src/script/parse.js";
import { SimBackend } from "../src/sim/sim-backend.js";
import type { WorldSnapshot } from "../src/sim/snapshot.js";
import { containersScript } from "./containers-script.js";

export interface SnapshotFigures {
  /** Building the world by running the script (ms). */
  build: number;
  /** Taking a snapshot (ms). */
  take: number;
  /** Heap a snapshot holds on its own (the world gone): its journal, commands included. */
  snapBytes: number;
  /** Restoring it into the same backend (ms): a replay. */
  restore: number;
  /** Heap of the world itself (bytes). */
  worldBytes: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function heap(): number {
  if (!gc) return NaN;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The N-container world, built synchronously (runSync, as runLab's run does) so that no
 * async frame keeps a reference to it; the parsed script is not kept either (only the
 * journal holds its commands).
 */
function build(n: number): { sim: SimBackend; ms: number } {
  const { script } = parseScript(containersScript(n), "bench");
  const sim = new SimBackend();
  const t0 = performance.now();
  for (const cmd of script.commands) sim.runSync(cmd);
  return { sim, ms: performance.now() - t0 };
}

export async function timeSnapshot(n: number): Promise<SnapshotFigures> {
  const { sim, ms } = build(n);
  const t1 = performance.now();
  const snap = sim.snapshot();
  const take = performance.now() - t1;

  // Forward a little, then back: the restore replays all 7N+3 lines.
  sim.runSync(parseLine("ip netns add extra", 1)!);
  const t2 = performance.now();
  await sim.restore(snap);
  const restore = performance.now() - t2;
  if (sim.world.named.has("extra") || sim.world.named.size !== n)
    throw new Error("restore did not give the snapshot's world back");
  return { build: ms, take, restore, ...memory(n) };
}

interface Held {
  sim?: SimBackend;
  snap?: WorldSnapshot;
}

/**
 * Builds into a holder; its own frame (which may keep dead temporaries alive until it
 * returns) is gone before anything is measured.
 */
function fill(held: Held, n: number): void {
  held.sim = build(n).sim;
  held.snap = held.sim.snapshot();
}

/** Heap figures, from objects only a holder refers to. */
function memory(n: number): Pick<SnapshotFigures, "snapBytes" | "worldBytes"> {
  const held: Held = {};
  fill(held, n);
  const both = heap();
  held.sim = undefined;
  // Only the snapshot is left: its journal, and the commands it holds.
  const snapOnly = heap();
  held.snap = undefined;
  const none = heap();
  return { snapBytes: snapOnly - none, worldBytes: both - snapOnly };
}

export const fmtMs = (ms: number): string =>
  ms >= 1000
    ? `${(ms / 1000).toFixed(2)} s`
    : ms >= 1
      ? `${ms.toFixed(1)} ms`
      : `${ms.toFixed(3)} ms`;

export const fmtBytes = (b: number): string =>
  Number.isNaN(b) ? "n/a" : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`;

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  console.log("N      sim build   snap take   snap heap   restore     world heap");
  for (const n of sizes.length ? sizes : [200]) {
    const f = await timeSnapshot(n);
    console.log(
      [
        String(n).padEnd(6),
        fmtMs(f.build).padEnd(11),
        fmtMs(f.take).padEnd(11),
        fmtBytes(f.snapBytes).padEnd(11),
        fmtMs(f.restore).padEnd(11),
        fmtBytes(f.worldBytes),
      ].join(" "),
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
