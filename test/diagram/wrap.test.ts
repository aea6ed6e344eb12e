// A world of 30 namespaces on one bridge is not one tall column: the column wraps into
// sub-columns of six, the bridge's bare ports leave the host's box and hang off the
// bridge's continuations, and each one-device namespace is a single node. Smaller
// columns are drawn as before. Checked in the browser: the picture is wider than tall.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLab } from "../../src/compare/lab-run.js";
import { createdOrder } from "../../src/diagram/created-order.js";
import { topologyChart, WRAP_AFTER } from "../../src/diagram/topology-chart.js";
import {
  browserPath,
  openRenderer,
  type MermaidRenderer,
} from "../../src/render-node/mermaid-render.js";
import { parseScript } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { tempDir } from "../temp-dir.js";

function star(n: number): string {
  const lines = [
    "ip link add br0 type bridge",
    "ip link set br0 up",
    "ip addr add 10.0.0.1/24 dev br0",
  ];
  for (let i = 1; i <= n; i++)
    lines.push(
      `ip netns add c${i}`,
      `ip link add v${i} type veth peer name eth0 netns c${i}`,
      `ip link set v${i} master br0`,
      `ip link set v${i} up`,
      `ip -n c${i} link set eth0 up`,
      `ip -n c${i} addr add 10.0.0.${i + 1}/24 dev eth0`,
    );
  return lines.join("\n");
}

async function chart(n: number): Promise<string> {
  const { script } = parseScript(star(n), "star.lab");
  const sim = new SimBackend();
  try {
    await runLab(script.commands, sim);
    return topologyChart(await sim.inspect(), { order: createdOrder(script.commands) });
  } finally {
    await sim.close();
  }
}

describe("a wide world", () => {
  it("30 namespaces: sub-columns of six behind the bridge's continuations", async () => {
    const mmd = await chart(30);
    expect(mmd).not.toContain("subgraph ns_c");
    expect(mmd).toContain('  n_c7__eth0["c7: eth0<br/>10.0.0.8/24"]');
    expect(mmd).toContain('  r__br0__cont4[["br0 (bridge), continued"]]');
    expect(mmd).not.toContain("r__br0__cont5");
    // Each continuation two ranks after the one before; ports hang off theirs.
    expect(mmd).toContain("  r__br0 ---- r__br0__cont1\n");
    expect(mmd).toContain("  r__br0__cont1 ---- r__br0__cont2\n");
    expect(mmd).toContain("  r__br0 --- r__v6\n");
    expect(mmd).toContain("  r__br0__cont1 --- r__v7\n");
    expect(mmd).toContain("  r__br0__cont4 --- r__v30\n");
    expect(mmd).toContain("  r__v30 === n_c30__eth0\n");
    // The host's box keeps only the bridge.
    const root = /subgraph ns_root [^\n]*\n([\s\S]*?)\n {2}end/.exec(mmd)![1]!;
    expect(root.trim().split("\n")).toEqual(['r__br0[["br0 (bridge)<br/>10.0.0.1/24"]]']);
    expect(mmd).toMatch(/class [^\n]*n_c1__eth0[^\n]* netns\n/);
  });

  it(`${WRAP_AFTER} namespaces in a column: drawn as before, one box each`, async () => {
    const mmd = await chart(WRAP_AFTER);
    expect(mmd).toContain('subgraph ns_c8 ["c8"]');
    expect(mmd).not.toContain("continued");
    expect(mmd).not.toMatch(/----|====/);
  });
});

describe.skipIf(browserPath() === undefined)("a wide world in the browser", () => {
  let renderer: MermaidRenderer;
  beforeAll(async () => {
    renderer = await openRenderer();
  });
  afterAll(async () => {
    await renderer?.close();
  });

  it("30 namespaces make a picture wider than tall, with every namespace on it", async () => {
    const svg = await renderer.render(await chart(30), "svg");
    const file = join(tempDir("pw-wrap-"), "wide.svg");
    writeFileSync(file, svg);
    const v = await renderer.view(file);
    expect(v.width).toBeGreaterThan(v.height);
    for (const i of [1, 6, 7, 30]) expect(v.text).toContain(`c${i}: eth0`);
  });
});
