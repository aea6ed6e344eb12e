// Link chatter in captures is compared by count only in a note, not line by line (lines
// from captures on the kernel, tcpdump 4.99.3).
import { describe, expect, it } from "vitest";
import { chatterNote, foldChatter } from "../../src/compare/capture-chatter.js";
import { differences } from "../../src/compare/diff.js";
import { sameResult } from "../../src/compare/normalise.js";

const stats = (n: number) =>
  "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n" +
  "listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n" +
  `${n} packet${n === 1 ? "" : "s"} captured\n${n} packet${n === 1 ? "" : "s"} received by filter\n` +
  "0 packets dropped by kernel\n";
const res = (lines: string[]) => ({
  exit: 0,
  stdout: lines.map((l) => `${l}\n`).join("") + "\n",
  stderr: stats(lines.length),
});

const ARP = "17:02:10.813026 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28";
const PING = "17:02:10.813097 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 39, seq 1, length 64";
const KERNEL_CHATTER = [
  "17:02:10.839527 IP6 :: > ff02::1:ff0a:e84: ICMP6, neighbor solicitation, who has fe80::d46c:8bff:fe0a:e84, length 32",
  "17:02:10.939496 IP6 :: > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s), length 28",
  "17:02:11.847646 IP6 fe80::d46c:8bff:fe0a:e84 > ff02::2: ICMP6, router solicitation, length 16",
  "17:02:27.651559 IP 0.0.0.0 > 224.0.0.22: igmp v3 report, 1 group record(s)",
  "17:02:27.175561 eth0  M   IP6 :: > ff02::16: HBH ICMP6, multicast listener report v2, 2 group record(s), length 48",
  "17:02:11.203570 d6:6d:7d:c7:4b:98 > 33:33:ff:c7:4b:98, ethertype IPv6 (0x86dd), length 86: :: > ff02::1:ffc7:4b98: ICMP6, neighbor solicitation, who has fe80::d46d:7dff:fec7:4b98, length 32",
];

describe("link chatter in captures", () => {
  it("is left out on both sides, with the captured count lowered by as many", () => {
    const kernel = res([KERNEL_CHATTER[0]!, ARP, ...KERNEL_CHATTER.slice(1), PING]);
    const sim = res([
      ARP.replace("17:02:10.813026", "00:00:00.000000"),
      "00:00:00.227000 IP6 :: > ff02::1:ffe1:1e84: ICMP6, neighbor solicitation, who has fe80::a872:5fff:fee1:1e84, length 32",
      PING.replace("id 39", "id 4242"),
    ]);
    expect(foldChatter(kernel).folded).toBe(6);
    expect(foldChatter(kernel).result.stderr).toMatch(/^2 packets captured$/m);
    expect(sameResult(sim, kernel, "kill %1")).toBe(true);
    expect(chatterNote(sim, kernel, "kill %1")).toBe(
      "link chatter (IPv6 MLD/DAD/RS, IGMP: random moments) not compared: simulator 1 packet, kernel 6 packets",
    );
  });

  it("counts in tcpdump's singular too: one packet of chatter against none", () => {
    const one = res([KERNEL_CHATTER[1]!]);
    expect(one.stderr).toMatch(/^1 packet captured\n1 packet received by filter$/m);
    expect(foldChatter(one).result.stderr).toMatch(/^0 packets captured$/m);
    expect(sameResult(res([]), one, "kill %4")).toBe(true);
  });

  it("keeps everything else compared exactly", () => {
    const kernel = res([ARP, ...KERNEL_CHATTER, PING]);
    // A packet missing, or IPv6 that is not to a link-scope group, is a difference.
    expect(sameResult(res([ARP]), kernel, "kill %1")).toBe(false);
    const unicast =
      "17:02:12.000000 IP6 fe80::1 > fe80::2: ICMP6, echo request, id 1, seq 1, length 64";
    expect(sameResult(res([ARP, unicast, PING]), res([ARP, PING]), "kill %1")).toBe(false);
    const d = differences(res([ARP]), kernel, "kill %1");
    expect(d.map((x) => x.field)).toEqual(["stdout", "stderr"]);
    expect(d[1]!.lines).toContain("+ 2 packets captured");
  });

  it("takes a tunnel's outer line with its chatter, and only folds capture output", () => {
    const vxlan = [
      "17:00:00.000000 IP 192.168.1.1.40000 > 192.168.1.2.4789: VXLAN, flags [I] (0x08), vni 42",
      "IP6 :: > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s), length 28",
    ];
    const r = { exit: 0, stdout: `${vxlan.join("\n")}\n${PING}\n\n`, stderr: stats(2) };
    const f = foldChatter(r);
    expect(f.folded).toBe(1);
    expect(f.result.stdout).toBe(`${PING}\n\n`);
    // tcpdump's singular, as tcpdump itself prints it.
    expect(f.result.stderr).toMatch(/^1 packet captured$/m);
    expect(chatterNote(r, r, "ip link")).toBeUndefined();
    expect(chatterNote(res([PING]), res([PING]), "kill %1")).toBeUndefined();
  });
});
