// The diagrams in a real browser (Debian's Chromium, one session for the whole file):
// every generated SVG opens, has a size and shows the labels it should; every lab in
// test/labs gives a topology that Mermaid parses, and so does every walk picture.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLab } from "../../src/compare/lab-run.js";
import { createdOrder } from "../../src/diagram/created-order.js";
import { topologyChart } from "../../src/diagram/topology-chart.js";
import { loadLabScript } from "../../src/script/load.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { openRenderer, type MermaidRenderer } from "../../src/render-node/mermaid-render.js";
import { scriptFiles } from "../../src/cli/script-files.js";

const ROOT = join(import.meta.dirname, "..", "..");
const DIAGRAMS = join(ROOT, "diagrams");
const LABS = join(ROOT, "test", "labs");

let renderer: MermaidRenderer;
beforeAll(async () => {
  renderer = await openRenderer();
});
afterAll(async () => {
  await renderer?.close();
});

function svgFiles(): string[] {
  return ["", "lessons", "walks"].flatMap((d) =>
    readdirSync(join(DIAGRAMS, d))
      .filter((f) => f.endsWith(".svg"))
      .map((f) => join(d, f)),
  );
}

/** Labels a picture must show, read from its Mermaid text: node labels and namespaces. */
function expectedLabels(mmd: string): string[] {
  const out = new Set<string>();
  for (const m of mmd.matchAll(/subgraph \S+ \["([^"#]+)"\]/g)) out.add(m[1]!);
  for (const m of mmd.matchAll(/participant \S+ as ([^#\n]+)$/gm)) out.add(m[1]!.trim());
  for (const m of mmd.matchAll(/hook_(\w+)\[/g)) out.add(m[1]!);
  return [...out];
}

describe("generated SVGs in Chromium", () => {
  it("each opens, has a size, and shows its namespaces, hooks or participants", async () => {
    const files = svgFiles();
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const view = await renderer.view(join(DIAGRAMS, f));
      expect(view.width, f).toBeGreaterThan(100);
      expect(view.height, f).toBeGreaterThan(50);
      const mmd = readFileSync(join(DIAGRAMS, f.replace(/\.svg$/, ".mmd")), "utf8");
      const labels = expectedLabels(mmd);
      expect(labels.length, f).toBeGreaterThan(0);
      for (const l of labels) expect(view.text, `${f}: ${l}`).toContain(l);
    }
  });
});

describe("every lab's topology", () => {
  it("parses in Mermaid", async () => {
    const labs = readdirSync(LABS).filter((f) => f.endsWith(".lab"));
    expect(labs.length).toBeGreaterThan(30);
    for (const f of labs) {
      const { script } = loadLabScript(readFileSync(join(LABS, f), "utf8"), f, {
        files: scriptFiles(LABS),
      });
      const sim = new SimBackend({ seed: 1 });
      try {
        await runLab(script.commands, sim);
        const mmd = topologyChart(await sim.inspect(), { order: createdOrder(script.commands) });
        expect(await renderer.parse(mmd), f).toEqual({ ok: true });
      } finally {
        await sim.close();
      }
    }
  });

  it("is checked: a broken definition does not parse", async () => {
    const r = await renderer.parse('flowchart LR\n  a["unclosed --> b\n');
    expect(r.ok).toBe(false);
  });

  it("renders to a PNG", async () => {
    const png = await renderer.render("flowchart LR\n  a --> b\n", "png");
    expect([...png.slice(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
  });
});
