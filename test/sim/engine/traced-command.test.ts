// The simulator's trace(): the command's result, its trace as plain data (times from the
// command's start, namespaces and machines as structured values), and the clock moved by
// the kernel's timings when both backends run.
import { describe, expect, it } from "vitest";
import { ROOT_NS, SETTLE_MS } from "../../../src/backend/trace-types.js";
import { parseLine, parseScript } from "../../../src/script/parse.js";
import { SimBackend } from "../../../src/sim/sim-backend.js";

const VETH = [
  "ip link add va type veth peer name vb",
  "ip netns add b",
  "ip link set vb netns b",
  "ip addr add 10.0.0.1/24 dev va",
  "ip -n b addr add 10.0.0.2/24 dev vb",
  "ip link set va up",
  "ip -n b link set vb up",
].join("\n");

async function setUp(): Promise<SimBackend> {
  const sim = new SimBackend();
  for (const c of parseScript(VETH, "t.lab").script.commands)
    expect((await sim.run(c)).exit).toBe(0);
  return sim;
}

describe("SimBackend.trace", () => {
  it("gives the result and the trace as plain data, the root namespace as ROOT_NS", async () => {
    const sim = await setUp();
    const { result, account } = await sim.trace(parseLine("ping -c1 10.0.0.2", 1, "p")!);
    expect(result.exit).toBe(0);
    expect(account.backend).toBe("sim");
    const first = account.entries[0]!;
    expect(first).toMatchObject({ kind: "point", time: 0, point: { kind: "route", ns: ROOT_NS } });
    const wire = account.entries.find((e) => e.kind === "hop" && e.hop === "wire");
    expect(wire).toMatchObject({ from: { ns: ROOT_NS, dev: "va" }, to: { ns: "b", dev: "vb" } });
    expect(account.entries).toContainEqual(
      expect.objectContaining({
        kind: "transition",
        machine: { ns: "b", kind: "neigh", key: "10.0.0.1 dev vb" },
        state: "STALE",
      }),
    );
    // seq is the position in the whole trace: increasing, possibly with gaps.
    const seqs = account.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it("lets the kernel's tracing time pass around the command (padBeforeMs, padAfterMs)", async () => {
    const plain = await setUp();
    const padded = await setUp();
    const cmd = parseLine("ping -c1 10.0.0.2", 1, "p")!;
    const t0 = plain.world.scheduler.now;
    expect(padded.world.scheduler.now).toBe(t0);
    await plain.trace(cmd);
    await padded.trace(cmd, { padBeforeMs: 120, padAfterMs: SETTLE_MS + 80 });
    expect(padded.world.scheduler.now - plain.world.scheduler.now).toBeCloseTo(200, 6);
  });
});
