// Letting the host's event loop in while the simulator works: the simulator is synchronous,
// so without a pause now and then a long run would hold off signals (Ctrl-C) and output
// until it ended; a cancelled run stops at its next pause. Browser-safe: setTimeout,
// performance.now and AbortSignal only.
import type { Scheduler } from "./scheduler.js";

/** Wall time the simulator may run before it pauses for the event loop. */
export const SLICE_MS = 50;
/** Events run between two looks at the wall clock. */
const EVENTS_PER_LOOK = 16;

/** Thrown from a pause once the run was cancelled (Ctrl-C in the CLI): the line is abandoned. */
export class Interrupted extends Error {
  constructor() {
    super("the simulation was interrupted");
  }
}

export class Pacer {
  private last = performance.now();

  constructor(
    private readonly sliceMs = SLICE_MS,
    /** Set by whoever may cancel the run; looked at in every pause. */
    private readonly cancel?: AbortSignal,
  ) {}

  /** Throws Interrupted if the run was cancelled. */
  check(): void {
    if (this.cancel?.aborted) throw new Interrupted();
  }

  /** Has the current slice used up its wall time? */
  due(): boolean {
    return performance.now() - this.last >= this.sliceMs;
  }

  /** Lets the event loop run (timers, signals, I/O), then starts a new slice. */
  async pause(): Promise<void> {
    await new Promise<void>((r) => setTimeout(r, 0));
    this.check();
    this.last = performance.now();
  }

  /** Pauses only if the slice is used up. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }

  /**
   * Scheduler.runWhile(until, done), in slices with pauses between them: the same events
   * run in the same order, and the clock ends where runWhile would leave it.
   */
  async runWhile(sched: Scheduler, until: number, done: () => boolean): Promise<void> {
    for (;;) {
      let n = 0;
      // Latched: the scheduler asks again on its way out, and must get the same answer.
      let over = false;
      const sliceOver = (): boolean => over || (over = ++n % EVENTS_PER_LOOK === 0 && this.due());
      sched.runWhile(until, () => done() || sliceOver());
      if (done()) return;
      const next = sched.nextTime();
      if (next === undefined || next > until) {
        sched.now = Math.max(sched.now, until);
        return;
      }
      await this.pause();
    }
  }
}
