// Matches and targets of the simulated netfilter, each against what the kernel does with
// the same rule (ip_tables/nft semantics as iptables-nft 1.8.9 sets them up).
import { describe, expect, it } from "vitest";
import type { Ipv4Packet, Tcp } from "../../../src/sim/kernel/core/packet.js";
import type { Match, Rule, Target } from "../../../src/sim/kernel/netfilter/types.js";
import { addrType } from "../../../src/sim/kernel/netfilter/eval.js";
import { addr, append, chain, drops, ip, Lab, ns, pings, router } from "./nf-helpers.js";

/** Counts which of several FORWARD rules an h1 -> out ping's request matches. */
function hits(rules: Partial<Rule>[], target = "198.51.100.7"): number[] {
  const l = router();
  const r = ns(l, "r");
  const made = rules.map((x) => append(r, "filter", "FORWARD", x));
  l.run(`ip netns exec h1 ping -c1 -W1 ${target}`);
  return made.map((m) => m.packets);
}

const m = (x: Match): Partial<Rule> => ({ matches: [x] });

function tcp(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  flags: Tcp["flags"],
): Ipv4Packet {
  return {
    proto: "ipv4",
    src: ip(src),
    dst: ip(dst),
    ttl: 64,
    id: 0,
    l4: { proto: "tcp", sport, dport, flags, seq: 1000, ack: 0, len: 0 },
  };
}

function send(l: Lab, from: string, pkt: Ipv4Packet): void {
  const world = l.b.world;
  const n = ns(l, from);
  world.ipv4.sendRouted(n, pkt, world.ipv4.routeOutput(n, pkt.dst));
  world.scheduler.settle();
}

describe("addresses, interfaces, protocol", () => {
  it("-s/-d with prefixes, masks and !", () => {
    expect(
      hits([
        { src: addr("192.0.2.0/24") },
        { src: addr("192.0.2.0/24", true) },
        { dst: addr("198.51.100.7/32") },
        { dst: addr("198.51.100.0/25", true) },
        { src: { addr: ip("192.9.2.2"), plen: 24, mask: ip("255.0.255.255"), invert: false } },
      ]),
      // The request matches the -s rules, the reply the inverted -d one.
    ).toEqual([1, 1, 1, 1, 1]);
  });

  it("-i/-o with the + wildcard and !", () => {
    expect(
      hits([
        { inIface: { name: "eth1", invert: false } },
        { inIface: { name: "eth+", invert: false } },
        { outIface: { name: "eth1", invert: true } },
        { inIface: { name: "veth+", invert: false } },
      ]),
    ).toEqual([1, 2, 1, 0]);
  });

  it("-p by name or number, with !", () => {
    expect(
      hits([
        { proto: { proto: "icmp", invert: false } },
        { proto: { proto: "tcp", invert: true } },
        { proto: { proto: "1", invert: false, num: 1 } },
        { proto: { proto: "udp", invert: false } },
      ]),
    ).toEqual([2, 2, 2, 0]);
  });
});

describe("protocol matches", () => {
  it("icmp type and code; 255 is any", () => {
    expect(
      hits([
        m({ kind: "icmp", type: 8, invert: false }),
        m({ kind: "icmp", type: 0, code: 0, invert: false }),
        m({ kind: "icmp", type: 8, invert: true }),
        m({ kind: "icmp", type: 255, invert: false }),
        m({ kind: "icmp", type: 3, code: 3, invert: false }),
      ]),
    ).toEqual([1, 1, 1, 2, 0]);
  });

  it("tcp ports and flags, multiport, on hand-made segments", () => {
    const l = router();
    const r = ns(l, "r");
    append(ns(l, "out"), "filter", "INPUT", { target: { kind: "DROP" } });
    const rules: Match[] = [
      { kind: "tcp", dport: { from: 80, to: 80, invert: false } },
      { kind: "tcp", sport: { from: 1024, to: 65535, invert: true } },
      {
        kind: "tcp",
        tcpFlags: { mask: ["SYN", "ACK", "FIN", "RST"], comp: ["SYN"], invert: false },
      },
      { kind: "tcp", option: { value: 2, invert: false } },
      {
        kind: "multiport",
        ports: [
          { from: 22, to: 22 },
          { from: 79, to: 81 },
        ],
        which: "dports",
        invert: false,
      },
      { kind: "multiport", ports: [{ from: 40000, to: 40000 }], which: "ports", invert: false },
      { kind: "udp", dport: { from: 80, to: 80, invert: false } },
    ];
    const made = rules.map((x) => append(r, "filter", "FORWARD", { matches: [x] }));
    send(l, "h1", tcp("192.0.2.2", "198.51.100.7", 40000, 80, { syn: true }));
    send(l, "h1", tcp("192.0.2.2", "198.51.100.7", 40000, 80, { ack: true }));
    expect(made.map((x) => x.packets)).toEqual([2, 0, 1, 1, 2, 2, 0]);
  });
});

describe("conntrack, addrtype, mark, comment", () => {
  it("addrtype: LOCAL, BROADCAST, MULTICAST, UNICAST from the local table", () => {
    const l = router();
    const r = ns(l, "r");
    expect(addrType(r, ip("192.0.2.1"))).toBe("LOCAL");
    expect(addrType(r, ip("127.0.0.9"))).toBe("LOCAL");
    expect(addrType(r, ip("192.0.2.255"))).toBe("BROADCAST");
    expect(addrType(r, ip("224.0.0.1"))).toBe("MULTICAST");
    expect(addrType(r, ip("198.51.100.7"))).toBe("UNICAST");
    expect(addrType(r, ip("192.0.2.1"), l.dev("eth2", "r"))).toBe("UNICAST");
    const local = append(r, "nat", "PREROUTING", {
      matches: [{ kind: "addrtype", dstType: ["LOCAL"], invertSrc: false, invertDst: false }],
    });
    append(r, "filter", "INPUT", { matches: [{ kind: "state", state: ["NEW"], invert: false }] });
    expect(pings(l, "h1", "198.51.100.1")).toBe(true);
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(local.packets).toBe(1);
  });

  it("MARK sets skb->mark ((old & ~mask) ^ value); mark matches it later in the walk", () => {
    const l = router();
    const r = ns(l, "r");
    append(r, "mangle", "PREROUTING", {
      src: addr("192.0.2.2"),
      target: { kind: "MARK", value: 0x11, mask: 0xffffffff, op: "set" },
    });
    append(r, "mangle", "PREROUTING", {
      src: addr("192.0.2.2"),
      target: { kind: "MARK", value: 0x100, mask: 0x100, op: "or" },
    });
    const exact = append(
      r,
      "filter",
      "FORWARD",
      m({ kind: "mark", value: 0x111, mask: 0xffffffff, invert: false }),
    );
    const masked = append(
      r,
      "filter",
      "FORWARD",
      m({ kind: "mark", value: 0x1, mask: 0xf, invert: false }),
    );
    const not = append(
      r,
      "filter",
      "FORWARD",
      m({ kind: "mark", value: 0x111, mask: 0xffffffff, invert: true }),
    );
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect([exact.packets, masked.packets, not.packets]).toEqual([1, 1, 1]);
  });

  it("comment always matches; LOG and TRACE go on to the next rule", () => {
    const l = router();
    const r = ns(l, "r");
    const rules: Partial<Rule>[] = [
      m({ kind: "comment", comment: "hello" }),
      { target: { kind: "LOG", prefix: "fwd: " } },
      { target: { kind: "TRACE" } },
      { target: { kind: "DROP" } },
    ];
    const made = rules.map((x) => append(r, "filter", "FORWARD", x));
    expect(pings(l, "h1", "198.51.100.7")).toBe(false);
    expect(made.map((x) => x.packets)).toEqual([1, 1, 1, 1]);
  });
});

describe("chains", () => {
  it("jump returns after the called chain, goto returns to the caller's caller, RETURN in a base chain is the policy", () => {
    const l = router();
    const r = ns(l, "r");
    chain(r, "filter", "A");
    chain(r, "filter", "B");
    const jumpA = append(r, "filter", "FORWARD", { target: { kind: "jump", chain: "A" } });
    const afterA = append(r, "filter", "FORWARD", {});
    const inA = append(r, "filter", "A", { target: { kind: "goto", chain: "B" } });
    const afterGoto = append(r, "filter", "A", {});
    const inB = append(r, "filter", "B", {});
    const ret = append(r, "filter", "FORWARD", { target: { kind: "RETURN" } });
    const never = append(r, "filter", "FORWARD", { target: { kind: "DROP" } });
    chain(r, "filter", "FORWARD", "DROP");
    expect(pings(l, "h1", "198.51.100.7")).toBe(false);
    expect([jumpA, afterA, inA, afterGoto, inB, ret, never].map((x) => x.packets)).toEqual([
      1, 1, 1, 0, 1, 1, 0,
    ]);
    expect(chain(r, "filter", "FORWARD").packets).toBe(1);
    expect(drops(l, "r")).toEqual(["FORWARD policy DROP"]);
  });

  it("a user chain's DROP names the chain", () => {
    const l = router();
    const r = ns(l, "r");
    chain(r, "filter", "DOCKER-ISOLATION-STAGE-2");
    append(r, "filter", "FORWARD", { target: { kind: "jump", chain: "DOCKER-ISOLATION-STAGE-2" } });
    append(r, "filter", "DOCKER-ISOLATION-STAGE-2", {
      outIface: { name: "eth2", invert: false },
      target: { kind: "DROP" },
    });
    expect(pings(l, "h1", "198.51.100.7")).toBe(false);
    expect(drops(l, "r")).toEqual(["filter/DOCKER-ISOLATION-STAGE-2 rule 1 DROP"]);
  });
});

describe("REJECT", () => {
  const reject = (w: string): Target => ({ kind: "REJECT", with: w });

  it.each([
    ["icmp-port-unreachable", "Destination Port Unreachable"],
    ["icmp-net-unreachable", "Destination Net Unreachable"],
    ["icmp-host-unreachable", "Destination Host Unreachable"],
    ["icmp-proto-unreachable", "Destination Protocol Unreachable"],
    ["icmp-net-prohibited", "Destination Net Prohibited"],
    ["icmp-host-prohibited", "Destination Host Prohibited"],
    ["icmp-admin-prohibited", "Packet filtered"],
  ])(
    "FORWARD --reject-with %s: ping says %s, from the router's address towards the sender",
    (w, text) => {
      const l = router();
      append(ns(l, "r"), "filter", "FORWARD", { target: reject(w) });
      const res = l.run("ip netns exec h1 ping -c1 -W1 198.51.100.7");
      expect(res.exit).toBe(1);
      expect(res.stdout).toContain(`From 192.0.2.1 icmp_seq=1 ${text}\n`);
      expect(res.stdout).toContain(
        "1 packets transmitted, 0 received, +1 errors, 100% packet loss",
      );
      expect(drops(l, "r")).toEqual(["filter/FORWARD rule 1 REJECT"]);
    },
  );

  it("INPUT: the error comes from the address that was pinged", () => {
    const l = router();
    append(ns(l, "r"), "filter", "INPUT", { target: reject("icmp-port-unreachable") });
    expect(l.run("ip netns exec h1 ping -c1 -W1 198.51.100.1").stdout).toContain(
      "From 198.51.100.1 icmp_seq=1 Destination Port Unreachable",
    );
  });

  it("OUTPUT: the error comes back to the sender itself; a DROP there is silent", () => {
    const l = router();
    append(ns(l, "r"), "filter", "OUTPUT", {
      dst: addr("198.51.100.7"),
      target: reject("icmp-port-unreachable"),
    });
    const rej = l.run("ip netns exec r ping -c1 -W1 198.51.100.7");
    expect(rej.stdout).toContain("From 198.51.100.1 icmp_seq=1 Destination Port Unreachable");
    expect(rej.stderr).toBe("ping: sendmsg: Operation not permitted\n");
    ns(l, "r").netfilter!.tables.get("filter")!.chains.get("OUTPUT")!.rules[0]!.target = {
      kind: "DROP",
    };
    const res = l.run("ip netns exec r ping -c1 -W1 198.51.100.7");
    expect(res.exit).toBe(1);
    expect(res.stdout).not.toContain("From");
    expect(res.stderr).toBe("");
  });

  it("the error quotes the rejected datagram (an 84-byte ping makes a 112-byte error)", () => {
    const l = router();
    append(ns(l, "r"), "filter", "FORWARD", { target: reject("icmp-port-unreachable") });
    const out = append(ns(l, "r"), "filter", "OUTPUT", {});
    l.run("ip netns exec h1 ping -c1 -W1 198.51.100.7");
    expect([out.packets, out.bytes]).toEqual([1, 112]);
  });

  it("tcp-reset: a RST from the destination's address to the sender", () => {
    const l = router();
    append(ns(l, "r"), "filter", "FORWARD", {
      proto: { proto: "tcp", invert: false },
      target: reject("tcp-reset"),
    });
    const rst = append(ns(l, "h1"), "filter", "INPUT", {
      src: addr("198.51.100.7"),
      matches: [
        { kind: "tcp", tcpFlags: { mask: ["RST", "ACK"], comp: ["RST", "ACK"], invert: false } },
      ],
      target: { kind: "DROP" },
    });
    send(l, "h1", tcp("192.0.2.2", "198.51.100.7", 40000, 80, { syn: true }));
    expect(rst.packets).toBe(1);
  });
});
