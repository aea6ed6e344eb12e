// `packetwalk diagram` and `walk --diagram` in the simulator (no kernel, no browser
// needed except where said): what they print and write, and what happens without Chromium.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { captured, captureOutput, run, script } from "../cli/capture.js";
import { tempDir } from "../temp-dir.js";

captureOutput();

const TWO = [
  "ip netns add a",
  "ip netns add b",
  "ip link add va netns a type veth peer name vb netns b",
  "ip -n a addr add 192.0.2.1/24 dev va",
  "ip -n b addr add 192.0.2.2/24 dev vb",
  "ip -n a link set va up",
  "ip -n b link set vb up",
  "ip netns exec b iptables -P INPUT DROP",
  "",
].join("\n");

const savedChromium = process.env.PACKETWALK_CHROMIUM;
afterEach(() => {
  if (savedChromium === undefined) delete process.env.PACKETWALK_CHROMIUM;
  else process.env.PACKETWALK_CHROMIUM = savedChromium;
});

describe("packetwalk diagram", () => {
  it("prints the topology as Mermaid", async () => {
    expect(await run("diagram", script(TWO))).toBe(0);
    expect(captured.out).toMatch(/^flowchart LR\n/);
    expect(captured.out).toContain('n_a__va["va<br/>192.0.2.1/24"]');
    expect(captured.out).toContain("n_a__va === n_b__vb");
  });

  it("--until LINE draws the world as it stood then", async () => {
    expect(await run("diagram", "--until", "3", script(TWO))).toBe(0);
    expect(captured.out).toContain('n_a__va["va<br/>DOWN"]');
  });

  it("without a browser, writes the .mmd and says what is missing (exit 3)", async () => {
    process.env.PACKETWALK_CHROMIUM = "/nonexistent/chromium";
    const out = join(tempDir("pw-diagram-"), "t.svg");
    expect(await run("diagram", "-o", out, script(TWO))).toBe(3);
    expect(captured.err).toContain("no Chromium found");
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(out.replace(/\.svg$/, ".mmd"), "utf8")).toMatch(/^flowchart LR/);
  });

  it("refuses an unknown format", async () => {
    expect(await run("diagram", "--format", "gif", script(TWO))).toBe(2);
    expect(captured.err).toContain("--format gif: use mmd, svg or png");
  });
});

describe("packetwalk walk --diagram", () => {
  it("prints the walk as Markdown: sequence, topology path, netfilter map; the drop in red", async () => {
    const f = script(TWO);
    await run(
      "walk",
      "--diagram",
      f,
      "--",
      "ip",
      "netns",
      "exec",
      "a",
      "ping",
      "-c1",
      "-W1",
      "192.0.2.2",
    );
    const blocks = [...captured.out.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(3);
    const [seq, topo, nf] = blocks as [string, string, string];
    expect(seq).toMatch(/^sequenceDiagram\n/);
    expect(seq).toContain("participant p_ns_3aa as a");
    expect(seq).toMatch(/p_ns_3aa->>p_ns_3ab: \[\d+\] 192\.0\.2\.1 #gt; 192\.0\.2\.2 ICMP/);
    expect(seq).toContain("rect rgb(255, 214, 214)");
    expect(seq).toMatch(/Note over p_ns_3ab: \[\d+\] DROPPED: INPUT policy DROP/);
    // The echo request crossed va -> vb and died in b.
    expect(topo).toMatch(/linkStyle 0 stroke:/);
    expect(topo).toMatch(/class n_b__vb drop/);
    expect(nf).toContain("✖ filter");
    expect(nf).toContain("class hook_INPUT dropped");
  });

  it("-o FILE.mmd writes three files", async () => {
    const base = join(tempDir("pw-walkdiagram-"), "w.mmd");
    const f = script(TWO);
    await run(
      "walk",
      "--diagram",
      "-o",
      base,
      f,
      "--",
      "ip",
      "netns",
      "exec",
      "a",
      "ping",
      "-c1",
      "-W1",
      "192.0.2.2",
    );
    for (const part of ["sequence", "topology", "netfilter"]) {
      expect(existsSync(base.replace(/\.mmd$/, `-${part}.mmd`)), part).toBe(true);
    }
  });
});
