// The expansion stage: one script line may stand for several commands, each keeping its
// provenance. A test-only expander stands in for the coming `docker` vocabulary.
import { describe, expect, it } from "vitest";
import type { Expander } from "../../src/script/expand.js";
import { parseScript } from "../../src/script/parse.js";
import { pairs } from "./test-expander.js";

describe("expansion", () => {
  it("without an expander, each line is itself: step 1 of 1", () => {
    const { script } = parseScript("ip link\n\nip addr\n", "s.lab");
    expect(script.commands.map((c) => c.provenance)).toEqual([
      { line: 1, text: "ip link", step: 1, of: 1 },
      { line: 3, text: "ip addr", step: 1, of: 1 },
    ]);
  });

  it("a line may expand into several commands, each with its line and place", () => {
    const { script, errors } = parseScript("ip link\n$ sudo mkpair a b\nip netns list\n", "s.lab", {
      expand: pairs,
    });
    expect(errors).toEqual([]);
    expect(
      script.commands.map((c) => [c.line, c.text, c.provenance.step, c.provenance.of]),
    ).toEqual([
      [1, "ip link", 1, 1],
      [2, "ip netns add a", 1, 3],
      [2, "ip netns add b", 2, 3],
      [2, "ip link add va netns a type veth peer name vb netns b", 3, 3],
      [3, "ip netns list", 1, 1],
    ]);
    expect(script.commands[1]!.provenance).toEqual({
      line: 2,
      text: "$ sudo mkpair a b",
      step: 1,
      of: 3,
      expandedBy: "test-pairs",
    });
    expect(script.commands[0]!.provenance.expandedBy).toBeUndefined();
  });

  it("the expander's refusals and its commands' errors name the script line", () => {
    const bad: Expander = {
      name: "bad",
      expand: ({ words }) => (words[0] === "oops" ? ["ip link", "ip link | cat"] : undefined),
    };
    const { errors } = parseScript("ip link\nmkpair a\n", "s.lab", { expand: pairs });
    expect(errors.map((e) => e.message)).toEqual([
      "s.lab:2: mkpair takes two namespace names\n  hint: mkpair a b",
    ]);
    const second = parseScript("oops\n", "s.lab", { expand: bad }).errors;
    expect(second.map((e) => e.message)).toEqual([
      "s.lab:1: pipes are not supported: one command per line (in command 2 of 2 this line expands into)",
    ]);
  });

  it("shell syntax is not the expander's to see: the parser refuses it", () => {
    const { errors } = parseScript("mkpair a b | cat\n", "s.lab", { expand: pairs });
    expect(errors.map((e) => e.reason)).toEqual(["pipes are not supported: one command per line"]);
  });
});
