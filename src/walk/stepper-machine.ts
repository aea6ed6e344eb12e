// Stepping through a walk, as a pure machine: where the learner is (which packet, which of
// its hops) and what the last key did. No I/O: the terminal adapter (src/cli/stepper.ts)
// turns keys into events and renders the snapshot, and a lesson can drive the same machine.
//
//   showing --NEXT_HOP past the last hop / NEXT_PACKET from the last packet--> done
//   showing --QUIT--> quit
//   showing --PREV (one hop back) / PREV_PACKET (the previous packet's first hop)--> showing
import { assign, setup } from "xstate";

export interface StepperContext {
  /** How many hops each packet of the walk has (each at least one: its fate line). */
  readonly hopsPerPacket: readonly number[];
  /** The position shown: packet index into the walk, hop index into that packet. */
  packet: number;
  hop: number;
  /**
   * What the last event did: start (first hop shown), forward (next hop), packet (first
   * hop of the next packet), back (previous hop), first (back from the first hop: no move).
   */
  moved: "start" | "forward" | "packet" | "back" | "first";
}

export type StepperEvent =
  | { type: "NEXT_HOP" }
  | { type: "PREV" }
  | { type: "NEXT_PACKET" }
  | { type: "PREV_PACKET" }
  | { type: "QUIT" };

export type StepperOutcome = "done" | "quit";

/** The walk's shape from its hops in order: consecutive hops of one packet make a group. */
export function hopsPerPacket<T>(hops: readonly T[], packetOf: (hop: T) => unknown): number[] {
  const counts: number[] = [];
  let last: unknown;
  hops.forEach((h, i) => {
    const p = packetOf(h);
    if (i === 0 || p !== last) counts.push(1);
    else counts[counts.length - 1]! += 1;
    last = p;
  });
  return counts;
}

/** The position as one index into the walk's hops in order, and their total. */
export function flatPosition(ctx: StepperContext): { index: number; total: number } {
  const before = ctx.hopsPerPacket.slice(0, ctx.packet).reduce((a, b) => a + b, 0);
  const total = ctx.hopsPerPacket.reduce((a, b) => a + b, 0);
  return { index: before + ctx.hop, total };
}

/** Where the learner is, as people count: "packet 3 of 10, hop 4 of 9". */
export interface Position {
  packet: number;
  packets: number;
  hop: number;
  hops: number;
}

export function positionOf(ctx: StepperContext): Position {
  return {
    packet: ctx.packet + 1,
    packets: ctx.hopsPerPacket.length,
    hop: ctx.hop + 1,
    hops: ctx.hopsPerPacket[ctx.packet] ?? 0,
  };
}

export function positionText(p: Position): string {
  return `packet ${p.packet} of ${p.packets}, hop ${p.hop} of ${p.hops}`;
}

const isLastPacket = (c: StepperContext): boolean => c.packet >= c.hopsPerPacket.length - 1;
const isLastHop = (c: StepperContext): boolean => c.hop >= c.hopsPerPacket[c.packet]! - 1;

export const stepperMachine = setup({
  types: {
    context: {} as StepperContext,
    input: {} as { hopsPerPacket: readonly number[] },
    events: {} as StepperEvent,
  },
  guards: {
    empty: ({ context }) => context.hopsPerPacket.length === 0,
    atEnd: ({ context }) => isLastPacket(context) && isLastHop(context),
    atLastPacket: ({ context }) => isLastPacket(context),
    atStart: ({ context }) => context.packet === 0 && context.hop === 0,
  },
  actions: {
    forward: assign(({ context: c }) =>
      isLastHop(c)
        ? { packet: c.packet + 1, hop: 0, moved: "forward" as const }
        : { hop: c.hop + 1, moved: "forward" as const },
    ),
    nextPacket: assign(({ context: c }) => ({
      packet: c.packet + 1,
      hop: 0,
      moved: "packet" as const,
    })),
    back: assign(({ context: c }) =>
      c.hop > 0
        ? { hop: c.hop - 1, moved: "back" as const }
        : { packet: c.packet - 1, hop: c.hopsPerPacket[c.packet - 1]! - 1, moved: "back" as const },
    ),
    prevPacket: assign(({ context: c }) =>
      c.packet > 0
        ? { packet: c.packet - 1, hop: 0, moved: "back" as const }
        : { hop: 0, moved: "back" as const },
    ),
    stayFirst: assign({ moved: "first" as const }),
  },
}).createMachine({
  id: "stepper",
  context: ({ input }) => ({
    hopsPerPacket: input.hopsPerPacket.filter((n) => n > 0),
    packet: 0,
    hop: 0,
    moved: "start",
  }),
  initial: "init",
  states: {
    init: { always: [{ guard: "empty", target: "done" }, { target: "showing" }] },
    showing: {
      on: {
        NEXT_HOP: [{ guard: "atEnd", target: "done" }, { actions: "forward" }],
        NEXT_PACKET: [{ guard: "atLastPacket", target: "done" }, { actions: "nextPacket" }],
        PREV: [{ guard: "atStart", actions: "stayFirst" }, { actions: "back" }],
        PREV_PACKET: [{ guard: "atStart", actions: "stayFirst" }, { actions: "prevPacket" }],
        QUIT: "quit",
      },
    },
    done: { type: "final" },
    quit: { type: "final" },
  },
});
