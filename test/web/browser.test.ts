// The simulator runs in a web page: lesson 1 bundled for the browser (esbuild, platform
// browser, which fails on any node: import) and run in headless Chromium gives, line by
// line, what `packetwalk run --json` gives.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { captured, captureOutput, run } from "../cli/capture.js";
import { tempDir } from "../temp-dir.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const LESSON = "lessons/01-namespaces-veth-bridge.lab";

/** The page's script: the bundle, then the lesson run, its result written into the page. */
async function bundle(): Promise<string> {
  const out = await build({
    stdin: {
      contents: `import { runLabText } from "./src/web/run-lab.ts"; globalThis.runLabText = runLabText;`,
      resolveDir: resolve("."),
      loader: "ts",
    },
    bundle: true,
    platform: "browser",
    format: "iife",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

/** JSON that can sit inside a <script> element. */
const inScript = (v: unknown): string => JSON.stringify(v).replace(/</g, "\\u003c");

const unescapeHtml = (s: string): string =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

describe("the simulator in a browser", () => {
  captureOutput();

  it("bundles for the browser: nothing it imports needs node", async () => {
    expect((await bundle()).length).toBeGreaterThan(10_000);
  });

  it.skipIf(CHROMIUM === undefined)(
    "runs lesson 1 in headless Chromium with the CLI's results",
    async () => {
      const dir = tempDir("pw-web-");
      const page = join(dir, "lesson.html");
      const code = (await bundle()).replace(/<\/script/gi, "<\\/script");
      writeFileSync(
        page,
        `<!doctype html><meta charset="utf-8"><pre id="out">pending</pre><script>${code}
runLabText(${inScript(readFileSync(LESSON, "utf8"))}, ${inScript(LESSON)}).then(
  (r) => { document.getElementById("out").textContent = JSON.stringify(r); },
  (e) => { document.getElementById("out").textContent = "error: " + (e && e.stack || e); });
</script>`,
      );
      const dom = execFileSync(
        CHROMIUM!,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--virtual-time-budget=60000",
          "--dump-dom",
          `file://${page}`,
        ],
        { encoding: "utf8", timeout: 90_000, stdio: ["ignore", "pipe", "ignore"] },
      );
      const m = /<pre id="out">([\s\S]*?)<\/pre>/.exec(dom);
      const text = unescapeHtml(m?.[1] ?? "no output element");
      expect(text.startsWith("{"), text.slice(0, 500)).toBe(true);
      const web = JSON.parse(text) as { errors: string[]; lines: unknown[] };
      expect(web.errors).toEqual([]);

      expect(await run("run", "--json", LESSON)).toBe(0);
      const cli = captured.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown);
      expect(web.lines.length).toBeGreaterThan(20);
      expect(web.lines).toEqual(cli);
    },
  );
});
