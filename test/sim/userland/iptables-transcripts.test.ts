// iptables, iptables-save and iptables-restore in the simulator against transcripts of
// iptables 1.8.9 (nf_tables) on kernel 6.18, recorded from the test/labs/ipt-*.lab scripts.
import { describe, expect, it } from "vitest";
import { replayIptables } from "./iptables-helpers.js";

describe("iptables: kernel transcripts", () => {
  for (const f of [
    "ipt-03-user-chains",
    "ipt-05-tcp-udp",
    "ipt-11-nat",
    "ipt-13-counters",
    "ipt-14-restore",
    "ipt-15-command-line-errors",
  ]) {
    it(f, () => {
      expect(replayIptables(`${f}.json`).join("\n")).toBe("");
    });
  }
});
