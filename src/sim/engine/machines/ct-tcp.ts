// The TCP state of one conntrack entry (net/netfilter/nf_conntrack_proto_tcp.c:
// tcp_conntracks, nf_conntrack_tcp_packet). Each packet of the connection is an event
// carrying its direction, flag class and virtual time; the kernel's transition table decides
// the next state, and every accepted packet re-arms the state's timeout (nf_ct_refresh_acct).
// The machine is the entry's one record of both: its state value is the TCP state, and
// `since` in its context dates the running timeout, so `conntrack -L` reads the remaining
// time from the snapshot (ctTcpExpires). When the timeout fires the entry dies (gc_worker):
// the machine emits `expired` back to the conntrack table, which removes it.
//
//   orig SYN        reply SYN/ACK      orig ACK
//   -> SYN_SENT     -> SYN_RECV        -> ESTABLISHED -(FIN)-> FIN_WAIT -(ACK)-> CLOSE_WAIT
//                                                     -(FIN)-> LAST_ACK -(ACK)-> TIME_WAIT
//   RST in any state -> CLOSE (10 s)
import { assign, emit, setup, type SnapshotFrom } from "xstate";

export type TcpCtState =
  | "SYN_SENT"
  | "SYN_RECV"
  | "ESTABLISHED"
  | "FIN_WAIT"
  | "CLOSE_WAIT"
  | "LAST_ACK"
  | "TIME_WAIT"
  | "CLOSE"
  | "SYN_SENT2";

/** get_conntrack_index: which row of the table a segment's flags select. */
export type TcpFlagClass = "syn" | "synack" | "fin" | "ack" | "rst" | "none";

/** A table cell: a state, sIV (invalid packet) or sIG (ignored, no state change). */
export type TcpCtNext = TcpCtState | "INVALID" | "IGNORE";

type From = "NONE" | TcpCtState;
const COLUMNS: From[] = [
  "NONE",
  "SYN_SENT",
  "SYN_RECV",
  "ESTABLISHED",
  "FIN_WAIT",
  "CLOSE_WAIT",
  "LAST_ACK",
  "TIME_WAIT",
  "CLOSE",
  "SYN_SENT2",
];

const sSS = "SYN_SENT";
const sSR = "SYN_RECV";
const sES = "ESTABLISHED";
const sFW = "FIN_WAIT";
const sCW = "CLOSE_WAIT";
const sLA = "LAST_ACK";
const sTW = "TIME_WAIT";
const sCL = "CLOSE";
const sS2 = "SYN_SENT2";
const sIV = "INVALID";
const sIG = "IGNORE";

/** tcp_conntracks[dir][index][state], columns sNO sSS sSR sES sFW sCW sLA sTW sCL sS2. */
const TABLE: Record<0 | 1, Record<TcpFlagClass, TcpCtNext[]>> = {
  0: {
    syn: [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
    synack: [sIV, sIV, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    fin: [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    ack: [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
    rst: [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    none: [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  },
  1: {
    syn: [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sS2],
    synack: [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    fin: [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    ack: [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
    rst: [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    none: [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  },
};

/** The transition table: what a segment does to a connection in state `from`. */
export function tcpCtNext(from: From, dir: 0 | 1, flag: TcpFlagClass): TcpCtNext {
  return TABLE[dir][flag][COLUMNS.indexOf(from)]!;
}

/** nf_conntrack_tcp_timeout_* defaults, in ms. */
export const TCP_CT_TIMEOUTS_MS: Record<TcpCtState, number> = {
  SYN_SENT: 120_000,
  SYN_RECV: 60_000,
  ESTABLISHED: 432_000_000,
  FIN_WAIT: 120_000,
  CLOSE_WAIT: 60_000,
  LAST_ACK: 30_000,
  TIME_WAIT: 120_000,
  CLOSE: 10_000,
  SYN_SENT2: 120_000,
};

const STATES = COLUMNS.filter((s): s is TcpCtState => s !== "NONE");

export interface CtTcpContext {
  initial: TcpCtState;
  /** Virtual time (ms) the current state's timeout started: confirmation or the last valid packet. */
  since: number;
}

/** A segment of the connection, at virtual time `at` (ms). */
export type TcpCtEvent = { type: "PKT"; dir: 0 | 1; flag: TcpFlagClass; at: number };

export const ctTcpMachine = setup({
  types: {
    context: {} as CtTcpContext,
    /** The state tcp_new chose, and the time of confirmation (the first timeout runs from there). */
    input: {} as { initial: TcpCtState; at: number },
    events: {} as TcpCtEvent,
    emitted: {} as { type: "expired" },
  },
  delays: Object.fromEntries(STATES.map((s) => [s, TCP_CT_TIMEOUTS_MS[s]])),
  guards: {
    startsIn: ({ context }, params: { state: TcpCtState }) => context.initial === params.state,
    leadsTo: ({ event }, params: { from: TcpCtState; to: TcpCtState }) =>
      tcpCtNext(params.from, event.dir, event.flag) === params.to,
  },
}).createMachine({
  id: "ct-tcp",
  context: ({ input }) => ({ initial: input.initial, since: input.at }),
  initial: "init",
  states: {
    init: {
      always: STATES.map((s) => ({
        guard: { type: "startsIn" as const, params: { state: s } },
        target: s,
      })),
    },
    ...Object.fromEntries(
      STATES.map((from) => [
        from,
        {
          after: { [from]: { target: "expired" } },
          on: {
            // Every valid segment re-enters its state: the timeout starts again.
            PKT: STATES.map((to) => ({
              guard: { type: "leadsTo" as const, params: { from, to } },
              target: to,
              reenter: true,
              actions: assign({ since: ({ event }) => event.at }),
            })),
          },
        },
      ]),
    ),
    expired: { type: "final", entry: emit({ type: "expired" as const }) },
  },
});

const IS_STATE = new Set<string>(STATES);

/** The entry's TCP state (undefined once expired). */
export function ctTcpState(snap: SnapshotFrom<typeof ctTcpMachine>): TcpCtState | undefined {
  const v = snap.value as string;
  return IS_STATE.has(v) ? (v as TcpCtState) : undefined;
}

/** When the running timeout fires, on the scheduler's clock (ms); the time `since` once expired. */
export function ctTcpExpires(snap: SnapshotFrom<typeof ctTcpMachine>): number {
  const st = ctTcpState(snap);
  return snap.context.since + (st ? TCP_CT_TIMEOUTS_MS[st] : 0);
}
