// tcpdump's DNS decoder (print-domain.c without -v) for the forms lab tcpdump-03-dns
// does not reach: the AAAA and PTR questions, empty and PTR answers (their order races on
// the kernel), error codes, header flags, mDNS and datagrams too short for a header. The
// expected texts are what tcpdump 4.99.3 -nr printed for the same messages in a pcap file.
// Then captures on lo.
import { describe, expect, it } from "vitest";
import type { DnsMessage } from "../../../src/sim/kernel/netlink/index.js";
import { domainText, dnsPortText } from "../../../src/sim/userland/tcpdump/format-dns.js";
import { plainLine } from "../../../src/sim/userland/tcpdump/format.js";
import { queryLength, responseLength } from "../../../src/sim/userland/dns-wire.js";
import { Lab } from "./ip-helpers.js";

const query = (qname: string, qtype: DnsMessage["qtype"], id = 4242): DnsMessage => ({
  id,
  response: false,
  qname,
  qtype,
  rcode: 0,
  answers: [],
});
const answer = (q: DnsMessage, answers: DnsMessage["answers"], rcode = 0): DnsMessage => ({
  ...q,
  response: true,
  rcode,
  answers,
});
const PTR_Q = "3.0.18.172.in-addr.arpa";
const flags = { opcode: 0, aa: false, tc: false, rd: true, ra: true, ad: false, cd: false };

describe("tcpdump's DNS decode", () => {
  it("prints glibc's questions with RD set, the name with its final dot", () => {
    expect(domainText(query("cb", "A"), queryLength("cb"), false)).toBe("4242+ A? cb. (20)");
    expect(domainText(query("cb.n1", "AAAA"), queryLength("cb.n1"), false)).toBe(
      "4242+ AAAA? cb.n1. (23)",
    );
    expect(domainText(query(PTR_Q, "PTR"), queryLength(PTR_Q), false)).toBe(
      `4242+ PTR? ${PTR_Q}. (41)`,
    );
    expect(domainText(query("", "A"), 17, false)).toBe("4242+ A? . (17)");
  });

  it("prints dockerd's answers: counts, then each record; an empty one is 0/0/0", () => {
    const a = answer(query("cb", "A"), [{ type: "A", addr: 0xac120003 }]);
    expect(domainText(a, responseLength(a), false)).toBe("4242 1/0/0 A 172.18.0.3 (38)");
    const aaaa = answer(query("cb", "AAAA"), []);
    expect(domainText(aaaa, responseLength(aaaa), false)).toBe("4242 0/0/0 (20)");
    const ptr = answer(query(PTR_Q, "PTR"), [{ type: "PTR", name: "cb.n1" }]);
    expect(domainText(ptr, responseLength(ptr), false)).toBe("4242 1/0/0 PTR cb.n1. (83)");
    const two = answer(query("x", "A"), [
      { type: "A", addr: 0x0a000001 },
      { type: "A", addr: 0x0a000002 },
    ]);
    expect(domainText(two, 53, false)).toBe("4242 2/0/0 A 10.0.0.1, A 10.0.0.2 (53)");
  });

  it("names the error codes and the header's flags", () => {
    const q = query("nosuch", "A");
    expect(domainText(answer(q, [], 3), 24, false)).toBe("4242 NXDomain 0/0/0 (24)");
    expect(domainText(answer(q, [], 2), 24, false)).toBe("4242 ServFail 0/0/0 (24)");
    expect(domainText(answer(q, [], 5), 24, false)).toBe("4242 Refused 0/0/0 (24)");
    expect(domainText(answer(q, [], 11), 24, false)).toBe("4242 Resp11 0/0/0 (24)");
    const r = answer(q, [], 3);
    // Authoritative, recursion not available, truncated, authentic data.
    expect(domainText(r, 24, false, { ...flags, aa: true, ra: false, tc: true, ad: true })).toBe(
      "4242 NXDomain*-|$ 0/0/0 (24)",
    );
    // A question without RD; with CD; with a flag a question should not carry.
    expect(domainText(q, 24, false, { ...flags, rd: false, ra: false })).toBe(
      "4242 A? nosuch. (24)",
    );
    expect(domainText(q, 24, false, { ...flags, ra: false, cd: true })).toBe(
      "4242+% A? nosuch. (24)",
    );
    expect(domainText(q, 24, false, { ...flags, ra: false, tc: true })).toBe(
      "4242+ [b2&3=0x300] A? nosuch. (24)",
    );
    expect(domainText(q, 24, false, { ...flags, ra: false, opcode: 4 })).toBe(
      "4242 notify+ A? nosuch. (24)",
    );
  });

  it("marks an mDNS question's class bit (QM), and escapes a name's odd bytes", () => {
    expect(domainText(query("cb.local", "A", 0), 26, true)).toBe("0+ A (QM)? cb.local. (26)");
    expect(domainText(query("a\u0001b", "A"), 21, false)).toBe("4242+ A? a^Ab. (21)");
  });
});

describe("tcpdump's UDP decode by port", () => {
  const ip = { proto: "ipv4" as const, src: 0x0a000001, dst: 0x0a000002, ttl: 64, id: 1 };
  const l4 = (sport: number, dport: number, len: number, dns?: DnsMessage) => ({
    proto: "udp" as const,
    sport,
    dport,
    payload: { kind: "data" as const, len, dns },
  });
  const udp = (sport: number, dport: number, len: number, dns?: DnsMessage) => {
    const payload = { ...ip, l4: l4(sport, dport, len, dns) };
    return { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02", payload };
  };
  const line = (f: ReturnType<typeof udp>) => plainLine(f, new Map(), 1460, 0);

  it("decodes 53 and 5353 at either end, and only those", () => {
    const q = query("cb", "A");
    expect(line(udp(40000, 53, 20, q))).toBe("IP 10.0.0.1.40000 > 10.0.0.2.53: 4242+ A? cb. (20)");
    expect(line(udp(5353, 5353, 20, q))).toBe(
      "IP 10.0.0.1.5353 > 10.0.0.2.5353: 4242+ A (QM)? cb. (20)",
    );
    expect(line(udp(40000, 54, 20, q))).toBe("IP 10.0.0.1.40000 > 10.0.0.2.54: UDP, length 20");
  });

  it("calls a datagram shorter than a DNS header invalid", () => {
    expect(dnsPortText(l4(53, 40000, 1))).toBe("domain [length 1 < 12] (invalid)");
    expect(dnsPortText(l4(40000, 5353, 0))).toBe("domain [length 0 < 12] (invalid)");
    expect(dnsPortText(l4(40000, 80, 1))).toBeUndefined();
  });
});

describe("tcpdump -i lo", () => {
  it("shows each loopback packet once, as received (libpcap skips lo's outgoing copy)", () => {
    const l = new Lab();
    l.setup(
      "ip netns add a",
      "ip -n a link set lo up",
      "ip netns exec a tcpdump -ni lo &",
      "ip netns exec a tcpdump -ni any &",
      "ip netns exec a ping -c 1 127.0.0.1",
    );
    const lines = (s: string) => s.split("\n").filter((x) => x !== "");
    expect(lines(l.run("kill %1").stdout).map((x) => x.slice(16))).toEqual([
      expect.stringMatching(/^IP 127\.0\.0\.1 > 127\.0\.0\.1: ICMP echo request, id \d+, seq 1/),
      expect.stringMatching(/^IP 127\.0\.0\.1 > 127\.0\.0\.1: ICMP echo reply, id \d+, seq 1/),
    ]);
    const any = lines(l.run("kill %2").stdout);
    expect(any).toHaveLength(2);
    for (const x of any) expect(x.slice(16)).toMatch(/^lo {4}In {2}IP 127\.0\.0\.1 > /);
  });
});
