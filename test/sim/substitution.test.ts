// $(...) in the simulator: the inner line runs first, its output takes its place, and the
// line runs (or is traced) with it: nsenter -t $(PID) -n reaches the process's namespace.
import { describe, expect, it } from "vitest";
import { parseLine } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

const line = (text: string) => parseLine(text, 1)!;

async function world(): Promise<SimBackend> {
  const sim = new SimBackend();
  for (const l of ["ip netns add a", "ip -n a link set lo up", "ip netns exec a nc -lk 80 &"]) {
    expect((await sim.run(line(l))).exit).toBe(0);
  }
  return sim;
}

describe("$(...) in the simulator", () => {
  it("runs the line in the namespace of the PID the inner line printed", async () => {
    const sim = await world();
    // The root's lo is down: only a's namespace reaches 127.0.0.1.
    expect((await sim.run(line("ping -c1 -W1 127.0.0.1"))).exit).not.toBe(0);
    const probe = "nsenter -t $(ip netns pids a) -n ping -c1 -W1 127.0.0.1";
    expect((await sim.run(line(probe))).exit).toBe(0);
    const traced = await sim.trace(line(probe));
    expect(traced.result.exit).toBe(0);
    expect(traced.account.entries.length).toBeGreaterThan(0);
    const id = await sim.run(line("ip netns identify $(ip netns pids a)"));
    expect(id.stdout).toBe("a\n");
  });

  it("shows the inner line's errors first, and refuses an output a line cannot hold", async () => {
    const sim = await world();
    const r = await sim.run(line("ip netns identify $(ip netns pids nope)"));
    expect(r.stderr).toBe("Cannot open network namespace: No such file or directory\n");
    expect([r.exit, r.stdout]).toEqual([0, "\n"]);
    const bad = await sim.run(line("ip netns identify $(ip -br link show lo)"));
    expect(bad.exit).toBe(1);
    expect(bad.stderr).toMatch(/printed "<LOOPBACK>", which a lab line cannot take in/);
  });

  it("finds a container's namespace through its PID, and names it with ip netns attach", async () => {
    const sim = new SimBackend();
    const pid = "$(docker inspect -f '{{.State.Pid}}' web)";
    expect((await sim.run(line("docker run -d --name web alpine"))).exit).toBe(0);
    expect((await sim.run(line(`ip netns identify ${pid}`))).stdout).toBe("\n");
    const addr = await sim.run(line(`nsenter -t ${pid} -n ip -br -4 addr show eth0`));
    expect(addr.stdout).toMatch(/^eth0@if\d+ +UP +172\.17\.0\.2\/16/);
    expect((await sim.run(line(`ip netns attach web ${pid}`))).exit).toBe(0);
    expect((await sim.run(line(`ip netns identify ${pid}`))).stdout).toBe("web\n");
    expect((await sim.run(line("lsns -t net"))).stdout).toMatch(
      /\/run\/docker\/netns\/[0-9a-f]{12} .*sleep infinity\n +\/run\/netns\/web/,
    );
    expect((await sim.run(line("docker stop -t 0 web"))).exit).toBe(0);
    // The name holds the namespace: lo stays, eth0 went with the sandbox.
    expect((await sim.run(line("ip netns exec web ip -br link"))).stdout).toMatch(/^lo +UNKNOWN/);
    expect((await sim.run(line(`readlink /proc/${pid}/ns/net`))).exit).toBe(1);
  });

  it("replays a line with $(...) when a snapshot is restored (learn's back)", async () => {
    const sim = new SimBackend();
    const pid = "$(docker inspect -f '{{.State.Pid}}' web)";
    await sim.run(line("docker run -d --name web alpine"));
    await sim.run(line(`ip netns attach web ${pid}`));
    const snap = sim.snapshot();
    await sim.run(line("ip netns del web"));
    expect((await sim.run(line("ip netns list"))).stdout).toBe("");
    await sim.restore(snap);
    expect((await sim.run(line("ip netns list"))).stdout).toBe("web (id: 0)\n");
    expect((await sim.run(line(`ip netns identify ${pid}`))).stdout).toBe("web\n");
  });
});
