// A bridge port's STP state with STP off (net/bridge/br_stp.c, br_stp_if.c). The kernel's
// port state machine (br_set_state) has five states; with STP off only two are ever seen:
// br_stp_enable_port takes a port through blocking straight to forwarding in one call
// (br_port_state_selection -> br_make_forwarding) and arms forward_delay_timer, and
// br_stp_disable_port makes it disabled. Checked on kernel 6.18 with `bridge -j link`: a
// port is disabled while the bridge is down, the port is down or has no carrier, and
// forwarding otherwise; `ip -d link` shows forward_delay_timer counting from the moment it
// started forwarding. The machine owns both: the state, and in `since` when it forwards from.
import { assign, setup } from "xstate";

export type BridgePortState = "forwarding" | "disabled";

export type BridgePortEvent =
  /** br_stp_enable_port, at virtual time `at` (ms): ignored by a forwarding port. */
  | { type: "ENABLE"; at: number }
  /** br_stp_disable_port. */
  | { type: "DISABLE" };

export const bridgePortMachine = setup({
  types: {
    context: {} as { since: number },
    events: {} as BridgePortEvent,
  },
}).createMachine({
  id: "bridgePort",
  context: { since: 0 },
  initial: "disabled",
  states: {
    disabled: {
      on: {
        ENABLE: {
          target: "forwarding",
          actions: assign({ since: ({ event }) => event.at }),
        },
      },
    },
    forwarding: {
      on: { DISABLE: "disabled" },
    },
  },
});
