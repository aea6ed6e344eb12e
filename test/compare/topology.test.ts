import { describe, expect, it } from "vitest";
import { ROOT_NS, namedNs, type Device, type Topology } from "../../src/backend.js";
import { diffTopology, normaliseTopology } from "../../src/compare/topology.js";

function dev(name: string, mac: string, extra: Partial<Device> = {}): Device {
  return {
    name,
    ifindex: 1,
    kind: "veth",
    up: true,
    operstate: "UP",
    carrier: true,
    mtu: 1500,
    mac,
    addresses: [],
    ...extra,
  };
}

function topo(devices: Device[], extra: Partial<Topology["namespaces"][0]> = {}): Topology {
  return {
    namespaces: [
      {
        id: ROOT_NS,
        ipForward: false,
        devices,
        routes: [],
        rules: [],
        neighbours: [],
        iptables: [],
        conntrack: [],
        sockets: [],
        ...extra,
      },
    ],
  };
}

describe("topology comparison", () => {
  it("names MACs by the device that owns them, wherever they appear", () => {
    const a = topo([dev("veth0", "02:00:00:00:00:01"), dev("veth1", "02:00:00:00:00:02")], {
      neighbours: [
        { address: "10.0.0.2", dev: "veth0", lladdr: "02:00:00:00:00:02", state: "REACHABLE" },
      ],
    });
    const b = topo([dev("veth0", "aa:00:00:00:00:09"), dev("veth1", "aa:00:00:00:00:08")], {
      neighbours: [
        { address: "10.0.0.2", dev: "veth0", lladdr: "aa:00:00:00:00:08", state: "REACHABLE" },
      ],
    });
    expect(diffTopology(a, b)).toEqual([]);
    // The neighbour names veth0's MAC on one side only: a real difference.
    b.namespaces[0]!.neighbours[0]!.lladdr = "aa:00:00:00:00:09";
    const d = diffTopology(a, b);
    expect(d.map((x) => x.path)).toEqual(["(root)/neighbours"]);
  });

  it("lets a bridge and its ports share a name: which port's MAC it takes is chance", () => {
    const br = (mac: string): Device =>
      dev("br0", mac, { kind: "bridge", bridge: { ports: [], fdb: [] } });
    const a = topo([
      br("02:00:00:00:00:01"),
      dev("v0", "02:00:00:00:00:01", { master: "br0" }),
      dev("v1", "02:00:00:00:00:05", { master: "br0" }),
    ]);
    const b = topo([
      br("02:00:00:00:00:03"),
      dev("v0", "02:00:00:00:00:04", { master: "br0" }),
      dev("v1", "02:00:00:00:00:03", { master: "br0" }),
    ]);
    expect(diffTopology(a, b)).toEqual([]);
    expect(normaliseTopology(a).namespaces[0]!.devices[0]!.mac).toBe("MAC((root)/br0 and ports)");
  });

  it("ignores ifindexes, link-local addresses and conntrack timeouts, not counters", () => {
    const ll = (a: string): Device =>
      dev("eth0", "02:00:00:00:00:01", {
        addresses: [{ family: "inet6", address: a, prefixlen: 64, scope: "link" }],
      });
    const chain = (packets: number) => ({
      name: "filter",
      chains: [{ name: "INPUT", policy: "ACCEPT", packets, bytes: 84 * packets, rules: [] }],
    });
    const a = topo([{ ...ll("fe80::1"), ifindex: 2 }], { iptables: [chain(1)] });
    const b = topo([{ ...ll("fe80::2"), ifindex: 7 }], { iptables: [chain(1)] });
    expect(diffTopology(a, b)).toEqual([]);
    b.namespaces[0]!.iptables = [chain(2)];
    expect(diffTopology(a, b).map((x) => x.path)).toEqual([
      "(root)/iptables/filter/chains/INPUT/bytes",
      "(root)/iptables/filter/chains/INPUT/packets",
    ]);
  });

  it("reports a namespace or device on one side only", () => {
    const a = topo([dev("eth0", "02:00:00:00:00:01")]);
    const b = topo([dev("eth0", "02:00:00:00:00:01"), dev("eth1", "02:00:00:00:00:02")]);
    b.namespaces.push({ ...b.namespaces[0]!, id: namedNs("c1"), devices: [] });
    const d = diffTopology(a, b);
    expect(d).toEqual([
      { path: "(root)/devices/eth1", lines: ["+ kernel only"] },
      { path: "c1", lines: ["+ kernel only"] },
    ]);
  });

  it("compares route order within the list", () => {
    const r = (dst: string) => ({
      table: 254,
      type: "unicast",
      dst,
      protocol: "boot",
      scope: "global",
      metric: 0,
      flags: [],
    });
    const a = topo([], { routes: [r("10.0.0.0/8"), r("10.1.0.0/16")] });
    const b = topo([], { routes: [r("10.1.0.0/16"), r("10.0.0.0/8")] });
    expect(diffTopology(a, b)[0]!.lines[0]).toBe("order differs:");
  });
  it("renames docker's random veth and br- names by device order, keeping who is on what", () => {
    const side = (br1: string, br2: string, v1: string, v2: string, on2: string): Topology =>
      topo(
        [
          dev(br1, "02:42:00:00:00:01", { kind: "bridge", ifindex: 3 }),
          dev(br2, "02:42:00:00:00:02", { kind: "bridge", ifindex: 4 }),
          dev(v1, "02:00:00:00:00:03", { ifindex: 6, master: br1 }),
          dev(v2, "02:00:00:00:00:04", { ifindex: 8, master: on2 }),
        ],
        { iptables: [] },
      );
    const a = side(
      "br-0123456789ab",
      "br-ba9876543210",
      "veth1a2b3c4",
      "vethfffffff",
      "br-ba9876543210",
    );
    const b = side(
      "br-aaaaaaaaaaaa",
      "br-bbbbbbbbbbbb",
      "veth0000000",
      "veth1234567",
      "br-bbbbbbbbbbbb",
    );
    expect(diffTopology(a, b)).toEqual([]);
    // The second veth on the first bridge on one side: a real difference, still reported.
    const c = side(
      "br-aaaaaaaaaaaa",
      "br-bbbbbbbbbbbb",
      "veth0000000",
      "veth1234567",
      "br-aaaaaaaaaaaa",
    );
    expect(diffTopology(a, c).map((x) => x.path)).toEqual(["(root)/devices/veth2/master"]);
  });
});
