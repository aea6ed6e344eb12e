// The bridge port machine with STP off: disabled or forwarding, and since when it forwards
// (forward_delay_timer counts from there).
import { createActor } from "xstate";
import { describe, expect, it } from "vitest";
import { bridgePortMachine } from "../../../src/sim/engine/machines/bridge-port.js";

describe("bridge port machine", () => {
  it("starts disabled; forwards from its first ENABLE until DISABLE", () => {
    const a = createActor(bridgePortMachine).start();
    const view = () => [a.getSnapshot().value, a.getSnapshot().context.since];
    expect(view()).toEqual(["disabled", 0]);
    a.send({ type: "ENABLE", at: 100 });
    a.send({ type: "ENABLE", at: 200 }); // already forwarding: the timer keeps running
    expect(view()).toEqual(["forwarding", 100]);
    a.send({ type: "DISABLE" });
    expect(view()[0]).toBe("disabled");
    a.send({ type: "ENABLE", at: 300 });
    expect(view()).toEqual(["forwarding", 300]);
  });
});
