// ping that would outlive the backend's per-command limit (issue 9): without -c, or with a
// count too large, it is killed at the limit in virtual time, as the kernel backend kills it.
import { describe, expect, it } from "vitest";
import { RttSummary } from "../../../src/sim/userland/ping.js";
import { parseLine } from "../../../src/script/parse.js";
import { simProbe } from "../../../src/walk/traced-probe.js";
import { Lab, vethPair } from "./ip-helpers.js";

function pair(timeLimitMs?: number): Lab {
  return vethPair(timeLimitMs === undefined ? {} : { timeLimitMs });
}

const now = (l: Lab): number => l.b.world.scheduler.now;

describe("ping at the per-command limit", () => {
  it("without -c: killed after 20 virtual seconds, exit 124, the replies so far", () => {
    const l = pair();
    const t0 = now(l);
    const r = l.run("ip netns exec a ping 10.0.0.2");
    expect(r.exit).toBe(124);
    // Probes at 0..19 s; the one due at 20 s is after the kill.
    expect(r.stdout.match(/^64 bytes/gm)).toHaveLength(20);
    expect(r.stdout).toMatch(/^PING 10\.0\.0\.2 /);
    expect(r.stdout).toMatch(/icmp_seq=20 ttl=64 time=\d+\.\d{3} ms\n$/);
    expect(r.stdout).not.toContain("statistics");
    expect(r.stderr).toBe(
      "packetwalk: ip netns exec a ping 10.0.0.2: timed out after 20 s, killed\n",
    );
    expect(now(l) - t0).toBe(20_000);
    // The world goes on: the next line runs normally.
    expect(l.run("ip netns exec a ping -c1 10.0.0.2").exit).toBe(0);
  });

  it("honours a shorter limit (run --timeout) and a huge -c", () => {
    const l = pair(2_000);
    const r = l.run("ip netns exec a ping -c 200000 -i 0.3 10.0.0.2");
    expect(r.exit).toBe(124);
    // 0, 0.3, ..., 1.8 s: seven probes before the kill at 2 s.
    expect(r.stdout.match(/^64 bytes/gm)).toHaveLength(7);
    expect(r.stderr).toBe(
      "packetwalk: ip netns exec a ping -c 200000 -i 0.3 10.0.0.2: timed out after 2 s, killed\n",
    );
  });

  it("a long run (-i 0.01 for 20 s) ends without a stack overflow", () => {
    const l = pair();
    const r = l.run("ip netns exec a ping -q -i 0.01 10.0.0.2");
    expect(r.exit).toBe(124);
    expect(r.stdout).toBe("PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n");
  });

  it("a count that ends before the limit still prints the statistics", () => {
    const l = pair();
    const r = l.run("ip netns exec a ping -c 19 10.0.0.2");
    expect(r.exit).toBe(0);
    expect(r.stdout).toContain("19 packets transmitted, 19 received, 0% packet loss");
  });
});

describe("RttSummary", () => {
  it("keeps min/avg/max/mdev in constant memory, as iputils computes them", () => {
    const s = new RttSummary();
    for (const ms of [1, 2, 3, 4]) s.add(ms);
    // mdev = sqrt(mean(x^2) - mean(x)^2) = sqrt(7.5 - 6.25)
    expect(s.line()).toBe("rtt min/avg/max/mdev = 1.000/2.500/4.000/1.118 ms");
  });

  it("takes 200000 samples (Math.min(...array) overflowed the stack)", () => {
    const s = new RttSummary();
    for (let i = 0; i < 200_000; i++) s.add(0.05 + (i % 7) / 100);
    expect(s.line()).toMatch(/^rtt min\/avg\/max\/mdev = 0\.050\/[\d.]+\/0\.110\/[\d.]+ ms$/);
  });
});

describe("a long simulated line lets the event loop in", () => {
  it("run() pauses between slices of a ping's wait, with the same result as runSync", async () => {
    const lines = [
      "ip netns add a",
      "ip netns add b",
      "ip link add va netns a type veth peer name vb netns b",
      "ip -n a addr add 10.0.0.1/24 dev va",
      "ip -n b addr add 10.0.0.2/24 dev vb",
      "ip -n a link set va up",
      "ip -n b link set vb up",
    ];
    const probe = "ip netns exec a ping -i 0.05 10.0.0.2";
    const synced = pair();
    const sync = synced.run(probe);

    // sliceMs 0: a pause after every few events, whatever the machine's speed.
    const sliced = new Lab({ sliceMs: 0 });
    for (const l of lines) await sliced.b.run(parseLine(l, 1)!);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const r = await sliced.b.run(parseLine(probe, 1)!);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    expect(r).toEqual(sync);
    expect(r.exit).toBe(124);
    expect(sliced.b.world.scheduler.now).toBe(synced.b.world.scheduler.now);
  });
});

describe("a walk of an unbounded ping", () => {
  it("ends at the limit with its 20 echo requests and replies, and nothing after", async () => {
    const l = pair();
    const w = await simProbe(l.b, parseLine("ip netns exec a ping 10.0.0.2", 1)!);
    expect(w.result.exit).toBe(124);
    const echo = w.walk.packets.filter((p) => /echo request/.test(p.summary));
    const replies = w.walk.packets.filter((p) => /echo reply/.test(p.summary));
    expect(echo).toHaveLength(20);
    expect(replies).toHaveLength(20);
    // The trace is off again and empty: nothing keeps growing after the walk.
    expect(l.b.world.trace.enabled).toBe(false);
    expect(l.b.world.trace.take()).toEqual([]);
  });
});
