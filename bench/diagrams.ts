// Rendering the lesson diagrams (diagrams/lessons/*.mmd) to SVG two ways, with Debian's
// Chromium: one `mmdc` process per diagram (mermaid-cli as a command), and the batch
// renderer (src/render-node: one browser, one page, Mermaid loaded once). Prints the time
// of each and the ratio. `tsx bench/diagrams.ts [--all]` (--all: every diagram in
// diagrams/, not only the lessons'). Results: bench/diagrams.md.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { browserPath, openRenderer } from "../src/render-node/mermaid-render.js";

const root = join(import.meta.dirname, "..");
const dirs = process.argv.includes("--all") ? ["", "lessons", "walks"] : ["lessons"];
const files = dirs.flatMap((d) =>
  readdirSync(join(root, "diagrams", d))
    .filter((f) => f.endsWith(".mmd"))
    .map((f) => join(root, "diagrams", d, f)),
);
const chromium = browserPath();
if (!chromium) throw new Error("no Chromium: apt-get install chromium");
const tmp = mkdtempSync(join(tmpdir(), "pw-bench-diagrams-"));

// mermaid-cli's command, run by node as `npx mmdc` would.
const cliJs = join(
  dirname(createRequire(import.meta.url).resolve("@mermaid-js/mermaid-cli")),
  "cli.js",
);
const config = join(tmp, "puppeteer.json");
writeFileSync(
  config,
  JSON.stringify({
    executablePath: chromium,
    args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
  }),
);

let t = performance.now();
for (const [i, f] of files.entries()) {
  execFileSync(process.execPath, [
    cliJs,
    "-q",
    "-i",
    f,
    "-o",
    join(tmp, `mmdc-${i}.svg`),
    "-p",
    config,
  ]);
}
const mmdcMs = performance.now() - t;

t = performance.now();
const renderer = await openRenderer();
try {
  for (const [i, f] of files.entries()) {
    writeFileSync(
      join(tmp, `batch-${i}.svg`),
      await renderer.render(readFileSync(f, "utf8"), "svg"),
    );
  }
} finally {
  await renderer.close();
}
const batchMs = performance.now() - t;
rmSync(tmp, { recursive: true, force: true });

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
console.log(`${files.length} diagrams`);
console.log(`mmdc, one process each : ${s(mmdcMs)} (${s(mmdcMs / files.length)} per diagram)`);
console.log(`batch, one browser     : ${s(batchMs)} (browser start and Mermaid load included)`);
console.log(`ratio                  : ${(mmdcMs / batchMs).toFixed(1)}x`);
