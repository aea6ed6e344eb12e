// One run of iputils ping (ping/ping.c main_loop): send a probe every interval until
// count are sent, then linger up to -W for answers; stop early once every probe has been
// answered by a reply or an error. Timers are on the scheduler's clock.
import { assign, emit, setup } from "xstate";

export interface PingRunContext {
  count: number;
  intervalMs: number;
  lingerMs: number;
  sent: number;
  answered: number;
}

export const pingRunMachine = setup({
  types: {
    context: {} as PingRunContext,
    input: {} as { count: number; intervalMs: number; lingerMs: number },
    events: {} as { type: "ANSWER" },
    emitted: {} as { type: "send"; seq: number } | { type: "done" },
  },
  delays: {
    interval: ({ context }) => context.intervalMs,
    linger: ({ context }) => context.lingerMs,
  },
  guards: {
    moreToSend: ({ context }) => context.sent < context.count,
    allAnswered: ({ context }) => context.answered >= context.count,
  },
}).createMachine({
  id: "ping",
  context: ({ input }) => ({ ...input, sent: 0, answered: 0 }),
  initial: "sending",
  states: {
    sending: {
      entry: [
        assign({ sent: ({ context }) => context.sent + 1 }),
        emit(({ context }) => ({ type: "send" as const, seq: context.sent })),
      ],
      always: { guard: ({ context }) => context.sent >= context.count, target: "lingering" },
      after: { interval: { target: "sending", reenter: true } },
      on: { ANSWER: { actions: assign({ answered: ({ context }) => context.answered + 1 }) } },
    },
    lingering: {
      always: { guard: "allAnswered", target: "done" },
      after: { linger: "done" },
      on: { ANSWER: { actions: assign({ answered: ({ context }) => context.answered + 1 }) } },
    },
    done: { type: "final", entry: emit({ type: "done" }) },
  },
});
