// A bridge port's STP state with STP off (net/bridge/br_stp.c, br_stp_if.c): a port
// forwards while its device is up with carrier, and is disabled otherwise.
import { emit, setup } from "xstate";

export const bridgePortMachine = setup({
  types: {
    events: {} as { type: "ENABLE" } | { type: "DISABLE" },
    emitted: {} as { type: "state"; state: "forwarding" | "disabled" },
  },
}).createMachine({
  id: "bridgePort",
  initial: "disabled",
  states: {
    disabled: {
      entry: emit({ type: "state", state: "disabled" }),
      on: { ENABLE: "forwarding" },
    },
    forwarding: {
      entry: emit({ type: "state", state: "forwarding" }),
      on: { DISABLE: "disabled" },
    },
  },
});
