import { describe, expect, it } from "vitest";
import { sameResult } from "../../src/compare/normalise.js";

const out = (stdout: string) => ({ exit: 0, stdout, stderr: "" });

const KERNEL =
  "        NS TYPE NPROCS PID USER    NETNSID NSFS           COMMAND\n" +
  "4026532176 net       3   1 root unassigned                /usr/bin/node /x/sandbox-init.ts\n" +
  "4026532349 net       2  25 root          0 /run/netns/ns1 |-nc -lk 8080\n" +
  "4026532485 net       1  26 root unassigned                `-nc -lk 9090\n";
const SIM =
  "        NS TYPE NPROCS PID USER    NETNSID NSFS           COMMAND\n" +
  "4026532000 net       2   1 root unassigned                sandbox-init\n" +
  "4026532192 net       1 102 root unassigned                |-nc -lk 9090\n" +
  "4026532064 net       2 101 root          0 /run/netns/ns1 `-nc -lk 8080\n";

describe("lsns normalisation", () => {
  it("replaces inodes, pids, the init's command and count, and compares rows as a set", () => {
    expect(sameResult(out(KERNEL), out(SIM), "lsns -t net")).toBe(true);
  });

  it("keeps process counts, nsids, names and commands", () => {
    for (const [a, b] of [
      ["  2 101 root          0 /run/netns/ns1", "  3 101 root          0 /run/netns/ns1"],
      ["root          0 /run", "root          1 /run"],
      ["/run/netns/ns1 `-nc -lk 8080", "/run/netns/ns2 `-nc -lk 8080"],
      ["`-nc -lk 8080", "`-nc -lk 8081"],
    ] as const) {
      expect(sameResult(out(KERNEL), out(SIM.replace(a, b)), "lsns -t net")).toBe(false);
    }
  });

  it("replaces the pids ip netns pids prints", () => {
    expect(sameResult(out("25\n27\n"), out("101\n103\n"), "ip netns pids ns1")).toBe(true);
    expect(sameResult(out("25\n"), out("101\n103\n"), "ip netns pids ns1")).toBe(false);
  });
});
