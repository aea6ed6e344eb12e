// The conntrack TCP machine on its own, on the scheduler's clock: it alone holds an entry's
// state and when its timeout fires.
import { createActor } from "xstate";
import { describe, expect, it } from "vitest";
import {
  ctTcpExpires,
  ctTcpMachine,
  ctTcpState,
  type TcpFlagClass,
} from "../../../src/sim/engine/machines/ct-tcp.js";
import { Scheduler } from "../../../src/sim/engine/scheduler.js";

function entry(at = 0) {
  const sched = new Scheduler();
  sched.now = at;
  const actor = createActor(ctTcpMachine, { clock: sched, input: { initial: "SYN_SENT", at } });
  let expiredAt: number | undefined;
  actor.on("expired", () => (expiredAt = sched.now));
  actor.start();
  const pkt = (dir: 0 | 1, flag: TcpFlagClass) =>
    actor.send({ type: "PKT", dir, flag, at: sched.now });
  const view = () => [ctTcpState(actor.getSnapshot()), ctTcpExpires(actor.getSnapshot())];
  return { sched, pkt, view, expiredAt: () => expiredAt };
}

describe("ct-tcp machine", () => {
  it("moves by the kernel's table and dates each state's timeout from its packet", () => {
    const e = entry(1000);
    expect(e.view()).toEqual(["SYN_SENT", 121_000]);
    e.sched.runUntil(1500);
    e.pkt(1, "synack");
    expect(e.view()).toEqual(["SYN_RECV", 61_500]);
    e.sched.runUntil(1600);
    e.pkt(0, "ack");
    expect(e.view()).toEqual(["ESTABLISHED", 432_001_600]);
  });

  it("an ignored packet neither moves nor re-arms; the machine expires on time", () => {
    const e = entry();
    e.pkt(1, "synack"); // SYN_RECV at 0, 60 s
    e.sched.runUntil(30_000);
    e.pkt(1, "synack"); // sIG: ignored
    expect(e.view()).toEqual(["SYN_RECV", 60_000]);
    e.sched.runUntil(59_999);
    expect(e.expiredAt()).toBeUndefined();
    e.sched.runUntil(60_000);
    expect(e.expiredAt()).toBe(60_000);
    expect(e.view()[0]).toBeUndefined();
  });

  it("a packet that keeps the state re-arms its timeout", () => {
    const e = entry();
    e.sched.runUntil(100_000);
    e.pkt(0, "syn"); // a retransmitted SYN: SYN_SENT again, 120 s from now
    expect(e.view()).toEqual(["SYN_SENT", 220_000]);
    e.sched.runUntil(150_000);
    expect(e.expiredAt()).toBeUndefined();
  });
});
