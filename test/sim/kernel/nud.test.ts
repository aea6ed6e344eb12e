// The NUD state machine against kernel 6.18 (net/core/neighbour.c, net/ipv4/arp.c), as
// watched with `ip -ts monitor neigh` between two namespaces: resolution, failure after
// three probes, the receiver's STALE -> DELAY -> PROBE -> REACHABLE, and the reachable time.
import { describe, expect, it } from "vitest";
import { TIMER_SLACK_MS } from "../../../src/sim/engine/machines/nud.js";
import { parseIp4 } from "../../../src/sim/kernel/core/ip4.js";
import type { NeighEntry, NeighTable } from "../../../src/sim/kernel/ipv4/neigh.js";
import { Lab } from "../userland/ip-helpers.js";

const ip = (s: string): number => parseIp4(s)!;

/** a (10.0.0.1 on va) and b (10.0.0.2 on vb), lo up in both. */
function pair(): Lab {
  const l = new Lab();
  l.setup(
    "ip netns add a",
    "ip netns add b",
    "ip -n a link set lo up",
    "ip -n b link set lo up",
    "ip link add va netns a type veth peer name vb netns b",
    "ip -n a addr add 10.0.0.1/24 dev va",
    "ip -n b addr add 10.0.0.2/24 dev vb",
    "ip -n a link set va up",
    "ip -n b link set vb up",
  );
  return l;
}

function table(l: Lab, ns: string): NeighTable {
  return l.b.world.netns(ns)!.neigh;
}

function entry(l: Lab, ns: string, addr: string): NeighEntry {
  const t = table(l, ns);
  const e = t.list().find((x) => x.ip === ip(addr));
  if (!e) throw new Error(`no entry for ${addr} in ${ns}`);
  return e;
}

function state(l: Lab, ns: string, addr: string): string {
  return table(l, ns).state(entry(l, ns, addr));
}

/** Times (ms) of the ARP requests the scheduler delivered for a target. */
function arpRequests(l: Lab, target: string): number[] {
  const times: number[] = [];
  l.b.world.scheduler.onDeliver((e) => {
    if (e.label === `arp request ${target}`) times.push(e.time);
  });
  return times;
}

describe("NUD: resolution", () => {
  it("sender REACHABLE after one ping; receiver STALE from the request, DELAY from its reply", () => {
    const l = pair();
    l.setup("ip netns exec a ping -c1 -W1 10.0.0.2");
    expect(state(l, "a", "10.0.0.2")).toBe("REACHABLE");
    expect(state(l, "b", "10.0.0.1")).toBe("DELAY");
  });

  it("receiver: PROBE after delay_first_probe_time (5 s), one unicast probe, then REACHABLE", () => {
    const l = pair();
    const s = l.b.world.scheduler;
    l.setup("ip netns exec a ping -c1 -W1 10.0.0.2");
    const t0 = s.now;
    const probes = arpRequests(l, "10.0.0.1");
    l.wait(4990);
    expect(state(l, "b", "10.0.0.1")).toBe("DELAY");
    l.wait(20);
    expect(state(l, "b", "10.0.0.1")).toBe("REACHABLE");
    expect(probes.length).toBe(1);
    expect(probes[0]! - t0).toBeGreaterThanOrEqual(4990);
    expect(probes[0]! - t0).toBeLessThanOrEqual(5000);
  });

  it("REACHABLE turns STALE after the device's reachable time, in [15, 45) s, traffic or not", () => {
    const l = pair();
    l.setup("ip netns exec a ping -c1 -W1 10.0.0.2");
    const t = table(l, "a");
    const reach = t.parms(l.dev("va", "a")).reachableMs;
    expect(reach).toBeGreaterThanOrEqual(15000);
    expect(reach).toBeLessThan(45000);
    l.wait(reach - 100);
    expect(state(l, "a", "10.0.0.2")).toBe("REACHABLE");
    l.wait(200);
    expect(state(l, "a", "10.0.0.2")).toBe("STALE");
    // The next packet: DELAY, then 5 s later a probe confirms it.
    l.setup("ip netns exec a ping -c1 -W1 10.0.0.2");
    expect(state(l, "a", "10.0.0.2")).toBe("DELAY");
    l.wait(5100);
    expect(state(l, "a", "10.0.0.2")).toBe("REACHABLE");
  });

  it("an ARP request naming an entry with the same address does not demote it", () => {
    const l = pair();
    l.setup("ip netns exec a ping -c1 -W1 10.0.0.2");
    l.wait(5100); // b probes a: a answers and sees b's unicast request
    expect(state(l, "a", "10.0.0.2")).toBe("REACHABLE");
    expect(state(l, "b", "10.0.0.1")).toBe("REACHABLE");
  });
});

describe("NUD: failure", () => {
  it("INCOMPLETE sends three broadcast requests 1 s apart and fails at 3 s", () => {
    const l = pair();
    const s = l.b.world.scheduler;
    const reqs = arpRequests(l, "10.0.0.9");
    const t0 = s.now;
    const r = l.run("ip netns exec a ping -c1 -W5 10.0.0.9");
    expect(r.stdout).toContain("From 10.0.0.1 icmp_seq=1 Destination Host Unreachable");
    // Each 1 s timer fires TIMER_SLACK_MS late, as the kernel's timer wheel does.
    expect(reqs.map((t) => t - t0)).toEqual([
      0,
      1000 + TIMER_SLACK_MS,
      2 * (1000 + TIMER_SLACK_MS),
    ]);
    expect(state(l, "a", "10.0.0.9")).toBe("FAILED");
    expect(l.out("ip -n a neigh")).toBe("10.0.0.9 dev va FAILED \n");
  });

  it("shows INCOMPLETE (no lladdr) while resolving, and starts over when used after FAILED", () => {
    const l = pair();
    l.run("ip netns exec a ping -c1 -W1 10.0.0.9");
    expect(l.out("ip -n a neigh")).toBe("10.0.0.9 dev va INCOMPLETE \n");
    l.wait(3000);
    expect(state(l, "a", "10.0.0.9")).toBe("FAILED");
    l.run("ip netns exec a ping -c1 -W1 10.0.0.9");
    expect(state(l, "a", "10.0.0.9")).toBe("INCOMPLETE");
  });

  it("flushing an entry that is still resolving fails its queued packets", () => {
    const l = pair();
    l.run("ip netns exec a ping -c1 -W1 10.0.0.9");
    const ns = l.b.world.netns("a")!;
    const before = l.b.world.ipv4.drops.filter((d) => d.reason === "ARP failed").length;
    ns.neigh.output(l.dev("va", "a"), ip("10.0.0.9"), {
      proto: "ipv4",
      src: ip("10.0.0.1"),
      dst: ip("10.0.0.9"),
      ttl: 64,
      id: 1,
      l4: { proto: "icmp", type: 8, code: 0, id: 1, seq: 9, dataLen: 56 },
    });
    expect(ns.neigh.flush(() => true)).toBe(1);
    expect(l.b.world.ipv4.drops.filter((d) => d.reason === "ARP failed").length).toBeGreaterThan(
      before,
    );
    expect(ns.neigh.list()).toEqual([]);
  });
});

describe("NUD: device events", () => {
  it("losing carrier evicts the device's entries (neigh_carrier_down); the kernel does it from linkwatch, a moment later", () => {
    const l = pair();
    l.setup("ip netns exec a ping -c1 -W1 10.0.0.2");
    l.run("ip netns exec a ping -c1 -W1 10.0.0.9");
    expect(table(l, "a").list().length).toBe(2);
    l.setup("ip -n b link set vb down");
    // va and vb share an ifindex, so linkwatch treats the event as not urgent: up to 1 s.
    l.wait(1000);
    expect(table(l, "a").list()).toEqual([]);
  });

  it("a new MAC address flushes the table (neigh_changeaddr)", () => {
    const l = pair();
    l.setup("ip netns exec a ping -c1 -W1 10.0.0.2");
    table(l, "a").netdevEvent(l.dev("va", "a"), "changeaddr");
    expect(table(l, "a").list()).toEqual([]);
  });
});
