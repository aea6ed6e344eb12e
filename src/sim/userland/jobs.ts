// The script's shell's job table in the simulator: background lines numbered from 1 in
// the order they started, and the captures among them, which `kill %N` ends.
import type { CommandResult } from "../../backend.js";
import { type World } from "../kernel/netlink/index.js";
import { worldSlot } from "./world-slot.js";

/** A running (or ended) background capture: `end()` stops it and gives what it printed. */
export interface CaptureJob {
  end(): CommandResult;
}

interface Table {
  count: number;
  captures: Map<number, CaptureJob>;
  /** Jobs that were killed: gone from the table. */
  gone: Set<number>;
}

function table(world: World): Table {
  return worldSlot<Table>(world, "jobs", () => ({
    count: 0,
    captures: new Map(),
    gone: new Set(),
  }));
}

/** A background line starts: its job number. */
export function startJob(world: World): number {
  return ++table(world).count;
}

/** The number of the job started last (the line now running, when it is a background one). */
export function currentJob(world: World): number {
  return table(world).count;
}

export function addCapture(world: World, job: number, capture: CaptureJob): void {
  table(world).captures.set(job, capture);
}

/** Job N, taken out of the table: undefined when there is none, "other" when it is not a capture. */
export function takeJob(world: World, job: number): CaptureJob | "other" | undefined {
  const t = table(world);
  if (job < 1 || job > t.count || t.gone.has(job)) return undefined;
  const c = t.captures.get(job);
  if (c === undefined) return "other";
  t.captures.delete(job);
  t.gone.add(job);
  return c;
}
