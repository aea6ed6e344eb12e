// A loop of bridge ports without STP: Linux floods a multicast frame round it until the
// loop is broken; the simulator drops a frame after 64 bridge hops, so the line ends.
import { describe, expect, it } from "vitest";
import { Lab } from "./ip-helpers.js";

describe("a bridge loop", () => {
  it("ends: each frame crosses the bridge at most 64 times", () => {
    const l = new Lab();
    l.setup(
      "ip link add br0 type bridge",
      "ip link add v1 type veth peer name v2",
      "ip link set v1 addrgenmode none",
      "ip link set v2 addrgenmode none",
      "ip link set br0 addrgenmode none",
      "ip link set v1 master br0",
      "ip link set v2 master br0",
      "ip link set br0 up",
      "ip link set v1 up",
      "ip link set v2 up",
      "ip addr add 10.0.0.1/24 dev br0",
      "sleep 1.1",
    );
    // One broadcast ARP request from the bridge: out of both ports, then round the loop.
    l.run("ping -c 1 -W 1 10.0.0.2");
    const tx = (dev: string) => {
      const out = l.out(`ip -s link show ${dev}`).split("\n");
      return Number(out[out.findIndex((s) => s.includes("TX:")) + 1]!.trim().split(/\s+/)[1]);
    };
    expect(tx("v1") + tx("v2")).toBeGreaterThan(64);
    expect(tx("v1") + tx("v2")).toBeLessThan(4 * 64);
  });
});
