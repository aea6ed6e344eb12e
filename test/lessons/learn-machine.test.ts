// The lesson stepper as a pure machine: the events an adapter sends, the states it reads.
import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { isRightAnswer, learnMachine } from "../../src/lessons/learn-machine.js";

const start = (predicts: boolean[]) => createActor(learnMachine, { input: { predicts } }).start();

describe("learnMachine", () => {
  it("runs, asks, reveals, and moves through the steps", () => {
    const a = start([true, false]);
    expect(a.getSnapshot().value).toBe("running");
    expect(a.getSnapshot().context).toMatchObject({ index: 0, entry: "start" });
    a.send({ type: "NEXT" }); // ignored while running
    expect(a.getSnapshot().value).toBe("running");
    a.send({ type: "RAN" });
    expect(a.getSnapshot().value).toBe("predicting");
    a.send({ type: "ANSWER", answer: "no", correct: true });
    expect(a.getSnapshot().value).toBe("revealed");
    expect(a.getSnapshot().context).toMatchObject({ answer: "no", correct: true });
    a.send({ type: "KERNEL" });
    expect(a.getSnapshot().value).toBe("kernel");
    a.send({ type: "KERNEL_DONE" });
    a.send({ type: "NEXT" });
    expect(a.getSnapshot().context).toMatchObject({ index: 1, entry: "next", answer: undefined });
    a.send({ type: "RAN" });
    expect(a.getSnapshot().value).toBe("revealed"); // no prediction in step 2
    a.send({ type: "BACK" });
    expect(a.getSnapshot()).toMatchObject({
      value: "running",
      context: { index: 0, entry: "back" },
    });
    a.send({ type: "RAN" });
    a.send({ type: "ANSWER", answer: "", correct: false });
    a.send({ type: "BACK" });
    expect(a.getSnapshot()).toMatchObject({ value: "revealed", context: { atFirst: true } });
    a.send({ type: "NEXT" });
    a.send({ type: "RAN" });
    a.send({ type: "RESTART" });
    expect(a.getSnapshot().context).toMatchObject({ index: 0, entry: "restart" });
    a.send({ type: "RAN" });
    a.send({ type: "ANSWER", answer: "x", correct: false });
    a.send({ type: "NEXT" });
    a.send({ type: "RAN" });
    a.send({ type: "NEXT" });
    expect(a.getSnapshot()).toMatchObject({ status: "done", value: "done" });
  });

  it("quits from any state, and a lesson without steps is done at once", () => {
    const a = start([true]);
    a.send({ type: "QUIT" });
    expect(a.getSnapshot()).toMatchObject({ status: "done", value: "quit" });
    expect(start([]).getSnapshot()).toMatchObject({ status: "done", value: "done" });
  });
});

describe("isRightAnswer", () => {
  const choices = {
    question: { en: "?" },
    choices: [
      { en: "yes", zh: "能" },
      { en: "no", zh: "不能" },
    ],
    answer: "no",
    explain: { en: "." },
  };
  it("takes a choice by number or by its text in any language", () => {
    expect(isRightAnswer(choices, "2")).toBe(true);
    expect(isRightAnswer(choices, " No ")).toBe(true);
    expect(isRightAnswer(choices, "不能")).toBe(true);
    expect(isRightAnswer(choices, "1")).toBe(false);
    expect(isRightAnswer(choices, "")).toBe(false);
  });
  it("compares a value without case or spaces around it", () => {
    const value = { question: { en: "?" }, answer: "172.18.0.1", explain: { en: "." } };
    expect(isRightAnswer(value, " 172.18.0.1 ")).toBe(true);
    expect(isRightAnswer(value, "172.18.0.11")).toBe(false);
  });
});
