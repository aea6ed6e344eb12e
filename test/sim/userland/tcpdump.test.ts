// tcpdump in the simulator: its filter language and what `kill %N` prints. The decodes
// are checked against the kernel by test/labs/tcpdump-*.lab.
import { describe, expect, it } from "vitest";
import { compileFilter, FilterError } from "../../../src/sim/userland/tcpdump/filter.js";
import { Lab } from "./ip-helpers.js";

const arp = {
  src: "02:00:00:00:00:01",
  dst: "ff:ff:ff:ff:ff:ff",
  payload: {
    proto: "arp" as const,
    op: "request" as const,
    senderMac: "02:00:00:00:00:01",
    senderIp: 0x0a000001,
    targetMac: "00:00:00:00:00:00",
    targetIp: 0x0a000002,
  },
};
const udp = {
  src: "02:00:00:00:00:01",
  dst: "02:00:00:00:00:02",
  payload: {
    proto: "ipv4" as const,
    src: 0x0a000001,
    dst: 0x0a000002,
    ttl: 64,
    id: 1,
    l4: {
      proto: "udp" as const,
      sport: 40000,
      dport: 53,
      payload: { kind: "data" as const, len: 4 },
    },
  },
};

describe("tcpdump filters", () => {
  it("matches protocols, hosts and ports with and/or/not and parentheses", () => {
    const m = (e: string) => compileFilter([e]);
    expect(m("arp")(arp)).toBe(true);
    expect(m("udp and port 53")(udp)).toBe(true);
    expect(m("src port 53")(udp)).toBe(false);
    expect(m("dst host 10.0.0.2 and not arp")(udp)).toBe(true);
    expect(m("host 10.0.0.1")(arp)).toBe(true);
    expect(m("dst host 10.0.0.1")(arp)).toBe(false);
    expect(m("(icmp or tcp) || arp")(udp)).toBe(false);
    expect(m("!(icmp or tcp)")(udp)).toBe(true);
    expect(compileFilter(["icmp", "or", "udp"])(udp)).toBe(true);
  });

  it("gives libpcap's errors, and refuses the rest of the language as not simulated", () => {
    const err = (e: string) => {
      try {
        compileFilter([e]);
      } catch (x) {
        return x instanceof FilterError ? [x.message, x.notSimulated] : x;
      }
      return undefined;
    };
    expect(err("icmp and")).toEqual(["can't parse filter expression: syntax error", false]);
    expect(err("port 70000")).toEqual(["illegal port number 70000 > 65535", false]);
    expect(err("host 10.0.0.300")).toEqual(["invalid IPv4 address '10.0.0.300'", false]);
    expect(err("net 10.0.0.0/24")).toEqual(['tcpdump filter "net"', true]);
  });
});

describe("tcpdump and kill %N", () => {
  it("prints a capture when it is killed, once", () => {
    const l = new Lab();
    l.setup(
      "ip link add va type veth peer name vb",
      "ip link set va up",
      "ip link set vb up",
      "tcpdump -ni vb arp &",
      "nc -lk 80 &",
    );
    const r = l.run("kill %1");
    expect(r.exit).toBe(0);
    expect(r.stdout).toBe("\n");
    expect(r.stderr).toMatch(
      /^tcpdump: verbose output suppressed.*\nlistening on vb, link-type EN10MB/,
    );
    expect(r.stderr).toMatch(
      /\n0 packets captured\n0 packets received by filter\n0 packets dropped by kernel\n$/,
    );
    expect(l.run("kill %1")).toEqual({ exit: 1, stdout: "", stderr: "kill: %1: no such job\n" });
    expect(l.run("kill %2").stderr).toMatch(/job 2 is not a tcpdump capture/);
  });

  it("refuses the options it does not model as not simulated", () => {
    const l = new Lab();
    l.setup("ip link add va type veth peer name vb", "tcpdump -vni va &");
    expect(l.run("kill %1").stderr).toBe(
      "packetwalk: tcpdump -v is not simulated (run it with --kernel)\n",
    );
  });
});
