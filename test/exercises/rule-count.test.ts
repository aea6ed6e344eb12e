// The "this rule must count" check: a rule named as `iptables -S` prints it, judged by its
// packet counter in `iptables -S CHAIN -v`; parse errors name the file, line and field.
import { describe, expect, it } from "vitest";
import { parseExercise } from "../../src/exercises/parse.js";
import { countRules, parseRuleSpec, ruleCountWhy } from "../../src/lessons/rule-count.js";

const listing = [
  "-P FORWARD DROP -c 0 0",
  "-A FORWARD -i br0 -o uplink -c 3 252 -j ACCEPT",
  '-A FORWARD -i br0 -c 0 0 -j LOG --log-prefix "a out: "',
  "-A FORWARD ! -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -c 2 168 -j ACCEPT",
  "",
].join("\n");

describe("rule counters", () => {
  it("reads a spec: namespace, table, chain, options as a set", () => {
    expect(parseRuleSpec("ip netns exec r -t nat -A POSTROUTING -o eth0 -j MASQUERADE")).toEqual({
      netns: "r",
      table: "nat",
      chain: "POSTROUTING",
      options: ["-o eth0", "-j MASQUERADE"],
    });
    expect(parseRuleSpec("FORWARD -j LOG")).toMatch(/-A CHAIN/);
  });
  it("matches rules carrying every option, in any order, with their counters", () => {
    const spec = parseRuleSpec("-A FORWARD -j ACCEPT -i br0") as Exclude<
      ReturnType<typeof parseRuleSpec>,
      string
    >;
    expect(countRules(spec, listing).matching).toEqual([
      { rule: "-A FORWARD -i br0 -o uplink -j ACCEPT", packets: 3 },
    ]);
    expect(ruleCountWhy(spec, listing, 0)).toBe("");
    const neg = parseRuleSpec("-A FORWARD ! -o br0 -j ACCEPT") as typeof spec;
    expect(countRules(neg, listing).matching.map((m) => m.packets)).toEqual([2]);
  });
  it("says why: a rule that never counted, no such rule, a failed listing", () => {
    const log = parseRuleSpec('-A FORWARD -j LOG --log-prefix "a out: "') as Exclude<
      ReturnType<typeof parseRuleSpec>,
      string
    >;
    expect(ruleCountWhy(log, listing, 0)).toContain(
      '`-A FORWARD -i br0 -j LOG --log-prefix "a out: "` counted no packet',
    );
    const masq = parseRuleSpec("-A FORWARD -j MASQUERADE") as typeof log;
    expect(ruleCountWhy(masq, listing, 0)).toBe("no rule of filter FORWARD carries -j MASQUERADE");
    expect(ruleCountWhy(masq, "", 1)).toMatch(/exited 1/);
  });
  it("a counts check in a file: parsed, and its errors name line and field", () => {
    const head = `---\nid: t\ntitle: T\nlesson: l\nkind: build\ngoal: g\nhints:\n  - h\n---\n`;
    const ok = parseExercise(
      `${head}\n\`\`\`check\n- counts: -t nat -A POSTROUTING -j MASQUERADE\n\`\`\`\n`,
      "x.md",
    );
    expect(ok.errors).toEqual([]);
    expect(ok.exercise.checks[0]!.command.text).toBe("iptables -t nat -S POSTROUTING -v");
    const bad = parseExercise(
      `${head}\n\`\`\`check\n- counts: POSTROUTING -j MASQUERADE\n  exit: 0\n\`\`\`\n`,
      "x.md",
    );
    expect(bad.errors.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        "x.md:12: check 1: exit, contains and lacks go with run:, not counts:",
        "x.md:12: check 1.counts: must be a rule as `iptables -S` prints it: [-t TABLE] -A CHAIN OPTIONS",
      ]),
    );
  });
});
