import { describe, expect, it } from "vitest";
import { sameResult } from "../../src/compare/normalise.js";

const res = (stdout: string) => ({ exit: 0, stdout, stderr: "" });
const same = (a: string, b: string) => sameResult(res(a), res(b), "kill %1");

describe("capture normalisation of DNS (kill %N)", () => {
  it("replaces the transaction id of a datagram on 53 or 5353, at either end", () => {
    expect(
      same(
        "17:05:14.737710 IP 172.18.0.2.39689 > 192.0.2.53.53: 12564+ A? nosuch. (24)\n" +
          "17:01:41.693614 lo    In  IP 127.0.0.11.53 > 127.0.0.1.45394: 19267 1/0/0 A 172.18.0.3 (38)\n" +
          "17:01:41.693614 IP 10.0.0.1.5353 > 224.0.0.251.5353: 0 [2q] 0/0/0 (40)\n",
        "00:00:07.600000 IP 172.18.0.2.39164 > 192.0.2.53.53: 54280+ A? nosuch. (24)\n" +
          "00:00:05.600000 lo    In  IP 127.0.0.11.53 > 127.0.0.1.57003: 60192 1/0/0 A 172.18.0.3 (38)\n" +
          "00:00:05.600000 IP 10.0.0.1.5353 > 224.0.0.251.5353: 17 [2q] 0/0/0 (40)\n",
      ),
    ).toBe(true);
  });

  it("keeps the rest of the decode, and numbers after other ports", () => {
    const a = "17:05:14.737710 IP 172.18.0.2.39689 > 192.0.2.53.53: 12564+ A? nosuch. (24)\n";
    for (const b of [
      a.replace("A?", "AAAA?"),
      a.replace("12564+", "12564"),
      a.replace("nosuch.", "cb."),
      a.replace("(24)", "(25)"),
    ]) {
      expect(same(a, b)).toBe(false);
    }
    // Not a DNS port: a number after the addresses is not an id (port 54 is no decoder's).
    const other = (n: number) => `17:05:14.737710 IP 10.0.0.1.54 > 10.0.0.2.54: ${n} x\n`;
    expect(same(other(1), other(2))).toBe(false);
  });
});
