// Which container probes name their destination (resolved by Docker's embedded DNS): the
// differential tests compare those by output only (src/walk/probe.ts).
import { describe, expect, it } from "vitest";
import { parseLine } from "../../src/script/parse.js";
import { isProbe, resolvesName } from "../../src/walk/probe.js";

const cmd = (text: string) => {
  const c = parseLine(text, 1);
  if (!c) throw new Error(`not a command: ${text}`);
  return c;
};

describe("resolvesName", () => {
  it.each([
    ["docker exec ca ping -c 1 -W 1 cb", true],
    ["docker exec f1 nc -zv -w 1 b1 80", true],
    ["docker exec ca ping -c 1 -W 1 172.18.0.3", false],
    ["docker exec f1 nc -zv -w 1 10.2.0.2 80", false],
    ["ip netns exec a ping -c 1 b", false],
    ["docker ps", false],
  ])("%s: %s", (text, expected) => {
    expect(resolvesName(cmd(text))).toBe(expected);
  });

  it("leaves the lines probes (walks still follow them)", () => {
    expect(isProbe(cmd("docker exec ca ping -c 1 -W 1 cb"))).toBe(true);
  });
});
