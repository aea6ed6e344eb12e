// iptables in the simulator: listings, the rule model as iptables-nft stores it, and the
// errors, with the texts iptables 1.8.9 (nf_tables) prints (checked on the kernel).
import { describe, expect, it } from "vitest";
import { netfilterOf } from "../../../src/sim/kernel/netfilter/state.js";
import { IptLab } from "./iptables-helpers.js";

const HEADER = "target     prot opt source               destination         \n";
const VHEADER =
  " pkts bytes target     prot opt in     out     source               destination         \n";

describe("iptables -L", () => {
  it("lists every built-in chain of a table that does not exist, and creates nothing", () => {
    const l = new IptLab();
    expect(l.out("iptables -L")).toBe(
      `Chain INPUT (policy ACCEPT)\n${HEADER}\nChain FORWARD (policy ACCEPT)\n${HEADER}\n` +
        `Chain OUTPUT (policy ACCEPT)\n${HEADER}`,
    );
    expect(l.out("iptables -t raw -L -v")).toBe(
      `Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)\n${VHEADER}\n` +
        `Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n${VHEADER}`,
    );
    expect(l.out("iptables-save")).toBe("");
    expect(netfilterOf(l.b.world.root).tables.size).toBe(0);
  });

  it("prints names without -n, numbers with it (prot included)", () => {
    const l = new IptLab();
    l.setup("iptables -A INPUT -s 10.0.0.0/8 -d 127.0.0.1 -i eth0 -p udp --sport 53 -j ACCEPT");
    expect(l.out("iptables -L INPUT")).toContain(
      "ACCEPT     udp  --  10.0.0.0/8           localhost            udp spt:domain\n",
    );
    expect(l.out("iptables -L INPUT -n -v")).toContain(
      "    0     0 ACCEPT     17   --  eth0   *       10.0.0.0/8           127.0.0.1            udp spt:53\n",
    );
  });

  it("shortens counters to K/M/G with iptables' rounding, and -x prints them whole", () => {
    const l = new IptLab();
    l.setup("iptables -A INPUT -c 123456 99999999", "iptables -A INPUT -c 99999 999500");
    const v = l.out("iptables -L INPUT -v");
    expect(v).toContain("\n 123K  100M            all  --  any    any     anywhere");
    expect(v).toContain("\n99999 1000K            all  --  any    any     anywhere");
    expect(l.out("iptables -L INPUT -v -x")).toContain(
      "\n  123456 99999999            all  --  any    any",
    );
  });

  it("counts the references of user chains and sorts them by name", () => {
    const l = new IptLab();
    l.setup(
      "iptables -N zz",
      "iptables -N AA",
      "iptables -A INPUT -j zz",
      "iptables -A FORWARD -g zz",
    );
    const out = l.out("iptables -L");
    expect(out.indexOf("Chain AA (0 references)")).toBeLessThan(
      out.indexOf("Chain zz (2 references)"),
    );
    expect(out).toContain("zz         all  --  anywhere             anywhere            [goto] \n");
  });
});

describe("the rule model", () => {
  it("reads tcp port expressions back into one tcp match, and drops full ranges", () => {
    const l = new IptLab();
    l.setup(
      "iptables -A INPUT -p tcp --sport 80 -m comment --comment c -m tcp --dport 90",
      "iptables -A INPUT -p tcp ! --sport 0:65535",
      "iptables -A INPUT -p tcp --sport 0:65535",
    );
    expect(l.out("iptables -S INPUT")).toBe(
      "-P INPUT ACCEPT\n" +
        "-A INPUT -p tcp -m tcp --sport 80 --dport 90 -m comment --comment c\n" +
        "-A INPUT -p tcp\n" +
        "-A INPUT -p tcp -m tcp\n",
    );
  });

  it("creates only the built-in chain a command names", () => {
    const l = new IptLab();
    l.setup("iptables -A INPUT -j ACCEPT", "iptables -t nat -N X");
    const st = netfilterOf(l.b.world.root);
    expect([...st.tables.get("filter")!.chains.keys()]).toEqual(["INPUT"]);
    expect([...st.tables.get("nat")!.chains.keys()]).toEqual(["X"]);
    l.setup("iptables -F -v");
    expect([...st.tables.get("filter")!.chains.keys()]).toEqual(["INPUT", "FORWARD", "OUTPUT"]);
    l.setup("iptables -F", "iptables -X");
    expect([...st.tables.get("filter")!.chains.keys()]).toEqual([]);
  });

  it("stores MARK as xt_MARK's mark/mask pair", () => {
    const l = new IptLab();
    l.setup("iptables -A INPUT -j MARK --and-mark 0xf", "iptables -A INPUT -j MARK --set-mark 5");
    const rules = netfilterOf(l.b.world.root).tables.get("filter")!.chains.get("INPUT")!.rules;
    expect(rules.map((r) => r.target)).toEqual([
      { kind: "MARK", value: 0, mask: 0xfffffff0, op: "and" },
      { kind: "MARK", value: 5, mask: 0xffffffff, op: "set" },
    ]);
  });
});

describe("errors", () => {
  it("words its own checks and the kernel's refusals as iptables does", () => {
    const l = new IptLab();
    expect(l.run("iptables -D INPUT -j DROP")).toEqual({
      exit: 1,
      stdout: "",
      stderr: "iptables: Bad rule (does a matching rule exist in that chain?).\n",
    });
    expect(l.run("iptables -A INPUT -j REJECT --reject-with tcp-reset")).toEqual({
      exit: 4,
      stdout: "",
      stderr:
        "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain INPUT\n",
    });
    expect(l.run("iptables -A INPUT -j NOSUCH")).toEqual({
      exit: 2,
      stdout: "",
      stderr:
        "iptables v1.8.9 (nf_tables): Chain 'NOSUCH' does not exist\n" +
        "Try `iptables -h' or 'iptables --help' for more information.\n",
    });
    expect(l.run("iptables -P INPUT FOO").stderr).toBe(
      "iptables: Bad policy name. Run `dmesg' for more information.\n",
    );
    expect(l.run("iptables -t foobar -L")).toEqual({
      exit: 3,
      stdout: "",
      stderr:
        "iptables v1.8.9 (nf_tables): table 'foobar' does not exist\n" +
        "Perhaps iptables or your kernel needs to be upgraded.\n",
    });
    expect(l.run("iptables -A INPUT -o lo").stderr).toBe(
      "iptables v1.8.9 (nf_tables): Can't use -o with INPUT\n\n" +
        "Try `iptables -h' or 'iptables --help' for more information.\n",
    );
  });

  it("refuses a NAT target reached from the wrong hook through a user chain", () => {
    const l = new IptLab();
    l.setup("iptables -t nat -N X", "iptables -t nat -A X -j MASQUERADE");
    expect(l.run("iptables -t nat -A PREROUTING -j X").stderr).toBe(
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Invalid argument): rule in chain PREROUTING\n",
    );
    expect(l.out("iptables -t nat -S PREROUTING")).toBe("-P PREROUTING ACCEPT\n");
  });

  it("finds jump loops and jumps deeper than 16 chains only from a base chain", () => {
    const l = new IptLab();
    l.setup("iptables -N a", "iptables -N b", "iptables -A a -j b", "iptables -A b -j a");
    expect(l.run("iptables -A INPUT -j a").stderr).toBe(
      "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (Too many links): rule in chain INPUT\n",
    );
  });

  it("says plainly what it does not model", () => {
    const l = new IptLab();
    expect(l.run("iptables -A INPUT -m limit")).toEqual({
      exit: 2,
      stdout: "",
      stderr: "packetwalk: iptables: the limit match is not simulated (run it with --kernel)\n",
    });
  });
});

describe("iptables-save and iptables-restore", () => {
  it("saves the existing tables in iptables' order with dated comments", () => {
    const l = new IptLab();
    l.setup("iptables -t nat -A POSTROUTING -j MASQUERADE", "iptables -t mangle -P INPUT DROP");
    const out = l.out("iptables-save");
    expect(out.indexOf("*mangle")).toBeLessThan(out.indexOf("*nat"));
    expect(out).toContain(
      "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:00 1970\n*mangle\n",
    );
    expect(out).toContain(":INPUT DROP [0:0]\n");
    expect(out).toContain("COMMIT\n# Completed on Thu Jan  1 00:00:00 1970\n");
  });

  it("reads a file beside the script; without one, stdin is empty", () => {
    const l = new IptLab();
    expect(l.run("iptables-restore")).toEqual({ exit: 0, stdout: "", stderr: "" });
    // Refused when the line is loaded, before anything runs (test/script/load.test.ts).
    expect(() => l.run("iptables-restore ../x.rules")).toThrow(/outside the script's directory/);
    expect(l.run("iptables-restore nosuch.rules")).toEqual({
      exit: 1,
      stdout: "",
      stderr: "Can't open nosuch.rules: No such file or directory\n",
    });
    l.setup("iptables-restore ipt-14-restore.rules");
    expect(l.out("iptables -S INPUT")).toContain("-P INPUT DROP\n");
  });

  it("applies a table all or nothing", () => {
    const l = new IptLab();
    l.setup("iptables -A INPUT -j ACCEPT");
    expect(l.run("iptables-restore ipt-14-kernel.rules").exit).toBe(4);
    expect(l.out("iptables -S")).toBe(
      "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-A INPUT -j ACCEPT\n",
    );
  });
});
