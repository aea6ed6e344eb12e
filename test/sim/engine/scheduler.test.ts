import { createActor, setup } from "xstate";
import { describe, expect, it } from "vitest";
import { Scheduler } from "../../../src/sim/engine/scheduler.js";

describe("Scheduler", () => {
  it("delivers by virtual time, then by the order events were scheduled", () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.at(20, "c", () => seen.push("c"));
    s.at(10, "a", () => seen.push("a"));
    s.at(10, "b", () => seen.push("b"));
    s.at(0, "now", () => seen.push("now"));
    s.runUntil(15);
    expect(seen).toEqual(["now", "a", "b"]);
    expect(s.now).toBe(15);
    s.runUntil(100);
    expect(seen).toEqual(["now", "a", "b", "c"]);
  });

  it("runs events scheduled by events, at their own time", () => {
    const s = new Scheduler();
    const seen: number[] = [];
    s.at(5, "x", () => {
      seen.push(s.now);
      s.at(0, "y", () => seen.push(s.now));
      s.at(3, "z", () => seen.push(s.now));
    });
    s.runUntil(1000);
    expect(seen).toEqual([5, 5, 8]);
  });

  it("cancels events", () => {
    const s = new Scheduler();
    let ran = false;
    const id = s.at(1, "x", () => (ran = true));
    s.cancel(id);
    s.runUntil(10);
    expect(ran).toBe(false);
    expect(s.pending()).toBe(0);
  });

  it("runWhile stops as soon as the condition holds and keeps the clock there", () => {
    const s = new Scheduler();
    let done = false;
    s.at(3000, "done", () => (done = true));
    s.at(5000, "later", () => {});
    expect(s.runWhile(10_000, () => done)).toBe(true);
    expect(s.now).toBe(3000);
    expect(s.pending()).toBe(1);
  });

  it("is the clock of XState actors: delayed transitions run on virtual time", () => {
    const s = new Scheduler();
    const m = setup({}).createMachine({
      initial: "a",
      states: { a: { after: { 4000: "b" } }, b: {} },
    });
    const actor = createActor(m, { clock: s }).start();
    s.runUntil(3999);
    expect(actor.getSnapshot().value).toBe("a");
    s.runUntil(4000);
    expect(actor.getSnapshot().value).toBe("b");
  });

  it("reports each delivery to listeners, in order", () => {
    const s = new Scheduler();
    const labels: string[] = [];
    s.onDeliver((e) => labels.push(`${e.time}:${e.label}`));
    s.at(2, "two", () => {});
    s.at(1, "one", () => {});
    s.runUntil(5);
    expect(labels).toEqual(["1:one", "2:two"]);
  });
});
