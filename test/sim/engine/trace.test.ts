// The walk's trace comes from the scheduler's deliveries and the XState machines'
// inspection events, not from a log written by the packet path.
import { describe, expect, it } from "vitest";
import { Lab } from "../userland/ip-helpers.js";

describe("trace", () => {
  it("records what the scheduler delivered and what the machines did during a ping", () => {
    const l = new Lab();
    l.setup(
      "ip netns add a",
      "ip netns add b",
      "ip link add va netns a type veth peer name vb netns b",
      "ip -n a addr add 10.0.0.1/24 dev va",
      "ip -n b addr add 10.0.0.2/24 dev vb",
      "ip -n a link set va up",
      "ip -n b link set vb up",
    );
    const trace = l.b.world.trace;
    trace.take();
    trace.enabled = true;
    expect(l.run("ip netns exec a ping -c1 -W1 10.0.0.2").exit).toBe(0);
    const entries = trace.take();
    const transitions = entries
      .filter((e) => e.kind === "transition")
      .map((e) => `${e.machine.kind} ${e.machine.key} [${e.machine.ns}]: ${e.state}`);
    // The sender's neighbour entry resolves; the receiver learns the sender as STALE.
    expect(transitions).toContain("neigh 10.0.0.2 dev va [a]: INCOMPLETE");
    expect(transitions).toContain("neigh 10.0.0.2 dev va [a]: REACHABLE");
    expect(transitions).toContain("neigh 10.0.0.1 dev vb [b]: STALE");
    expect(transitions.some((t) => t.startsWith("ping 10.0.0.2 [a]"))).toBe(true);
    // Frames crossed the veth pair both ways: ARP request and reply, echo request and reply.
    const crossings = entries.flatMap((e) =>
      e.kind === "delivered" && e.source.startsWith("veth ") ? [e] : [],
    );
    expect(
      crossings.filter((e) => e.source.startsWith("veth va -> vb")).length,
    ).toBeGreaterThanOrEqual(2);
    expect(
      crossings.filter((e) => e.source.startsWith("veth vb -> va")).length,
    ).toBeGreaterThanOrEqual(2);
    // In order of virtual time.
    const times = entries.map((e) => e.time);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  it("records nothing while disabled", () => {
    const l = new Lab();
    l.setup("ip netns add a");
    l.b.world.trace.take();
    l.run("ip netns exec a ping -c1 -W1 10.0.0.2");
    expect(l.b.world.trace.take()).toEqual([]);
  });
});
