// `packetwalk learn` driven through a whole lesson by scripted keys (lines): predictions
// right and wrong, back (the world restored), the whole walk, `k` (here a second
// simulator stands in for the kernel, so the test needs no sandbox), to the end.
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { learnCommand } from "../../src/cli/learn-command.js";
import { resolveProfile } from "../../src/cli/profile.js";
import { ProgressStore } from "../../src/cli/progress.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { tempDir } from "../temp-dir.js";

async function learn(
  lesson: string | undefined,
  keys: string[],
  opts: { lang?: string } = {},
): Promise<{ out: string; code: number; progress: ProgressStore; kernels: number }> {
  let out = "";
  const progress = new ProgressStore(join(tempDir("pw-learn-"), "p.json"));
  let kernels = 0;
  const code = await learnCommand(lesson, opts, (s) => (out += s), {
    input: Readable.from(keys.map((k) => `${k}\n`)),
    progress,
    kernel: () => {
      kernels++;
      return Promise.resolve(new SimBackend({ profile: resolveProfile(undefined), seed: 1 }));
    },
  });
  return { out, code, progress, kernels };
}

describe("learn, by scripted keys", () => {
  it("goes through lesson 1 to the end", async () => {
    const keys = [
      "3", // step 1: right
      "k", // the same step "on the kernel"
      "", // next
      "2", // step 2: wrong
      "b", // back to step 1: the world restored
      "1", // step 1 again, wrong this time
      "n",
      "1", // step 2: right
      "",
      "no", // step 3: right, by text
      "w", // the whole walk
      "",
      "1", // step 4
      "",
      "172.18.0.1", // step 5: a value
      "", // past the last step
    ];
    const { out, code, progress, kernels } = await learn("namespaces-veth-bridge", keys);
    expect(code).toBe(0);
    const headings = [...out.matchAll(/^Step (\d)\/5/gm)].map((m) => m[1]);
    expect(headings).toEqual(["1", "2", "1", "2", "3", "4", "5"]);
    expect(out).toContain("(the world is put back as it was before step 1)");
    // After the restore, step 1 ran on a world without netns0: `ip netns add` worked again
    // (twice in the simulator, once on the stand-in kernel).
    expect(out.match(/\$ ip netns list\nnetns0\n/g)).toHaveLength(3);
    expect(out).not.toContain("File exists");
    expect(out.match(/^Right: /gm)).toHaveLength(5);
    expect(out.match(/^Not quite: /gm)).toHaveLength(2);
    expect(kernels).toBe(1);
    expect(out).toContain("The simulator and the kernel agree on every line of this step.");
    expect(out).toContain("walk of ");
    expect(out).toContain("ip netns exec netns0 ping -c1 -W1 172.18.0.20: got through (exit 0)");
    expect(out).not.toContain("FAIL");
    expect(out).toContain("Lesson done.");
    expect(progress.read()).toEqual({ "namespaces-veth-bridge": { reached: 5, done: true } });
  });

  it("shows the menu with progress, quits on q and at the end of input", async () => {
    const { out, code } = await learn(undefined, ["1", "3", "q"]);
    expect(code).toBe(0);
    expect(out).toMatch(/ 1\. \[ {5}\] A namespace, a veth pair/);
    expect(out).toContain("Step 1/");
    expect(out).not.toContain("Step 2/");
    const end = await learn("1", ["3"]);
    expect(end.code).toBe(0);
    expect(end.progress.read()).toEqual({ "namespaces-veth-bridge": { reached: 1, done: false } });
  });

  it("speaks the learner's language where the lesson has a translation", async () => {
    const { out } = await learn("namespaces-loopback", ["不会，ping 立刻失败", "", "q"], {
      lang: "zh",
    });
    expect(out).toContain("网络命名空间与环回设备");
    expect(out).toContain("Step 1/4: 一个新的命名空间");
    expect(out).toContain("Right: 不会，ping 立刻失败");
    // Step 2 has no translation: it is shown in English.
    expect(out).toContain("Step 2/4: Loopback up");
  });
});
