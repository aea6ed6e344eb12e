// `ip rule` in the simulator against iproute2 6.1 on kernel 6.18: the transcripts in
// fixtures/rule-*.json were recorded on the kernel from test/labs/rule-*.lab.
import { describe, expect, it } from "vitest";
import { Lab, res } from "./ip-helpers.js";
import { replay } from "./ip-replay.js";

describe("ip rule: kernel transcripts", () => {
  for (const f of ["rule-basics", "rule-delete", "rule-match"]) {
    it(f, () => {
      expect(replay(`${f}.json`).join("\n")).toBe("");
    });
  }
});

describe("ip rule", () => {
  it("lists the three default rules with a tab after the priority", () => {
    const l = new Lab();
    expect(l.run("ip rule")).toEqual(
      res(
        0,
        "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n",
      ),
    );
    expect(l.out("ip -j rule")).toBe(
      '[{"priority":0,"src":"all","table":"local"},{"priority":32766,"src":"all","table":"main"},{"priority":32767,"src":"all","table":"default"}]\n',
    );
  });

  it("a new rule without a priority goes one below the second rule", () => {
    const l = new Lab();
    l.setup("ip rule add from 10.0.0.0/8 table 100", "ip rule add to 192.168.0.0/16 lookup 200");
    expect(l.out("ip rule")).toBe(
      "0:\tfrom all lookup local\n32764:\tfrom all to 192.168.0.0/16 lookup 200\n32765:\tfrom 10.0.0.0/8 lookup 100\n" +
        "32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n",
    );
    l.setup("ip rule flush");
    l.setup("ip rule add table 5");
    expect(l.out("ip rule")).toBe("0:\tfrom all lookup local\n0:\tfrom all lookup 5\n");
  });

  it("errors", () => {
    const l = new Lab();
    expect(l.run("ip rule del from 10.0.0.0/8")).toEqual(
      res(2, "", "RTNETLINK answers: No such file or directory\n"),
    );
    expect(l.run("ip rule add")).toEqual(res(1, "", '"ip rule add" requires arguments.\n'));
    expect(l.run("ip rule add foo")).toEqual(
      res(255, "", 'Error: argument "foo" is wrong: Failed to parse rule type\n'),
    );
    expect(l.run("ip rule add table foo")).toEqual(
      res(255, "", 'Error: argument "foo" is wrong: invalid table ID\n\n'),
    );
    l.setup("ip rule add from 1.2.3.7 priority 100 table 5");
    expect(l.run("ip rule add from 1.2.3.7 priority 100 table 5")).toEqual(
      res(2, "", "RTNETLINK answers: File exists\n"),
    );
  });
});
