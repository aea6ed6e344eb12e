// The walk's trace: what the scheduler delivered, what the XState machines did (their
// inspection events), and the decisions the kernel model took while it handled each
// delivery, in order, on virtual time.
//
// The decisions are tracepoints in the kernel's sense (nft_trace_packet, the
// fib_table_lookup, neigh_update, br_fdb_update and kfree_skb tracepoints): the code that
// decides records the very value it decided with (the route it returned, the rule whose
// verdict it applied), at the moment it applies it. They are not a narrative written
// beside the model; a walk (src/walk/) is built only from these entries.
import type { InspectionEvent } from "xstate";
import type { MachineId, TracePoint as PlainPoint } from "../../backend/trace-types.js";
import type { Rule } from "../kernel/netfilter/types.js";
import type { DeliveryInfo, Scheduler } from "./scheduler.js";

/**
 * A decision the kernel model took about one packet (or frame) while handling a delivery:
 * the plain tracepoint (backend/trace-types.ts), but a netfilter event holds the rule
 * itself; the trace's account (src/sim/trace/) prints it as `iptables -S` does.
 */
export type TracePoint =
  | Exclude<PlainPoint, { kind: "nf" }>
  | (Omit<Extract<PlainPoint, { kind: "nf" }>, "rule"> & { rule?: Rule });

export type TraceEntry =
  | {
      time: number;
      kind: "delivered";
      /** Scheduler label. */
      source: string;
      /** The delivery's sequence number. */
      detail: string;
      info?: DeliveryInfo;
      /** The packet the delivery carried, when it carried one. */
      packet?: number;
    }
  | {
      time: number;
      kind: "transition";
      machine: MachineId;
      /** The new state. */
      state: string;
      /** The packet whose delivery made the machine move (none for a timer). */
      packet?: number;
    }
  | {
      time: number;
      kind: "point";
      point: TracePoint;
      /** The packet decided about (its header values as they were then). */
      packet: number;
      pkt: object;
      /** The packet whose delivery was being handled when this one was first seen. */
      during?: number;
    };

export class Trace {
  entries: TraceEntry[] = [];
  enabled = false;
  private ids = new WeakMap<object, number>();
  private nextId = 1;
  /** Causes: the packet whose handling first produced each packet. */
  readonly causes = new Map<number, number>();
  /** The packet carried by the delivery now being handled. */
  private current: number | undefined;

  constructor(private scheduler: Scheduler) {
    // A delivery is recorded as it starts, so what it causes follows it in the trace.
    scheduler.onDeliverStart((e) => {
      if (!this.enabled) return;
      const packet = e.info ? this.idOf(e.info.payload) : undefined;
      this.entries.push({
        time: e.time,
        kind: "delivered",
        source: e.label,
        detail: String(e.seq),
        info: e.info,
        packet,
      });
      this.current = packet;
    });
    scheduler.onDeliver(() => {
      this.current = undefined;
    });
    // A packet first sent while another is in hand was made because of it (a reply).
    scheduler.onSchedule((info) => {
      if (this.enabled && this.current !== undefined) this.idOf(info.payload);
    });
  }

  /** A packet's identity for the walk: one number from creation to its last hop. */
  idOf(pkt: object): number {
    let id = this.ids.get(pkt);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(pkt, id);
      if (this.current !== undefined && this.current !== id) this.causes.set(id, this.current);
    }
    return id;
  }

  /** The same packet under new header values (TTL decrement, NAT): it keeps its identity. */
  carry(from: object, to: object): void {
    if (from !== to && !this.ids.has(to)) this.ids.set(to, this.idOf(from));
  }

  /** Records a decision about pkt (a tracepoint). */
  point(pkt: object, p: TracePoint): void {
    if (!this.enabled) return;
    const packet = this.idOf(pkt);
    this.entries.push({
      time: this.scheduler.now,
      kind: "point",
      point: p,
      packet,
      pkt,
      during: this.causes.get(packet),
    });
  }

  /** An XState inspect callback that records the machine's state changes. */
  inspector(machine: MachineId): (ev: InspectionEvent) => void {
    let last: string | undefined;
    return (ev) => {
      if (ev.type !== "@xstate.snapshot") return;
      const state = stateText((ev.snapshot as { value?: unknown }).value);
      // The state is followed while the trace is off too: a machine that stays where it
      // was is no transition, whether or not the trace saw it get there (and a world
      // rebuilt from a snapshot, traced at other times, records the same transitions).
      if (state === last) return;
      last = state;
      if (!this.enabled) return;
      this.entries.push({
        time: this.scheduler.now,
        kind: "transition",
        machine,
        state,
        packet: this.current,
      });
    };
  }

  take(): TraceEntry[] {
    const e = this.entries;
    this.entries = [];
    return e;
  }
}

/** A state value for people: a flat machine's state by name, a nested one as JSON. */
function stateText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
