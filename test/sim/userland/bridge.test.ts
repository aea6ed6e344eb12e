// The bridge in the simulator: port states, FDB learning and the `bridge` tool's output.
import { describe, expect, it } from "vitest";
import { Lab } from "./ip-helpers.js";

function twoOnBridge(): Lab {
  const l = new Lab();
  l.setup("ip link add br0 type bridge", "ip link set br0 up");
  for (const i of [0, 1]) {
    l.setup(
      `ip netns add n${i}`,
      `ip link add v${i} type veth peer name eth0 netns n${i}`,
      `ip link set v${i} master br0`,
      `ip link set v${i} up`,
      `ip -n n${i} link set eth0 up`,
      `ip -n n${i} addr add 10.0.0.${10 + i}/24 dev eth0`,
    );
  }
  return l;
}

describe("bridge", () => {
  it("lists ports with their STP state", () => {
    const l = twoOnBridge();
    l.setup("ip link set v1 down");
    const out = l.out("bridge link");
    // bridge names the peer's index as seen from here: index 2 in this namespace is br0.
    expect(out).toBe(
      "3: v0@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n" +
        "4: v1@br0: <BROADCAST,MULTICAST> mtu 1500 master br0 state disabled priority 32 cost 2 \n",
    );
  });

  it("learns source MACs on the port they came in on and forwards between namespaces", () => {
    const l = twoOnBridge();
    expect(l.run("ip netns exec n0 ping -c1 -W1 10.0.0.11").exit).toBe(0);
    const m0 = l.mac("eth0", "n0");
    const m1 = l.mac("eth0", "n1");
    const fdb = l.out("bridge fdb show br br0");
    expect(fdb).toContain(`${m0} dev v0 master br0 \n`);
    expect(fdb).toContain(`${m1} dev v1 master br0 \n`);
    expect(fdb).toContain(`${l.mac("v0")} dev v0 master br0 permanent\n`);
  });

  it("keeps the TTL of bridged packets and ignores ip_forward", () => {
    const l = twoOnBridge();
    l.setup("sysctl -q -w net.ipv4.ip_forward=0");
    expect(l.out("ip netns exec n0 ping -c1 -W1 10.0.0.11")).toContain("ttl=64");
  });

  it("takes the lowest port MAC, and 00:00:00:00:00:00 after the last port leaves", () => {
    const l = twoOnBridge();
    const lowest = [l.mac("v0"), l.mac("v1")].sort()[0]!;
    expect(l.mac("br0")).toBe(lowest);
    l.setup("ip link set v0 nomaster", "ip link set v1 nomaster");
    expect(l.mac("br0")).toBe("00:00:00:00:00:00");
  });

  it("shows multicast self entries and no own entry when the bridge wears a port's MAC", () => {
    const l = twoOnBridge();
    const fdb = l.out("bridge fdb show dev br0");
    expect(fdb.split("\n").slice(0, 4)).toEqual([
      "33:33:00:00:00:01 self permanent",
      "01:00:5e:00:00:6a self permanent",
      "33:33:00:00:00:6a self permanent",
      "01:00:5e:00:00:01 self permanent",
    ]);
    expect(fdb).not.toContain("master br0");
  });

  it("sets hairpin mode and shows it with -d", () => {
    const l = twoOnBridge();
    l.setup("bridge link set dev v0 hairpin on");
    expect(l.out("bridge -d link show dev v0")).toContain("    hairpin on guard off");
  });

  it("answers unknown objects and devices as iproute2 does", () => {
    const l = twoOnBridge();
    expect(l.run("bridge foo")).toEqual({
      exit: 255,
      stdout: "",
      stderr: 'Object "foo" is unknown, try "bridge help".\n',
    });
    expect(l.run("bridge fdb show br nosuch")).toEqual({
      exit: 255,
      stdout: "",
      stderr: 'Cannot find bridge device "nosuch"\n',
    });
  });
});
