// Two sandboxes at once are two separate labs: neither sees the other's namespaces.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { lab, sandboxUnavailable } from "./helpers.js";

describe.skipIf(sandboxUnavailable)("two sandboxes", () => {
  let one: KernelBackend;
  let two: KernelBackend;
  beforeAll(async () => {
    [one, two] = await Promise.all([KernelBackend.start(), KernelBackend.start()]);
  });
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
  });

  it("do not share /run/netns, devices or rules", async () => {
    expect((await one.run(lab("ip netns add x"))).exit).toBe(0);
    expect((await one.run(lab("ip link add pw0 type veth peer name pw1"))).exit).toBe(0);
    expect((await one.run(lab("iptables -A INPUT -j DROP"))).exit).toBe(0);

    expect((await two.run(lab("ip netns list"))).stdout).toBe("");
    expect((await two.run(lab("ip link show pw0"))).exit).toBe(1);
    expect((await two.run(lab("iptables -S INPUT"))).stdout).toBe("-P INPUT ACCEPT\n");
  });

  it("can use the same names at the same time", async () => {
    expect((await two.run(lab("ip netns add x"))).exit).toBe(0);
    expect((await two.run(lab("ip link add pw0 type veth peer name pw1"))).exit).toBe(0);
    expect((await one.run(lab("ip netns list"))).stdout).toBe("x\n");
    expect((await two.run(lab("ip netns list"))).stdout).toBe("x\n");
  });

  it("are different PID namespaces", () => {
    expect(one.sandbox.pids.init).not.toBe(two.sandbox.pids.init);
    const a = one.sandbox.hostProcesses();
    const b = two.sandbox.hostProcesses();
    expect(a.filter((p) => b.includes(p))).toEqual([]);
  });

  it("end separately: closing one leaves the other running", async () => {
    const t0 = Date.now();
    await one.close();
    // Quick, so the init saw EOF: the other sandbox does not hold this one's pipe open.
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(one.sandbox.hostProcesses()).toEqual([]);
    expect((await two.run(lab("ip netns list"))).stdout).toBe("x\n");
  });
});
