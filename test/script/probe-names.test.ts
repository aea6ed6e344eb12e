// A container's probe that names its destination is a probe like any other: walks and the
// differential tests trace it, its DNS queries included (src/sim/userland/resolver.ts).
import { describe, expect, it } from "vitest";
import { parseLine } from "../../src/script/parse.js";
import { isProbe } from "../../src/walk/probe.js";

const cmd = (text: string) => {
  const c = parseLine(text, 1);
  if (!c) throw new Error(`not a command: ${text}`);
  return c;
};

describe("probes by name", () => {
  it.each([
    ["docker exec ca ping -c 1 -W 1 cb", true],
    ["docker exec f1 nc -zv -w 1 b1 80", true],
    ["docker exec ca ping -c 1 -W 1 172.18.0.3", true],
    ["docker ps", false],
  ])("%s: %s", (text, expected) => {
    expect(isProbe(cmd(text))).toBe(expected);
  });
});
