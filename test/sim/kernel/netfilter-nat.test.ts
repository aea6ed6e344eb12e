// NAT bindings in the simulator against kernel 6.18 (nf_nat_core.c): the nat table sees a
// connection's first packet only, a null binding otherwise; replies are un-NATed from the
// tuples; MASQUERADE takes inet_select_addr of the output device; DNAT at PREROUTING is
// routed after, DNAT in nat OUTPUT re-routes; clashing sources get another port or id;
// related ICMP errors are translated inside and out; hairpin NAT on a bridge.
import { describe, expect, it } from "vitest";
import type { Ipv4Packet } from "../../../src/sim/kernel/core/packet.js";
import { conntrackOf } from "../../../src/sim/kernel/netfilter/conntrack.js";
import { addr, append, chain, ip, Lab, ns, pings, router } from "./nf-helpers.js";

function masquerade(l: Lab): ReturnType<typeof append> {
  return append(ns(l, "r"), "nat", "POSTROUTING", {
    src: addr("192.0.2.0/24"),
    outIface: { name: "eth2", invert: false },
    target: { kind: "MASQUERADE" },
  });
}

function udp(src: string, dst: string, sport: number, dport: number): Ipv4Packet {
  return {
    proto: "ipv4",
    src: ip(src),
    dst: ip(dst),
    ttl: 64,
    id: 0,
    l4: { proto: "udp", sport, dport, payload: { kind: "data", len: 10 } },
  };
}

function send(l: Lab, from: string, pkt: Ipv4Packet): void {
  const world = l.b.world;
  const n = ns(l, from);
  world.ipv4.sendRouted(n, pkt, world.ipv4.routeOutput(n, pkt.dst, { src: pkt.src }));
  world.scheduler.settle();
}

describe("MASQUERADE", () => {
  it("lets a host the outside has no route to reach it; the rule sees the first packet only", () => {
    const l = router(false);
    expect(pings(l, "h1", "198.51.100.7")).toBe(false);
    const rule = masquerade(l);
    expect(l.run("ip netns exec h1 ping -c3 -i0.2 -W1 198.51.100.7").exit).toBe(0);
    expect([rule.packets, rule.bytes]).toEqual([1, 84]);
    const [ct] = conntrackOf(ns(l, "r")).list();
    expect(ct!.srcNat).toBe(true);
    expect(ct!.tuple[1].dst).toBe(ip("198.51.100.1"));
    expect(l.out("ip netns exec r conntrack -L")).toMatch(
      /src=192\.0\.2\.2 dst=198\.51\.100\.7 type=8 code=0 id=\d+ src=198\.51\.100\.7 dst=198\.51\.100\.1 type=0/,
    );
  });

  it("the outside sees the router's address", () => {
    const l = router(false);
    masquerade(l);
    const seen = append(ns(l, "out"), "filter", "INPUT", { src: addr("198.51.100.1") });
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(seen.packets).toBe(1);
  });

  it("picks the output device's address in the next hop's subnet (inet_select_addr)", () => {
    const l = router(false);
    l.setup(
      "ip -n r addr add 203.0.113.1/24 dev eth2",
      "ip -n out addr add 203.0.113.7/24 dev eth0",
    );
    masquerade(l);
    expect(pings(l, "h1", "203.0.113.7")).toBe(true);
    const [ct] = conntrackOf(ns(l, "r")).list();
    expect(ct!.tuple[1].dst).toBe(ip("203.0.113.1"));
  });

  it("an ICMP error about a masqueraded ping is translated back to the inside host", () => {
    const l = router(false);
    masquerade(l);
    append(ns(l, "out"), "filter", "INPUT", {
      target: { kind: "REJECT", with: "icmp-port-unreachable" },
    });
    const res = l.run("ip netns exec h1 ping -c1 -W1 198.51.100.7");
    expect(res.stdout).toContain("From 198.51.100.7 icmp_seq=1 Destination Port Unreachable");
  });

  it("keeps the source port when free, takes another when two inside hosts clash", () => {
    const l = router(false);
    l.setup("ip -n h1 addr add 192.0.2.3/24 dev eth0");
    masquerade(l);
    append(ns(l, "out"), "filter", "INPUT", { target: { kind: "DROP" } });
    send(l, "h1", udp("192.0.2.2", "198.51.100.7", 40000, 53));
    send(l, "h1", udp("192.0.2.3", "198.51.100.7", 40000, 53));
    const cts = conntrackOf(ns(l, "r")).list().reverse();
    expect(cts.map((c) => c.tuple[1].dst)).toEqual([ip("198.51.100.1"), ip("198.51.100.1")]);
    expect(cts[0]!.tuple[1].dport).toBe(40000);
    const other = cts[1]!.tuple[1].dport;
    expect(other).not.toBe(40000);
    expect(other).toBeGreaterThanOrEqual(1024);
  });
});

describe("MASQUERADE bindings die with their device or address", () => {
  it("device down (masq_device_event), address removed (masq_inet_event)", () => {
    const l = router(false);
    masquerade(l);
    append(ns(l, "r"), "filter", "INPUT", {
      matches: [{ kind: "state", state: ["NEW"], invert: false }],
    });
    const t = conntrackOf(ns(l, "r"));
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(pings(l, "h1", "192.0.2.1")).toBe(true);
    expect(t.size).toBe(2);
    l.setup("ip -n r link set eth2 down");
    expect(t.size).toBe(1);
    l.setup("ip -n r link set eth2 up");
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(t.size).toBe(2);
    l.setup("ip -n r addr del 198.51.100.1/24 dev eth2");
    expect(t.size).toBe(1);
  });
});

describe("null bindings and SNAT", () => {
  it("no matching nat rule: NAT done, nothing changed", () => {
    const l = router();
    append(ns(l, "r"), "nat", "POSTROUTING", {
      src: addr("203.0.113.0/24"),
      target: { kind: "MASQUERADE" },
    });
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    const [ct] = conntrackOf(ns(l, "r")).list();
    expect([ct!.srcNatDone, ct!.srcNat, ct!.dstNatDone, ct!.dstNat]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it("SNAT --to-source with a port range", () => {
    const l = router(false);
    append(ns(l, "r"), "nat", "POSTROUTING", {
      outIface: { name: "eth2", invert: false },
      target: { kind: "SNAT", to: [{ from: ip("198.51.100.1"), ports: { from: 2000, to: 2000 } }] },
    });
    append(ns(l, "out"), "filter", "INPUT", { target: { kind: "DROP" } });
    send(l, "h1", udp("192.0.2.2", "198.51.100.7", 40000, 53));
    const [ct] = conntrackOf(ns(l, "r")).list();
    expect([ct!.tuple[1].dst, ct!.tuple[1].dport]).toEqual([ip("198.51.100.1"), 2000]);
  });
});

describe("DNAT", () => {
  function dnat(l: Lab, hook: "PREROUTING" | "OUTPUT"): ReturnType<typeof append> {
    return append(ns(l, "r"), "nat", hook, {
      dst: addr("198.51.100.80"),
      proto: { proto: "icmp", invert: false },
      target: { kind: "DNAT", to: [{ from: ip("192.0.2.2") }] },
    });
  }

  it("PREROUTING: pings to one address reach a host behind; replies come from that address", () => {
    const l = router();
    l.setup("ip -n r addr add 198.51.100.80/24 dev eth2");
    const rule = dnat(l, "PREROUTING");
    const seen = append(ns(l, "h1"), "filter", "INPUT", { src: addr("198.51.100.7") });
    const res = l.run("ip netns exec out ping -c2 -i0.2 -W1 198.51.100.80");
    expect(res.exit).toBe(0);
    expect(res.stdout).toContain("64 bytes from 198.51.100.80: icmp_seq=2 ttl=63");
    expect(seen.packets).toBe(2);
    expect(rule.packets).toBe(1);
  });

  it("locally generated traffic skips PREROUTING; nat OUTPUT DNAT re-routes it", () => {
    const l = router();
    l.setup("ip -n r addr add 198.51.100.80/24 dev eth2");
    dnat(l, "PREROUTING");
    const seen = append(ns(l, "h1"), "filter", "INPUT", {});
    expect(l.run("ip netns exec r ping -c1 -W1 198.51.100.80").stdout).toContain(
      "64 bytes from 198.51.100.80: icmp_seq=1 ttl=64",
    );
    expect(seen.packets).toBe(0);
    dnat(l, "OUTPUT");
    expect(l.run("ip netns exec r ping -c1 -W1 198.51.100.80").stdout).toContain(
      "64 bytes from 198.51.100.80: icmp_seq=1 ttl=64",
    );
    expect(seen.packets).toBe(1);
  });

  it("REDIRECT sends to the input device's first address", () => {
    const l = router();
    l.setup(
      "ip -n r addr add 198.51.100.80/24 dev eth2",
      "ip -n out route add 203.0.113.0/24 via 198.51.100.1",
    );
    append(ns(l, "r"), "nat", "PREROUTING", {
      dst: addr("203.0.113.9"),
      target: { kind: "REDIRECT" },
    });
    const res = l.run("ip netns exec out ping -c1 -W1 203.0.113.9");
    expect(res.stdout).toContain("64 bytes from 203.0.113.9: icmp_seq=1 ttl=64");
    const [ct] = conntrackOf(ns(l, "r")).list();
    expect(ct!.tuple[1].src).toBe(ip("198.51.100.1"));
  });
});

describe("hairpin NAT on a bridge", () => {
  function hairpin(brNf: boolean): Lab {
    const l = new Lab();
    l.setup(
      "ip netns add a",
      "ip netns add b",
      "ip link add br0 type bridge",
      "ip link set br0 up",
      "ip addr add 172.17.0.1/16 dev br0",
      "ip link add veth0 type veth peer name eth0 netns a",
      "ip link add veth1 type veth peer name eth0 netns b",
      "ip link set veth0 master br0",
      "ip link set veth1 master br0",
      "ip link set veth0 up",
      "ip link set veth1 up",
      "ip -n a link set eth0 up",
      "ip -n b link set eth0 up",
      "ip -n a addr add 172.17.0.2/16 dev eth0",
      "ip -n b addr add 172.17.0.3/16 dev eth0",
      "sysctl -qw net.ipv4.ip_forward=1",
      `sysctl -qw net.bridge.bridge-nf-call-iptables=${brNf ? 1 : 0}`,
    );
    append(ns(l), "nat", "PREROUTING", {
      dst: addr("172.17.0.1"),
      proto: { proto: "icmp", invert: false },
      target: { kind: "DNAT", to: [{ from: ip("172.17.0.2") }] },
    });
    return l;
  }

  it("with br_netfilter the bridged reply is un-NATed on the bridge", () => {
    const l = hairpin(true);
    const res = l.run("ip netns exec b ping -c1 -W1 172.17.0.1");
    expect(res.stdout).toContain("64 bytes from 172.17.0.1: icmp_seq=1 ttl=64 time=");
    expect(res.stdout).not.toContain("DIFFERENT");
  });

  it("without it the reply comes straight from the container; MASQUERADE fixes that", () => {
    const l = hairpin(false);
    expect(l.run("ip netns exec b ping -c1 -W1 172.17.0.1").stdout).toContain(
      "64 bytes from 172.17.0.2: icmp_seq=1 ttl=64 time=0.050 ms (DIFFERENT ADDRESS!)",
    );
    l.run("conntrack -F");
    const m = append(ns(l), "nat", "POSTROUTING", {
      src: addr("172.17.0.0/16"),
      dst: addr("172.17.0.2"),
      target: { kind: "MASQUERADE" },
    });
    expect(l.run("ip netns exec b ping -c1 -W1 172.17.0.1").stdout).toContain(
      "64 bytes from 172.17.0.1: icmp_seq=1 ttl=63",
    );
    expect(m.packets).toBe(1);
    expect(chain(ns(l), "nat", "PREROUTING").rules[0]!.packets).toBe(2);
  });
});
