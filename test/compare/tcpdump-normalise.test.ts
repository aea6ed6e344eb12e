import { describe, expect, it } from "vitest";
import { sameResult } from "../../src/compare/normalise.js";

const res = (stdout: string, stderr = "") => ({ exit: 0, stdout, stderr });

describe("capture normalisation (kill %N)", () => {
  it("replaces the clock, ICMP ids, ISNs, windows, TCP timestamps and ephemeral ports", () => {
    const kernel =
      "04:25:37.135814 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 22, seq 1, length 64\n" +
      "04:25:37.689789 IP 10.0.0.2.8080 > 10.0.0.1.38220: Flags [S.], seq 3287561710, ack 3782413800, win 65160, options [mss 1460,sackOK,TS val 1275427780 ecr 2932428379,nop,wscale 10], length 0\n";
    const sim =
      "00:00:01.100000 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 26293, seq 1, length 64\n" +
      "00:00:01.300000 IP 10.0.0.2.8080 > 10.0.0.1.41000: Flags [S.], seq 1124133501, ack 1703144489, win 65535, options [mss 1460,sackOK,TS val 1300 ecr 1300,nop,wscale 7], length 0\n";
    expect(sameResult(res(kernel), res(sim), "kill %1")).toBe(true);
    // Only for the line that prints a capture.
    expect(sameResult(res(kernel), res(sim), "ip link")).toBe(false);
  });

  it("keeps sequence numbers, flags, lengths, well-known ports and the captured count", () => {
    const line = (s: string) => `04:25:37.135814 IP 10.0.0.1.38220 > 10.0.0.2.8080: ${s}\n`;
    const a = line("Flags [F.], seq 1, ack 1, win 63, length 0");
    for (const b of [
      line("Flags [F.], seq 2, ack 1, win 63, length 0"),
      line("Flags [.], seq 1, ack 1, win 63, length 0"),
      line("Flags [F.], seq 1, ack 1, win 63, length 1"),
      a.replace("8080", "8081"),
    ]) {
      expect(sameResult(res(a), res(b), "kill %1")).toBe(false);
    }
    const stats = (c: number, r: number) =>
      `${c} packets captured\n${r} packets received by filter\n0 packets dropped by kernel\n`;
    expect(sameResult(res("", stats(3, 15)), res("", stats(3, 3)), "kill %2")).toBe(true);
    expect(sameResult(res("", stats(3, 3)), res("", stats(4, 4)), "kill %2")).toBe(false);
  });
});
