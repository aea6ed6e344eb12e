// The walk's trace: what the scheduler delivered and what the XState machines did
// (their inspection events), in order, on virtual time. Nothing here is written by hand
// in the packet path: the scheduler labels its deliveries and XState reports transitions.
import type { InspectionEvent } from "xstate";
import type { Scheduler } from "./scheduler.js";

export interface TraceEntry {
  time: number;
  kind: "delivered" | "transition";
  /** Scheduler label or machine name. */
  source: string;
  /** For a transition: the new state; for a delivery: its sequence number. */
  detail: string;
}

export class Trace {
  entries: TraceEntry[] = [];
  enabled = false;

  constructor(private scheduler: Scheduler) {
    scheduler.onDeliver((e) => {
      if (this.enabled)
        this.entries.push({
          time: e.time,
          kind: "delivered",
          source: e.label,
          detail: String(e.seq),
        });
    });
  }

  /** An XState inspect callback that records the machine's state changes under a name. */
  inspector(name: string): (ev: InspectionEvent) => void {
    let last: string | undefined;
    return (ev) => {
      if (!this.enabled || ev.type !== "@xstate.snapshot") return;
      const snap = ev.snapshot as { value?: unknown };
      const value = JSON.stringify(snap.value);
      if (value === last) return;
      last = value;
      this.entries.push({
        time: this.scheduler.now,
        kind: "transition",
        source: name,
        detail: value,
      });
    };
  }

  take(): TraceEntry[] {
    const e = this.entries;
    this.entries = [];
    return e;
  }
}
