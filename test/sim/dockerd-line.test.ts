// The dockerd line in the simulator: it starts the daemon with its flags (what the daemon
// did is shown under it), and once the daemon runs, a dockerd line typed alone is refused.
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../../src/backend.js";
import { parseLine } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

async function lab(lines: string[]): Promise<CommandResult[]> {
  const sim = new SimBackend();
  const out: CommandResult[] = [];
  for (const l of lines) out.push(await sim.run(parseLine(l, 1)!));
  return out;
}

describe("the dockerd line (simulator)", () => {
  it("starts the daemon with its flags and shows what it did", async () => {
    const [started, save] = await lab([
      "dockerd --icc=false --bip 192.0.2.1/24 --userland-proxy=false",
      "iptables-save -t filter",
    ]);
    expect(started!.exit).toBe(0);
    const ops = (started!.performed ?? []).map((o) => o.text);
    expect(ops).toContain("ip addr add 192.0.2.1/24 brd + dev docker0");
    expect(ops).toContain("sysctl -w net.ipv4.conf.docker0.route_localnet=1");
    expect(save!.stdout).toContain("-A FORWARD -i docker0 -o docker0 -j DROP");
  });

  it("writes no rule with --iptables=false and leaves forwarding off with --ip-forward=false", async () => {
    const [, save, fwd] = await lab([
      "dockerd --iptables=false --ip-forward=false",
      "iptables-save",
      "sysctl net.ipv4.ip_forward",
    ]);
    expect(save!.stdout).toBe("");
    expect(fwd!.stdout).toBe("net.ipv4.ip_forward = 0\n");
  });

  it("is refused once a docker line has started the daemon, and behind a namespace prefix", async () => {
    const out = await lab(["docker ps", "dockerd --icc=false"]);
    expect(out[1]).toMatchObject({ exit: 1 });
    expect(out[1]!.stderr).toMatch(/dockerd is running already/);
    const [, prefixed] = await lab(["ip netns add a", "ip netns exec a dockerd"]);
    expect(prefixed!.stderr).toMatch(/dockerd runs in the host's namespace/);
  });
});
