// The pieces of iptables' command-line and input parsing: getopt_long's abbreviations
// and argument rules, iptables-restore's word splitting, xtables_save_string.
import { describe, expect, it } from "vitest";
import { saveString } from "../../../src/sim/userland/iptables/ext/quote.js";
import { printNum, listFormat } from "../../../src/sim/userland/iptables/format.js";
import { Getopt } from "../../../src/sim/userland/iptables/getopt.js";
import { splitRuleLine } from "../../../src/sim/userland/iptables/restore.js";

const LONGS = [
  { name: "dport", hasArg: 1 as const, val: "tcp:2" },
  { name: "dports", hasArg: 1 as const, val: "mp:1" },
  { name: "destination", hasArg: 1 as const, val: "d" },
  { name: "list", hasArg: 2 as const, val: "L" },
];

describe("getopt_long as iptables uses it", () => {
  it("takes an exact name over a longer one, a unique prefix, and --name=value", () => {
    const g = new Getopt(["x", "--dport", "80", "--dports=1,2", "--des", "1.2.3.4"], {});
    expect(g.next(LONGS)).toEqual({ kind: "opt", val: "tcp:2", arg: "80" });
    expect(g.next(LONGS)).toEqual({ kind: "opt", val: "mp:1", arg: "1,2" });
    expect(g.next(LONGS)).toEqual({ kind: "opt", val: "d", arg: "1.2.3.4" });
    expect(g.next(LONGS)).toBeUndefined();
  });

  it("calls a prefix of two different options unknown", () => {
    const g = new Getopt(["x", "--d", "80"], {});
    expect(g.next(LONGS)).toEqual({ kind: "unknown", optopt: "", long: "--d" });
  });

  it("gives an optional argument only when attached (-Lnv lists chain nv)", () => {
    const g = new Getopt(["x", "-Lnv", "-nL", "INPUT"], { L: 2, n: 0, v: 0 });
    expect(g.next(LONGS)).toEqual({ kind: "opt", val: "L", arg: "nv" });
    expect(g.next(LONGS)).toEqual({ kind: "opt", val: "n", arg: null });
    expect(g.next(LONGS)).toEqual({ kind: "opt", val: "L", arg: null });
    expect(g.hasArg()).toBe(true);
  });

  it("returns arguments in order and reports a missing one", () => {
    const g = new Getopt(["x", "!", "-A"], { A: 1 });
    expect(g.next(LONGS)).toEqual({ kind: "arg", arg: "!" });
    expect(g.next(LONGS)).toEqual({ kind: "missing", option: "A", long: false });
  });
});

describe("iptables-restore lines and saved strings", () => {
  it("groups words with double quotes only, backslash-escaped inside them", () => {
    expect(splitRuleLine('-A X -m comment --comment "a \\" b" \'c d\'')).toEqual([
      "-A",
      "X",
      "-m",
      "comment",
      "--comment",
      'a " b',
      "'c",
      "d'",
    ]);
    expect(splitRuleLine('--comment ""')).toEqual(["--comment", ""]);
  });

  it("quotes what is not a plain word", () => {
    expect(saveString("ssh-in_1")).toBe(" ssh-in_1");
    expect(saveString('it\'s "x" \\')).toBe(' "it\\\'s \\"x\\" \\\\"');
    expect(saveString("")).toBe(' ""');
  });

  it("prints counters as xtables_print_num does", () => {
    const f = listFormat({ numeric: false, verbose: true, exact: false, lineNumbers: false });
    expect([5, 99999, 100000, 999500, 9999499, 9999500].map((n) => printNum(n, f))).toEqual([
      "    5 ",
      "99999 ",
      " 100K ",
      "1000K ",
      "9999K ",
      "  10M ",
    ]);
  });
});
