// The walk stepper as a pure machine: a sequence of events, the positions it goes through.
// No terminal, no kernel.
import { createActor } from "xstate";
import { describe, expect, it } from "vitest";
import {
  flatPosition,
  hopsPerPacket,
  positionOf,
  positionText,
  stepperMachine,
  type StepperEvent,
} from "../../src/walk/stepper-machine.js";

const NEXT: StepperEvent = { type: "NEXT_HOP" };
const PREV: StepperEvent = { type: "PREV" };
const PACKET: StepperEvent = { type: "NEXT_PACKET" };
const PREV_PACKET: StepperEvent = { type: "PREV_PACKET" };
const QUIT: StepperEvent = { type: "QUIT" };

/** After each event: [packet, hop, moved], or the final state's name. */
function run(shape: number[], events: StepperEvent[]): (string | [number, number, string])[] {
  const a = createActor(stepperMachine, { input: { hopsPerPacket: shape } }).start();
  const at = (): string | [number, number, string] => {
    const s = a.getSnapshot();
    return s.status === "done"
      ? String(s.value)
      : [s.context.packet, s.context.hop, s.context.moved];
  };
  return [at(), ...events.map((e) => (a.send(e), at()))];
}

describe("stepper machine", () => {
  it("goes hop by hop across packets and is done past the last hop", () => {
    expect(run([2, 1], [NEXT, NEXT, NEXT])).toEqual([
      [0, 0, "start"],
      [0, 1, "forward"],
      [1, 0, "forward"],
      "done",
    ]);
  });

  it("goes back across a packet boundary, and stays on the first hop", () => {
    expect(run([2, 1], [NEXT, NEXT, PREV, PREV, PREV])).toEqual([
      [0, 0, "start"],
      [0, 1, "forward"],
      [1, 0, "forward"],
      [0, 1, "back"],
      [0, 0, "back"],
      [0, 0, "first"],
    ]);
  });

  it("skips to the next packet's first hop; from the last packet that ends the walk", () => {
    expect(run([3, 2, 1], [NEXT, PACKET, NEXT, PACKET, PACKET])).toEqual([
      [0, 0, "start"],
      [0, 1, "forward"],
      [1, 0, "packet"],
      [1, 1, "forward"],
      [2, 0, "packet"],
      "done",
    ]);
  });

  it("goes back to the previous packet's first hop, or this packet's first from packet 1", () => {
    expect(run([2, 3], [NEXT, NEXT, NEXT, PREV_PACKET, NEXT, PREV_PACKET, PREV_PACKET])).toEqual([
      [0, 0, "start"],
      [0, 1, "forward"],
      [1, 0, "forward"],
      [1, 1, "forward"],
      [0, 0, "back"],
      [0, 1, "forward"],
      [0, 0, "back"],
      [0, 0, "first"],
    ]);
  });

  it("says where the learner is as people count: packet 3 of 10, hop 4 of 9", () => {
    const a = createActor(stepperMachine, { input: { hopsPerPacket: [2, 3] } }).start();
    a.send(NEXT);
    a.send(NEXT);
    expect(positionText(positionOf(a.getSnapshot().context))).toBe("packet 2 of 2, hop 1 of 3");
  });

  it("quits from anywhere, and ignores events once finished", () => {
    expect(run([1, 1], [NEXT, QUIT, NEXT])).toEqual([
      [0, 0, "start"],
      [1, 0, "forward"],
      "quit",
      "quit",
    ]);
  });

  it("is done at once for a walk without hops", () => {
    expect(run([], [])).toEqual(["done"]);
  });

  it("positions as one index into the walk's hops", () => {
    const a = createActor(stepperMachine, { input: { hopsPerPacket: [2, 3] } }).start();
    a.send(NEXT);
    a.send(NEXT);
    a.send(NEXT);
    expect(flatPosition(a.getSnapshot().context)).toEqual({ index: 3, total: 5 });
  });

  it("takes the walk's shape from its hops, grouping each packet's consecutive hops", () => {
    const hops = [{ packet: 1 }, { packet: 1 }, { packet: 2 }, { packet: 3 }, { packet: 3 }];
    expect(hopsPerPacket(hops, (h) => h.packet)).toEqual([2, 1, 2]);
    expect(hopsPerPacket([], () => 0)).toEqual([]);
  });
});
