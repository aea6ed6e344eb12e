// One run of `nc -l` (netcat.c main's listen loop and readwrite()): wait for a caller,
// serve it until it closes (its FIN: read() returns 0) or, with -w, until the line has
// been idle that long, then close; with -k wait for the next caller, else exit. For UDP
// the first datagram makes the caller (nc -lu connects the socket to its sender unless
// -k), and there is no end but -w. Timers run on the scheduler; what the run must do
// (accept, close, exit) is emitted back to the program.
import { emit, setup } from "xstate";

export interface NcListenInput {
  udp: boolean;
  keep: boolean;
  /** -w in ms: readwrite's poll timeout; undefined waits for ever. */
  idleMs: number | undefined;
}

export type NcListenEvent =
  /** A connection waits in the accept queue (TCP) or a datagram arrived (UDP). */
  | { type: "CALLER" }
  /** The caller closed (EOF or a read error). */
  | { type: "PEER_CLOSED" }
  /** Something arrived on the connection: poll() returns, the idle timer starts over. */
  | { type: "ACTIVITY" };

export type NcListenEmitted =
  { type: "accept" } | { type: "closeConnection" } | { type: "ready" } | { type: "exit" };

export const ncListenMachine = setup({
  types: {
    context: {} as NcListenInput,
    input: {} as NcListenInput,
    events: {} as NcListenEvent,
    emitted: {} as NcListenEmitted,
  },
  delays: {
    idle: ({ context }) => context.idleMs ?? 0,
  },
  guards: {
    hasIdleTimeout: ({ context }) => context.idleMs !== undefined,
    keep: ({ context }) => context.keep,
  },
}).createMachine({
  id: "nc-listen",
  context: ({ input }) => input,
  initial: "waiting",
  states: {
    waiting: {
      // The program checks for callers that arrived while the last one was served.
      entry: emit({ type: "ready" } as const),
      on: { CALLER: "serving" },
    },
    serving: {
      entry: emit({ type: "accept" } as const),
      initial: "polling",
      states: {
        polling: {
          after: { idle: { guard: "hasIdleTimeout", target: "#nc-listen.closing" } },
          on: { ACTIVITY: { target: "polling", reenter: true } },
        },
      },
      on: { PEER_CLOSED: "closing" },
    },
    closing: {
      entry: emit({ type: "closeConnection" } as const),
      always: [{ guard: "keep", target: "waiting" }, { target: "exited" }],
    },
    exited: {
      type: "final",
      entry: emit({ type: "exit" } as const),
    },
  },
});
