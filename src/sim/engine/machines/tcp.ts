// The state machine of one TCP socket (net/ipv4/tcp_input.c tcp_rcv_state_process,
// tcp_rcv_synsent_state_process, tcp_fin; tcp.c tcp_close; tcp_timer.c). Segments are
// checked (sequence numbers, flags) by the socket table, which sends this machine what
// they mean; what the socket must do (send a segment, report to its process, go away)
// is emitted back to the table. Timers run on the scheduler.
//
//                 CONNECT                          SYN (listener's child)
//   CLOSED ---------------> SYN_SENT      LISTEN ------------------------> SYN_RECV
//                              | SYN-ACK / ACK                              | ACK
//                              v                                            v
//   FIN_WAIT1 <----close---- ESTABLISHED -----FIN / ACK-----> CLOSE_WAIT --close--> LAST_ACK
//     | ACK      \ FIN / ACK                                                  | ACK
//     v           v                                                            v
//   FIN_WAIT2   CLOSING --ACK--> TIME_WAIT --60 s--> CLOSED <------------------+
//     | FIN / ACK                   ^
//     +-----------------------------+
//
// Checked on kernel 6.18 with a capture between two namespaces: an unanswered SYN is
// sent again after 1 s four more times (tcp_syn_linear_timeouts=4, the first five
// timeouts stay at the initial RTO), then after 2, 4, 8, 16, 32 s; connect() fails with
// ETIMEDOUT once ((2 << tcp_syn_retries) - 1) s have passed since the first SYN at a
// retransmission timeout (retransmits_timed_out, tcp_model_timeout): 3 s for
// tcp_syn_retries=1, 7 s for 2, and 131 s (plus timer slack) for the default 6.
import { assign, emit, setup } from "xstate";
import type { Errno } from "../../kernel/core/errors.js";

export type TcpState =
  | "CLOSED"
  | "LISTEN"
  | "SYN_SENT"
  | "SYN_RECV"
  | "ESTABLISHED"
  | "FIN_WAIT1"
  | "FIN_WAIT2"
  | "CLOSING"
  | "TIME_WAIT"
  | "CLOSE_WAIT"
  | "LAST_ACK";

/** TCP_TIMEOUT_INIT: the first retransmission timeout of a SYN or SYN-ACK. */
export const TCP_TIMEOUT_INIT_MS = 1000;
/** TCP_RTO_MAX. */
export const TCP_RTO_MAX_MS = 120_000;
/** TCP_RTO_MIN: the retransmission timeout of a FIN on a connection with a tiny RTT. */
export const TCP_RTO_MIN_MS = 200;
/** TCP_TIMEWAIT_LEN. */
export const TCP_TIMEWAIT_MS = 60_000;
/** tcp_orphan_retries=0 means 8 retransmissions of a closed socket's FIN. */
const ORPHAN_RETRIES = 8;

/**
 * How late a kernel timer of `ms` fires. The timer wheel (kernel/time/timer.c, HZ=250)
 * rounds an expiry up to its level's granularity: 4 ms below 256 ms, 32 ms below 2 s,
 * 256 ms below 16 s, 2 s below 131 s. Measured on 6.18: a 1 s SYN timer fires ~20 ms
 * late, 4 s ~250 ms, 32 s ~1.3 s; nc's own -w timeout (select) is exact, so it always
 * comes first when both are due at the same second.
 */
export function wheelDelay(ms: number): number {
  const jiffies = ms / 4;
  const gran =
    jiffies < 64 ? 1 : jiffies < 512 ? 8 : jiffies < 4096 ? 64 : jiffies < 32768 ? 512 : 4096;
  return ms + Math.round((gran * 4 * 5) / 8);
}

/**
 * tcp_model_timeout: how long after the first SYN connect() gives up, for
 * tcp_syn_retries = boundary (exponential backoff from 1 s up to TCP_RTO_MAX).
 */
export function synTimeoutMs(boundary: number): number {
  const thresh = Math.floor(Math.log2(TCP_RTO_MAX_MS / TCP_TIMEOUT_INIT_MS)); // 6
  if (boundary <= thresh) return ((2 << boundary) - 1) * TCP_TIMEOUT_INIT_MS;
  return ((2 << thresh) - 1) * TCP_TIMEOUT_INIT_MS + (boundary - thresh) * TCP_RTO_MAX_MS;
}

export interface TcpInput {
  initial: "SYN_SENT" | "LISTEN" | "SYN_RECV";
  /** net.ipv4.tcp_syn_retries (a connecting socket) or tcp_synack_retries (a child). */
  synRetries: number;
  /** net.ipv4.tcp_syn_linear_timeouts. */
  linearTimeouts: number;
  /** net.ipv4.tcp_fin_timeout, in ms: how long an orphan waits in FIN_WAIT2. */
  finTimeoutMs: number;
}

export interface TcpContext extends TcpInput {
  /**
   * A tail loss probe is armed for the FIN (tcp_schedule_loss_probe): its first timeout
   * resends the FIN without backing off; only later timeouts double the RTO.
   */
  lossProbe: boolean;
  /** icsk_retransmits of the SYN (or SYN-ACK, or FIN). */
  retransmits: number;
  /** The current retransmission timeout (icsk_rto), before timer slack. */
  rtoMs: number;
  /** Time since the first SYN left (tcp_time_stamp - retrans_stamp). */
  elapsedMs: number;
}

export type TcpEvent =
  /** A SYN-ACK acknowledging our SYN (SYN_SENT). */
  | { type: "SYNACK" }
  /** The peer's SYN again (SYN_RECV: its SYN-ACK was lost). */
  | { type: "SYN" }
  /** An ACK; `ofFin` when it acknowledges our FIN. */
  | { type: "ACK"; ofFin: boolean }
  /** The peer's FIN, in sequence; `acksFin` when the segment also acknowledges ours. */
  | { type: "FIN"; acksFin: boolean }
  /** The peer's FIN once more (our ACK was lost): acknowledge it again. */
  | { type: "DUP_FIN" }
  /** An acceptable RST. */
  | { type: "RST" }
  /** A hard ICMP error about the SYN (tcp_v4_err in SYN_SENT / SYN_RECV). */
  | { type: "ICMP_ERROR"; errno: Errno }
  /** The process closed the socket (tcp_close). */
  | { type: "CLOSE" };

export type TcpEmitted =
  | { type: "send"; what: "syn" | "synack" | "ack" | "fin" }
  /** connect() succeeded, or a listener's child is ready for accept(). */
  | { type: "established" }
  /** The peer closed its side: reads return end of file. */
  | { type: "eof" }
  /** The connection failed or was reset (sk_err). */
  | { type: "error"; errno: Errno }
  /** The socket is gone (CLOSED): the table forgets it. */
  | { type: "closed" };

const toClosed = { target: "CLOSED" as const };

export const tcpMachine = setup({
  types: {
    context: {} as TcpContext,
    input: {} as TcpInput,
    events: {} as TcpEvent,
    emitted: {} as TcpEmitted,
  },
  delays: {
    rto: ({ context }) => wheelDelay(context.rtoMs),
    timeWait: () => TCP_TIMEWAIT_MS,
    // TCP_DELACK_MIN (HZ/25): how long a delayed ACK waits for something to ride on.
    delayedAck: () => 40,
    finTimeout: ({ context }) => context.finTimeoutMs,
  },
  guards: {
    isConnecting: ({ context }) => context.initial === "SYN_SENT",
    isListener: ({ context }) => context.initial === "LISTEN",
    // tcp_write_timeout for SYN_SENT: time since the first SYN, checked when the timer fires.
    synTimedOut: ({ context }) =>
      context.elapsedMs + wheelDelay(context.rtoMs) >= synTimeoutMs(context.synRetries),
    // reqsk_timer_handler: a SYN-ACK is sent again tcp_synack_retries times.
    synackExhausted: ({ context }) => context.retransmits >= context.synRetries,
    finExhausted: ({ context }) => context.retransmits >= ORPHAN_RETRIES,
    lossProbe: ({ context }) => context.lossProbe,
    acksFin: ({ event }) => event.type === "FIN" && event.acksFin,
    ackOfFin: ({ event }) => event.type === "ACK" && event.ofFin,
  },
  actions: {
    // tcp_retransmit_timer: the first tcp_syn_linear_timeouts retransmissions of a SYN keep
    // the initial RTO; after that (and always for a FIN) it doubles up to TCP_RTO_MAX.
    synBackoff: assign(({ context }) => {
      const retransmits = context.retransmits + 1;
      const elapsedMs = context.elapsedMs + wheelDelay(context.rtoMs);
      const rtoMs =
        retransmits <= context.linearTimeouts
          ? TCP_TIMEOUT_INIT_MS
          : Math.min(context.rtoMs * 2, TCP_RTO_MAX_MS);
      return { retransmits, elapsedMs, rtoMs };
    }),
    backoff: assign(({ context }) => ({
      retransmits: context.retransmits + 1,
      rtoMs: Math.min(context.rtoMs * 2, TCP_RTO_MAX_MS),
    })),
    // A FIN is new data on a SACK connection: tcp_schedule_loss_probe arms a probe timeout
    // of 2*srtt + TCP_RTO_MIN (one packet out), capped by the RTO: ~200 ms here.
    finTimer: assign({ retransmits: 0, rtoMs: TCP_RTO_MIN_MS, lossProbe: true }),
    // tcp_send_loss_probe resends the last segment and rearms the RTO unchanged; measured
    // on 6.18 with the FIN's ACK lost: resends at ~200, ~400, ~850, ~1700 ms.
    probe: assign({ lossProbe: false }),
    sendAck: emit({ type: "send", what: "ack" } as const),
    eof: emit({ type: "eof" } as const),
  },
}).createMachine({
  id: "tcp",
  context: ({ input }) => ({
    ...input,
    retransmits: 0,
    lossProbe: false,
    rtoMs: TCP_TIMEOUT_INIT_MS,
    elapsedMs: 0,
  }),
  initial: "init",
  states: {
    init: {
      always: [
        { guard: "isConnecting", target: "SYN_SENT" },
        { guard: "isListener", target: "LISTEN" },
        { target: "SYN_RECV" },
      ],
    },
    LISTEN: {
      on: { CLOSE: toClosed },
    },
    SYN_SENT: {
      entry: emit({ type: "send", what: "syn" } as const),
      after: {
        rto: [
          {
            guard: "synTimedOut",
            target: "CLOSED",
            actions: emit({ type: "error", errno: "ETIMEDOUT" } as const),
          },
          { target: "SYN_SENT", reenter: true, actions: "synBackoff" },
        ],
      },
      on: {
        SYNACK: {
          target: "ESTABLISHED",
          actions: ["sendAck", emit({ type: "established" } as const)],
        },
        RST: { target: "CLOSED", actions: emit({ type: "error", errno: "ECONNREFUSED" } as const) },
        ICMP_ERROR: {
          target: "CLOSED",
          actions: emit(({ event }) => ({ type: "error" as const, errno: event.errno })),
        },
        // tcp_close in SYN_SENT: no reset (tcp_need_reset), the socket just goes.
        CLOSE: toClosed,
      },
    },
    SYN_RECV: {
      entry: emit({ type: "send", what: "synack" } as const),
      after: {
        rto: [
          { guard: "synackExhausted", target: "CLOSED" },
          { target: "SYN_RECV", reenter: true, actions: "backoff" },
        ],
      },
      on: {
        // tcp_check_req: a retransmitted SYN gets the SYN-ACK again (inet_rtx_syn_ack).
        SYN: { actions: emit({ type: "send", what: "synack" } as const) },
        ACK: { target: "ESTABLISHED", actions: emit({ type: "established" } as const) },
        RST: toClosed,
        ICMP_ERROR: toClosed,
        CLOSE: toClosed,
      },
    },
    ESTABLISHED: {
      on: {
        // tcp_fin: CLOSE_WAIT in pingpong mode, so the ACK of their FIN is delayed and
        // usually rides on our own FIN when the application closes at once.
        FIN: { target: "CLOSE_WAIT", actions: ["eof"] },
        RST: { target: "CLOSED", actions: emit({ type: "error", errno: "ECONNRESET" } as const) },
        CLOSE: { target: "FIN_WAIT1", actions: "finTimer" },
      },
    },
    CLOSE_WAIT: {
      after: { delayedAck: { actions: "sendAck" } },
      on: {
        DUP_FIN: { actions: "sendAck" },
        RST: { target: "CLOSED", actions: emit({ type: "error", errno: "ECONNRESET" } as const) },
        CLOSE: { target: "LAST_ACK", actions: "finTimer" },
      },
    },
    FIN_WAIT1: {
      entry: [emit({ type: "send", what: "fin" } as const)],
      after: {
        rto: [
          { guard: "finExhausted", target: "CLOSED" },
          { guard: "lossProbe", target: "FIN_WAIT1", reenter: true, actions: "probe" },
          { target: "FIN_WAIT1", reenter: true, actions: "backoff" },
        ],
      },
      on: {
        ACK: { guard: "ackOfFin", target: "FIN_WAIT2" },
        FIN: [
          { guard: "acksFin", target: "TIME_WAIT", actions: "sendAck" },
          { target: "CLOSING", actions: "sendAck" },
        ],
        RST: toClosed,
      },
    },
    FIN_WAIT2: {
      // tcp_close of an orphan in FIN_WAIT2: tcp_fin_timeout, then it is gone.
      after: { finTimeout: toClosed },
      on: {
        FIN: { target: "TIME_WAIT", actions: "sendAck" },
        RST: toClosed,
      },
    },
    CLOSING: {
      after: {
        rto: [
          { guard: "finExhausted", target: "CLOSED" },
          {
            target: "CLOSING",
            reenter: true,
            actions: ["backoff", emit({ type: "send", what: "fin" } as const)],
          },
        ],
      },
      on: {
        ACK: { guard: "ackOfFin", target: "TIME_WAIT" },
        RST: toClosed,
      },
    },
    TIME_WAIT: {
      after: { timeWait: toClosed },
      on: {
        // tcp_timewait_state_process: a retransmitted FIN is acknowledged again.
        DUP_FIN: { actions: "sendAck" },
        FIN: { actions: "sendAck" },
        RST: toClosed,
      },
    },
    LAST_ACK: {
      entry: emit({ type: "send", what: "fin" } as const),
      after: {
        rto: [
          { guard: "finExhausted", target: "CLOSED" },
          { guard: "lossProbe", target: "LAST_ACK", reenter: true, actions: "probe" },
          { target: "LAST_ACK", reenter: true, actions: "backoff" },
        ],
      },
      on: {
        ACK: { guard: "ackOfFin", target: "CLOSED" },
        DUP_FIN: { actions: "sendAck" },
        RST: toClosed,
      },
    },
    CLOSED: {
      type: "final",
      entry: emit({ type: "closed" } as const),
    },
  },
});
