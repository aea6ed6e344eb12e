// The IPv6 link chatter in the simulator's captures: what tcpdump 4.99.3 prints for each
// kind (lines taken from captures on the kernel), and the sequence a link sends after it
// comes up. test/labs/tcpdump-05-ipv6-chatter.lab compares captures with the kernel.
import { describe, expect, it } from "vitest";
import type { Frame } from "../../../src/sim/kernel/netlink/index.js";
import { solicitedNode } from "../../../src/sim/kernel/ipv4/addrconf-chatter.js";
import { compileFilter } from "../../../src/sim/userland/tcpdump/filter.js";
import { etherLine, plainLine } from "../../../src/sim/userland/tcpdump/format.js";
import { Lab } from "./ip-helpers.js";

const MAC = "d6:6c:8b:0a:0e:84";
const LL = "fe80::d46c:8bff:fe0a:e84";
const frame = (dst: string, payload: Frame["payload"]): Frame => ({ src: MAC, dst, payload });
const report = (src: string, records = 1): Frame =>
  frame("33:33:00:00:00:16", {
    proto: "ipv6",
    what: "mld-report",
    src,
    dst: "ff02::16",
    records,
  });
const dad = frame("33:33:ff:0a:0e:84", {
  proto: "ipv6",
  what: "dad-ns",
  src: "::",
  dst: "ff02::1:ff0a:e84",
  target: LL,
});
const rs = frame("33:33:00:00:00:02", {
  proto: "ipv6",
  what: "router-solicit",
  src: LL,
  dst: "ff02::2",
});

describe("tcpdump's IPv6 chatter lines", () => {
  const plain = (f: Frame) => plainLine(f, new Map(), 1460, 0);
  const ether = (f: Frame) => etherLine(f, new Map(), 1460, 0);

  it("prints them as tcpdump -n does", () => {
    expect(plain(report("::"))).toBe(
      "IP6 :: > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s), length 28",
    );
    expect(plain(report(LL, 2))).toBe(
      `IP6 ${LL} > ff02::16: HBH ICMP6, multicast listener report v2, 2 group record(s), length 48`,
    );
    expect(plain(dad)).toBe(
      `IP6 :: > ff02::1:ff0a:e84: ICMP6, neighbor solicitation, who has ${LL}, length 32`,
    );
    expect(plain(rs)).toBe(`IP6 ${LL} > ff02::2: ICMP6, router solicitation, length 16`);
  });

  it("prints the Ethernet header and frame length with -e", () => {
    expect(ether(report("::"))).toBe(
      `${MAC} > 33:33:00:00:00:16, ethertype IPv6 (0x86dd), length 90: :: > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s), length 28`,
    );
    expect(ether(report("::", 2))).toMatch(/, length 110: /);
    expect(ether(dad)).toBe(
      `${MAC} > 33:33:ff:0a:0e:84, ethertype IPv6 (0x86dd), length 86: :: > ff02::1:ff0a:e84: ICMP6, neighbor solicitation, who has ${LL}, length 32`,
    );
    expect(ether(rs)).toMatch(/ethertype IPv6 \(0x86dd\), length 70: /);
  });

  it("filters them with ip6 and icmp6 (which does not see past a hop-by-hop header)", () => {
    const m = (e: string) => compileFilter([e]);
    for (const f of [report("::"), dad, rs]) {
      expect(m("ip6")(f)).toBe(true);
      expect(m("ip or arp")(f)).toBe(false);
    }
    expect(m("icmp6")(dad)).toBe(true);
    expect(m("icmp6")(rs)).toBe(true);
    expect(m("icmp6")(report("::"))).toBe(false);
  });

  it("names the solicited-node group of an address", () => {
    expect(solicitedNode(LL)).toEqual({ ip: "ff02::1:ff0a:e84", mac: "33:33:ff:0a:0e:84" });
    expect(solicitedNode("fe80::1")).toEqual({ ip: "ff02::1:ff00:1", mac: "33:33:ff:00:00:01" });
  });
});

describe("a link's chatter after it comes up", () => {
  it("reports from ::, probes, then reports and solicits routers from its link-local", () => {
    const l = new Lab();
    l.setup(
      "ip link add va type veth peer name vb",
      "ip link set vb addrgenmode none",
      "ip link set va up",
      // No carrier before vb is up: no link-local address and no chatter yet.
      "tcpdump -ni va ip6 &",
      "ip link set vb up",
      "sleep 20",
    );
    const lines = l
      .run("kill %1")
      .stdout.trim()
      .split("\n")
      .map((s) => s.replace(/^\S+ /, ""));
    const ll = /^IP6 (fe80::\S+) >/.exec(lines.find((s) => s.startsWith("IP6 fe80")) ?? "")?.[1];
    expect(ll).toBeDefined();
    const sn = `ff02::1:ff${ll!.split(":").slice(-2).join(":").slice(2)}`;
    const what = lines.map((s) =>
      s
        .replace(ll!, "LL")
        .replace(sn, "SN")
        .replace(/, length \d+$/, ""),
    );
    const report = (from: string) =>
      `IP6 ${from} > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s)`;
    const solicit = "IP6 LL > ff02::2: ICMP6, router solicitation";
    expect(what[0]).toBe(report("::"));
    // The repeated report and the DAD probe each come within a second, in either order.
    expect(what.slice(1, 3).sort()).toEqual([
      "IP6 :: > SN: ICMP6, neighbor solicitation, who has LL",
      report("::"),
    ]);
    // DAD done a second after the probe; the report's repeat; solicitations ~4 s and ~8 s apart.
    expect(what.slice(3)).toEqual([report("LL"), solicit, report("LL"), solicit, solicit]);
  });

  it("says nothing with addrgenmode none, and stops when the link goes down", () => {
    const l = new Lab();
    l.setup(
      "ip link add va type veth peer name vb",
      "ip link set va addrgenmode none",
      "ip link set vb addrgenmode none",
      "ip link set va up",
      "ip link set vb up",
      "tcpdump -ni va &",
      "sleep 5",
    );
    expect(l.run("kill %1").stdout).toBe("\n");
    const m = new Lab();
    m.setup(
      "ip link add va type veth peer name vb",
      "ip link set vb addrgenmode none",
      "ip link set va up",
      "ip link set vb up",
      "sleep 3",
      "tcpdump -ni vb &",
      "ip link set va down",
      "sleep 30",
    );
    expect(m.run("kill %1").stdout).toBe("\n");
  });
});
