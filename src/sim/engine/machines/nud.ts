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
// Every timer and probe count reads the device's parms when it is armed or counted
// (NEIGH_VAR(neigh->parms, ...)), so a sysctl written later applies from the next timer.
import { assign, emit, setup } from "xstate";

/** The device's neighbour parameters as the state machine reads them (ipv4/neigh-parms.ts). */
export interface NudParms {
  readonly retransMs: number;
  readonly reachableMs: number;
  readonly delayMs: number;
  readonly mcastProbes: number;
  readonly ucastProbes: number;
  readonly appProbes: number;
  readonly mcastReprobes: number;
}

export interface NudContext {
  initial: "incomplete" | "stale";
  /** Probes sent in this INCOMPLETE or PROBE period (neigh->probes, counted from 0). */
  probes: number;
  parms: NudParms;
}

export type NudEvent =
  /** A packet needs this neighbour's address (neigh_event_send). */
  | { type: "USE" }
  /** An ARP reply to us confirmed the address (neigh_update NUD_REACHABLE). */
  | { type: "CONFIRM" }
  /** An ARP packet proposed NUD_STALE (neigh_update); `changed`: a new address (or none yet). */
  | { type: "HEARD"; changed: boolean };

/**
 * arp_solicit's three kinds of probe: unicast to the known address, a request to the
 * user-space daemon (neigh_app_ns: a netlink message, no frame), broadcast.
 */
export type SolicitHow = "unicast" | "app" | "broadcast";

export type NudEmitted =
  | { type: "solicit"; how: SolicitHow }
  | { type: "resolved" }
  | { type: "failed" }
  /** No probe allowed (mcast_solicit + app_solicit = 0): queued packets dropped without a word. */
  | { type: "dropped" };

/** How late a second-long kernel timer typically fires. */
export const TIMER_SLACK_MS = 10;

/**
 * Which probe the n-th one of a period is (arp_solicit): while resolving, app_solicit
 * user-space requests and then mcast_solicit broadcasts; while probing a known address,
 * ucast_solicit unicasts, app_solicit, then mcast_resolicit broadcasts.
 */
function probeKind(ctx: NudContext, probing: boolean): SolicitHow {
  const p = ctx.parms;
  const n = ctx.probes;
  if (probing && n < p.ucastProbes) return "unicast";
  if (n < (probing ? p.ucastProbes : 0) + p.appProbes) return "app";
  return "broadcast";
}

/** neigh_max_probes for the state. */
function maxProbes(ctx: NudContext, probing: boolean): number {
  const p = ctx.parms;
  return probing ? p.ucastProbes + p.appProbes + p.mcastReprobes : p.appProbes + p.mcastProbes;
}

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
    retrans: ({ context }) => context.parms.retransMs + TIMER_SLACK_MS,
    reachable: ({ context }) => context.parms.reachableMs,
    delayFirstProbe: ({ context }) => context.parms.delayMs,
  },
  guards: {
    moreResolveProbes: ({ context }) => context.probes < maxProbes(context, false),
    moreProbes: ({ context }) => context.probes < maxProbes(context, true),
    noResolveProbes: ({ context }) => maxProbes(context, false) === 0,
    noProbes: ({ context }) => maxProbes(context, true) === 0,
    startsStale: ({ context }) => context.initial === "stale",
    changed: ({ event }) => event.type === "HEARD" && event.changed,
  },
}).createMachine({
  id: "nud",
  context: ({ input }) => ({ ...input, probes: 0 }),
  initial: "init",
  states: {
    init: {
      always: [
        { guard: "startsStale", target: "STALE" },
        // __neigh_event_send: nothing may probe, so the entry fails at once.
        { guard: "noResolveProbes", target: "FAILED", actions: emit({ type: "dropped" }) },
        { target: "INCOMPLETE" },
      ],
    },
    INCOMPLETE: {
      entry: [
        emit(({ context }) => ({ type: "solicit", how: probeKind(context, false) })),
        assign({ probes: ({ context }) => context.probes + 1 }),
      ],
      after: {
        retrans: [
          { guard: "moreResolveProbes", target: "INCOMPLETE", reenter: true },
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
      after: {
        delayFirstProbe: [
          { guard: "noProbes", target: "FAILED", actions: emit({ type: "failed" }) },
          { target: "PROBE", actions: assign({ probes: 0 }) },
        ],
      },
      on: { CONFIRM: "REACHABLE", HEARD: { guard: "changed", target: "STALE" } },
    },
    PROBE: {
      entry: [
        emit(({ context }) => ({ type: "solicit", how: probeKind(context, true) })),
        assign({ probes: ({ context }) => context.probes + 1 }),
      ],
      after: {
        retrans: [
          { guard: "moreProbes", target: "PROBE", reenter: true },
          { target: "FAILED", actions: emit({ type: "failed" }) },
        ],
      },
      on: { CONFIRM: "REACHABLE", HEARD: { guard: "changed", target: "STALE" } },
    },
    FAILED: {
      on: {
        USE: [
          { guard: "noResolveProbes", actions: emit({ type: "dropped" }) },
          { target: "INCOMPLETE", actions: assign({ probes: 0 }) },
        ],
        HEARD: { target: "STALE" },
        CONFIRM: "REACHABLE",
      },
    },
  },
});
