// The netfilter hooks in the simulated IPv4 stack: which tables a packet meets, in which
// order, with which devices; policies and counters as `iptables -L -v -x` shows them after
// traffic (checked on kernel 6.18 with iptables-nft 1.8.9: a forwarded 84-byte ping
// counts 84 bytes, the IP total length); chains that do not exist are not walked.
import { describe, expect, it } from "vitest";
import { nfHook } from "../../../src/sim/kernel/netfilter/eval.js";
import type { HookName, TableName } from "../../../src/sim/kernel/netfilter/types.js";
import { addr, append, chain, counters, drops, Lab, nf, ns, pings, router } from "./nf-helpers.js";

/** Records (table/chain in/out) for every hook a ping walks, through a counting rule each. */
function watch(n: ReturnType<typeof ns>, where: [TableName, HookName][]): string[] {
  const seen: string[] = [];
  for (const [t, h] of where) {
    const r = append(n, t, h, {});
    const orig = r;
    Object.defineProperty(orig, "packets", {
      get: () => 0,
      set: () => seen.push(`${t}/${h}`),
      configurable: true,
    });
  }
  return seen;
}

const EVERY: [TableName, HookName][] = [
  ["raw", "PREROUTING"],
  ["mangle", "PREROUTING"],
  ["nat", "PREROUTING"],
  ["mangle", "INPUT"],
  ["filter", "INPUT"],
  ["security", "INPUT"],
  ["nat", "INPUT"],
  ["mangle", "FORWARD"],
  ["filter", "FORWARD"],
  ["security", "FORWARD"],
  ["raw", "OUTPUT"],
  ["mangle", "OUTPUT"],
  ["nat", "OUTPUT"],
  ["filter", "OUTPUT"],
  ["security", "OUTPUT"],
  ["mangle", "POSTROUTING"],
  ["nat", "POSTROUTING"],
];

describe("hook order", () => {
  it("a forwarded packet: PREROUTING raw, mangle, nat; FORWARD mangle, filter, security; POSTROUTING mangle, nat", () => {
    const l = router();
    const r = ns(l, "r");
    // A conntrack rule turns tracking on, so the nat chains see the first packet.
    append(r, "raw", "PREROUTING", {
      matches: [{ kind: "conntrack", ctstate: ["NEW"], invert: true }],
    });
    const seen = watch(r, EVERY);
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(seen).toEqual([
      // the echo request, a new connection: nat sees it
      "raw/PREROUTING",
      "mangle/PREROUTING",
      "nat/PREROUTING",
      "mangle/FORWARD",
      "filter/FORWARD",
      "security/FORWARD",
      "mangle/POSTROUTING",
      "nat/POSTROUTING",
      // the reply: established, nat does not
      "raw/PREROUTING",
      "mangle/PREROUTING",
      "mangle/FORWARD",
      "filter/FORWARD",
      "security/FORWARD",
      "mangle/POSTROUTING",
    ]);
  });

  it("a ping of the host itself: PREROUTING, INPUT (nat last); the reply OUTPUT then POSTROUTING", () => {
    const l = router();
    const r = ns(l, "r");
    append(r, "raw", "OUTPUT", { matches: [{ kind: "state", state: ["INVALID"], invert: false }] });
    const seen = watch(r, EVERY);
    expect(pings(l, "h1", "192.0.2.1")).toBe(true);
    expect(seen).toEqual([
      "raw/PREROUTING",
      "mangle/PREROUTING",
      "nat/PREROUTING",
      "mangle/INPUT",
      "filter/INPUT",
      "security/INPUT",
      "nat/INPUT",
      "raw/OUTPUT",
      "mangle/OUTPUT",
      "filter/OUTPUT",
      "security/OUTPUT",
      "mangle/POSTROUTING",
    ]);
  });

  it("without conntrack the nat chains never run (nf_nat_inet_fn needs an entry)", () => {
    const l = router();
    const r = ns(l, "r");
    const pre = append(r, "nat", "PREROUTING", {});
    const post = append(r, "nat", "POSTROUTING", {});
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(counters(pre)).toEqual([0, 0]);
    expect(counters(post)).toEqual([0, 0]);
    expect(chain(r, "nat", "POSTROUTING").packets).toBe(0);
  });

  it("passes the devices: in on PREROUTING/INPUT/FORWARD, out on FORWARD/OUTPUT/POSTROUTING", () => {
    const l = router();
    const r = ns(l, "r");
    const hit = (h: HookName, i?: string, o?: string) =>
      append(r, "mangle", h, {
        inIface: i ? { name: i, invert: false } : undefined,
        outIface: o ? { name: o, invert: false } : undefined,
      });
    const pre = hit("PREROUTING", "eth1");
    const fwd = hit("FORWARD", "eth1", "eth2");
    const post = hit("POSTROUTING", undefined, "eth2");
    const out = hit("OUTPUT", undefined, "eth1");
    const inp = hit("INPUT", "eth1");
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(pings(l, "h1", "192.0.2.1")).toBe(true);
    expect([pre, fwd, post, out, inp].map((x) => x.packets)).toEqual([2, 1, 1, 1, 1]);
  });
});

describe("policies and counters", () => {
  it("FORWARD policy DROP counts the dropped packet and records the reason", () => {
    const l = router();
    const r = ns(l, "r");
    const fwd = chain(r, "filter", "FORWARD", "DROP");
    expect(pings(l, "h1", "198.51.100.7")).toBe(false);
    expect(counters(fwd)).toEqual([1, 84]);
    expect(drops(l, "r")).toEqual(["FORWARD policy DROP"]);
    // The router's own addresses still answer: INPUT and OUTPUT are not FORWARD.
    expect(pings(l, "h1", "198.51.100.1")).toBe(true);
  });

  it("rule counters: packets and bytes of IP datagrams that matched every condition", () => {
    const l = router();
    const r = ns(l, "r");
    chain(r, "filter", "FORWARD", "DROP");
    const out = append(r, "filter", "FORWARD", {
      inIface: { name: "eth1", invert: false },
      target: { kind: "ACCEPT" },
    });
    const back = append(r, "filter", "FORWARD", {
      matches: [{ kind: "conntrack", ctstate: ["RELATED", "ESTABLISHED"], invert: false }],
      target: { kind: "ACCEPT" },
    });
    expect(l.run("ip netns exec h1 ping -c3 -i0.2 -W1 198.51.100.7").exit).toBe(0);
    expect(counters(out)).toEqual([3, 252]);
    expect(counters(back)).toEqual([3, 252]);
    expect(counters(chain(r, "filter", "FORWARD"))).toEqual([0, 0]);
  });

  it("a rule's drop reason names its table, chain and number", () => {
    const l = router();
    const r = ns(l, "r");
    append(r, "filter", "FORWARD", { src: addr("203.0.113.0/24") });
    append(r, "filter", "FORWARD", { dst: addr("198.51.100.7"), target: { kind: "DROP" } });
    expect(pings(l, "h1", "198.51.100.7")).toBe(false);
    expect(drops(l, "r")).toEqual(["filter/FORWARD rule 2 DROP"]);
  });

  it("a chain that does not exist is not walked and counts nothing", () => {
    const l = router();
    const r = ns(l, "r");
    const st = nf(r);
    // The filter table exists with only INPUT: FORWARD is absent in the kernel.
    chain(r, "filter", "INPUT");
    expect(st.tables.get("filter")!.chains.has("FORWARD")).toBe(false);
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(st.tables.get("filter")!.chains.has("FORWARD")).toBe(false);
  });

  it("policy counters count only once -P gave the chain counters, from zero", () => {
    const l = router();
    const r = ns(l, "r");
    // Made by -A: no counters, the policy shows 0 whatever passes.
    const fwd = chain(r, "filter", "FORWARD");
    append(r, "filter", "FORWARD", { src: addr("203.0.113.9") });
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(counters(fwd)).toEqual([0, 0]);
    chain(r, "filter", "FORWARD", "ACCEPT");
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(counters(fwd)).toEqual([2, 168]);
  });

  it("no netfilter state: nfHook accepts the packet untouched", () => {
    const l = new Lab();
    const root = ns(l);
    expect(root.netfilter).toBeUndefined();
    const pkt = {
      proto: "ipv4" as const,
      src: 1,
      dst: 2,
      ttl: 64,
      id: 0,
      l4: {
        proto: "icmp" as const,
        type: 8 as const,
        code: 0 as const,
        id: 1,
        seq: 1,
        dataLen: 56,
      },
    };
    const res = nfHook(root, "PREROUTING", pkt, {});
    expect(res.verdict).toEqual({ kind: "accept" });
    expect(res.pkt).toBe(pkt);
  });
});

describe("br_netfilter", () => {
  /** Two namespaces on br0 in the root namespace. */
  function bridged(): Lab {
    const l = new Lab();
    l.setup(
      "ip netns add netns0",
      "ip netns add netns1",
      "ip link add br0 type bridge",
      "ip link set br0 up",
      "ip link add veth0 type veth peer name ceth0 netns netns0",
      "ip link add veth1 type veth peer name ceth1 netns netns1",
      "ip link set veth0 master br0",
      "ip link set veth1 master br0",
      "ip link set veth0 up",
      "ip link set veth1 up",
      "ip -n netns0 link set ceth0 up",
      "ip -n netns1 link set ceth1 up",
      "ip -n netns0 addr add 172.18.0.10/16 dev ceth0",
      "ip -n netns1 addr add 172.18.0.20/16 dev ceth1",
    );
    return l;
  }

  it("bridged IPv4 walks FORWARD with in = out = the bridge; policy DROP stops it", () => {
    const l = bridged();
    const root = ns(l);
    const fwd = chain(root, "filter", "FORWARD", "DROP");
    expect(pings(l, "netns0", "172.18.0.20")).toBe(false);
    expect(counters(fwd)).toEqual([1, 84]);
    expect(drops(l, "(root)")).toEqual(["FORWARD policy DROP"]);
    const ok = append(root, "filter", "FORWARD", {
      inIface: { name: "br0", invert: false },
      outIface: { name: "br0", invert: false },
      target: { kind: "ACCEPT" },
    });
    expect(pings(l, "netns0", "172.18.0.20")).toBe(true);
    expect(counters(ok)).toEqual([2, 168]);
  });

  it("only while bridge-nf-call-iptables is 1", () => {
    const l = bridged();
    const root = ns(l);
    chain(root, "filter", "FORWARD", "DROP");
    l.setup("sysctl -qw net.bridge.bridge-nf-call-iptables=0");
    expect(pings(l, "netns0", "172.18.0.20")).toBe(true);
    expect(chain(root, "filter", "FORWARD").packets).toBe(0);
  });

  it("physdev sees the ports; PREROUTING in = br0, POSTROUTING out = br0", () => {
    const l = bridged();
    const root = ns(l);
    const phys = append(root, "filter", "FORWARD", {
      matches: [
        {
          kind: "physdev",
          in: { name: "veth0", invert: false },
          out: { name: "veth1", invert: false },
        },
      ],
    });
    const bridgedOnly = append(root, "filter", "FORWARD", {
      matches: [{ kind: "physdev", isBridged: { invert: false } }],
    });
    const pre = append(root, "raw", "PREROUTING", { inIface: { name: "br0", invert: false } });
    const post = append(root, "mangle", "POSTROUTING", {
      outIface: { name: "br0", invert: false },
    });
    expect(pings(l, "netns0", "172.18.0.20")).toBe(true);
    expect(phys.packets).toBe(1);
    expect(bridgedOnly.packets).toBe(2);
    expect(pre.packets).toBe(2);
    expect(post.packets).toBe(2);
  });

  it("frames for the host take PREROUTING on the bridge once, then INPUT with the port as physdev", () => {
    const l = bridged();
    l.setup("ip addr add 172.18.0.1/16 dev br0");
    const root = ns(l);
    const pre = append(root, "mangle", "PREROUTING", {});
    const inp = append(root, "filter", "INPUT", {
      inIface: { name: "br0", invert: false },
      matches: [{ kind: "physdev", in: { name: "veth0", invert: false } }],
    });
    expect(pings(l, "netns0", "172.18.0.1")).toBe(true);
    expect(pre.packets).toBe(1);
    expect(inp.packets).toBe(1);
  });
});
