// The NUD state machine of one neighbour entry (net/core/neighbour.c: neigh_timer_handler,
// neigh_update, __neigh_event_send). Timers run on the scheduler; what the entry must do
// (send an ARP request, fail its queue) is emitted back to the neighbour table.
//
// Checked on kernel 6.18 with `ip -ts monitor neigh`: INCOMPLETE sends a broadcast request
// at once and one per retrans_time (1 s), FAILED at 3 s; the receiver of a request holds a
// STALE entry, its first packet out makes it DELAY, and delay_first_probe_time (5 s) later
// it is PROBE with one unicast request, REACHABLE when answered. REACHABLE lasts the
// device's reachable_time (random in [15, 45) s) even under steady traffic: output through
// a connected entry does not refresh it (neigh->used is only set on the resolve path).
import { assign, emit, setup } from "xstate";

export interface NudContext {
  initial: "incomplete" | "stale";
  probes: number;
  retransMs: number;
  reachableMs: number;
  delayMs: number;
  mcastSolicit: number;
  ucastSolicit: number;
}

export type NudEvent =
  /** A packet needs this neighbour's address (neigh_event_send). */
  | { type: "USE" }
  /** An ARP reply to us confirmed the address (neigh_update NUD_REACHABLE). */
  | { type: "CONFIRM" }
  /** An ARP packet proposed NUD_STALE (neigh_update); `changed`: a new address (or none yet). */
  | { type: "HEARD"; changed: boolean };

export type NudEmitted =
  { type: "solicit"; unicast: boolean } | { type: "resolved" } | { type: "failed" };

/** How late a second-long kernel timer typically fires. */
export const TIMER_SLACK_MS = 10;

export const nudMachine = setup({
  types: {
    context: {} as NudContext,
    input: {} as Omit<NudContext, "probes">,
    events: {} as NudEvent,
    emitted: {} as NudEmitted,
  },
  delays: {
    // A 1 s kernel timer lands in the timer wheel's second level and fires a few jiffies
    // late (kernel/time/timer.c, granularity 8 jiffies at HZ=250): ping's own 1 s probe
    // goes out before the third retransmission gives up.
    retrans: ({ context }) => context.retransMs + TIMER_SLACK_MS,
    reachable: ({ context }) => context.reachableMs,
    delayFirstProbe: ({ context }) => context.delayMs,
  },
  guards: {
    moreMcastProbes: ({ context }) => context.probes < context.mcastSolicit,
    moreUcastProbes: ({ context }) => context.probes < context.ucastSolicit,
    startsStale: ({ context }) => context.initial === "stale",
    changed: ({ event }) => event.type === "HEARD" && event.changed,
  },
}).createMachine({
  id: "nud",
  context: ({ input }) => ({ ...input, probes: 0 }),
  initial: "init",
  states: {
    init: {
      always: [{ guard: "startsStale", target: "STALE" }, { target: "INCOMPLETE" }],
    },
    INCOMPLETE: {
      entry: [
        assign({ probes: ({ context }) => context.probes + 1 }),
        emit({ type: "solicit", unicast: false }),
      ],
      after: {
        retrans: [
          { guard: "moreMcastProbes", target: "INCOMPLETE", reenter: true },
          { target: "FAILED", actions: emit({ type: "failed" }) },
        ],
      },
      on: {
        CONFIRM: { target: "REACHABLE", actions: emit({ type: "resolved" }) },
        HEARD: { target: "STALE", actions: emit({ type: "resolved" }) },
      },
    },
    REACHABLE: {
      after: { reachable: "STALE" },
      on: {
        CONFIRM: { target: "REACHABLE", reenter: true },
        HEARD: { guard: "changed", target: "STALE" },
      },
    },
    STALE: {
      on: {
        USE: "DELAY",
        CONFIRM: "REACHABLE",
      },
    },
    DELAY: {
      after: { delayFirstProbe: { target: "PROBE", actions: assign({ probes: 0 }) } },
      on: { CONFIRM: "REACHABLE", HEARD: { guard: "changed", target: "STALE" } },
    },
    PROBE: {
      entry: [
        assign({ probes: ({ context }) => context.probes + 1 }),
        emit({ type: "solicit", unicast: true }),
      ],
      after: {
        retrans: [
          { guard: "moreUcastProbes", target: "PROBE", reenter: true },
          { target: "FAILED", actions: emit({ type: "failed" }) },
        ],
      },
      on: { CONFIRM: "REACHABLE", HEARD: { guard: "changed", target: "STALE" } },
    },
    FAILED: {
      on: {
        USE: { target: "INCOMPLETE", actions: assign({ probes: 0 }) },
        HEARD: { target: "STALE" },
        CONFIRM: "REACHABLE",
      },
    },
  },
});
