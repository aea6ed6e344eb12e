// Renders Mermaid definitions to SVG or PNG in Debian's Chromium (never a downloaded
// browser), many in one browser session: one page loads Mermaid once and renders every
// definition with mermaid.render(), which is what makes a batch fast (bench/diagrams.md:
// mermaid-cli's renderMermaid() opens a fresh page and loads Mermaid again per diagram).
// Node only: src/diagram makes the text, this turns it into pictures. The packages are
// imported lazily, so the rest of packetwalk runs without them.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, normalize, sep } from "node:path";
import { pathToFileURL } from "node:url";

export type ImageFormat = "svg" | "png";

/** No browser, or no Mermaid/puppeteer: the message says what to install. */
export class RendererUnavailable extends Error {}

export interface MermaidRenderer {
  /** The picture of one definition; throws on a definition Mermaid does not parse. */
  render(definition: string, format: ImageFormat): Promise<Uint8Array>;
  /** Whether Mermaid parses the definition (its own error message when it does not). */
  parse(definition: string): Promise<{ ok: true } | { ok: false; error: string }>;
  /** Opens an SVG file in the browser: its drawn size and the text it shows. */
  view(file: string): Promise<{ width: number; height: number; text: string }>;
  close(): Promise<void>;
}

const PAGE_ORIGIN = "https://packetwalk.invalid";
const PAGE_HTML =
  '<!doctype html><html><body style="margin:0;background:white"><div id="out"></div></body></html>';

const BROWSERS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** The browser to use: $PACKETWALK_CHROMIUM, else Debian's chromium. */
export function browserPath(): string | undefined {
  const env = process.env.PACKETWALK_CHROMIUM;
  if (env) return existsSync(env) ? env : undefined;
  return BROWSERS.find((p) => existsSync(p));
}

// The page's global, as Mermaid's UMD bundle defines it (typed here for the calls made).
interface PageMermaid {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
  parse(text: string): Promise<unknown>;
}
declare const mermaid: PageMermaid;
declare const document: {
  documentElement: unknown;
  getElementById(id: string): { innerHTML: string; firstElementChild: unknown } | null;
};
declare class XMLSerializer {
  serializeToString(node: unknown): string;
}

const loadPuppeteer = async () => (await import("puppeteer-core")).default;

export async function openRenderer(): Promise<MermaidRenderer> {
  const executablePath = browserPath();
  if (!executablePath) {
    throw new RendererUnavailable(
      "no Chromium found (looked for /usr/bin/chromium; set PACKETWALK_CHROMIUM to another): " +
        "install Debian's chromium (apt-get install chromium) to render SVG or PNG",
    );
  }
  let puppeteer: Awaited<ReturnType<typeof loadPuppeteer>>;
  let mermaidJs: string;
  try {
    puppeteer = await loadPuppeteer();
    mermaidJs = createRequire(import.meta.url).resolve("mermaid/dist/mermaid.esm.min.mjs");
  } catch {
    throw new RendererUnavailable(
      "the Mermaid renderer is not installed: PUPPETEER_SKIP_DOWNLOAD=1 npm install " +
        "(packages @mermaid-js/mermaid-cli, mermaid, puppeteer-core)",
    );
  }
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    // Chromium's own sandbox refuses to start as root; a container build runs as root.
    args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1600, height: 1200 });
    // The page is served from a made-up https origin so that Mermaid's ES module build can
    // load only the chunks a diagram needs (file:// pages may not import modules): loading
    // the whole 3 MB bundle was the largest part of a batch (bench/diagrams.md). Only files
    // of Mermaid's dist/ are served; every other request is refused, so nothing is fetched
    // from the network.
    const dist = dirname(mermaidJs);
    await page.setRequestInterception(true);
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.origin !== PAGE_ORIGIN) return void r.abort();
      if (u.pathname === "/")
        return void r.respond({ status: 200, contentType: "text/html", body: PAGE_HTML });
      const file = normalize(join(dist, decodeURIComponent(u.pathname)));
      if (!file.startsWith(dist + sep) || !/\.m?js$/.test(file) || !existsSync(file))
        return void r.respond({ status: 404, body: "" });
      r.respond({ status: 200, contentType: "text/javascript", body: readFileSync(file) });
    });
    await page.goto(`${PAGE_ORIGIN}/`);
    const config = {
      startOnLoad: false,
      securityLevel: "strict",
      theme: "default",
      // Text labels, not HTML in foreignObject: the SVG then reads the same everywhere.
      flowchart: { htmlLabels: false },
      deterministicIds: true,
    };
    // As text: a bundler (vitest's) would rewrite an import() written in a function.
    await page.evaluate(
      `import(${JSON.stringify(`/${basename(mermaidJs)}`)}).then((m) => {` +
        `globalThis.mermaid = m.default; m.default.initialize(${JSON.stringify(config)}); })`,
    );
    // Mermaid's SVG text holds HTML void tags (<br>) that are not XML: it is put in the
    // page and serialized back as XML, so the .svg file opens anywhere.
    const svgOf = (definition: string): Promise<string> =>
      page.evaluate(async (d) => {
        const { svg } = await mermaid.render("packetwalk", d);
        const out = document.getElementById("out")!;
        out.innerHTML = svg;
        return new XMLSerializer().serializeToString(out.firstElementChild!);
      }, definition);
    return {
      async render(definition, format) {
        const svg = await svgOf(definition);
        if (format === "svg") return new TextEncoder().encode(svg + "\n");
        const el = await page.$("#out svg");
        if (!el) throw new Error("Mermaid made no SVG");
        return await el.screenshot({ type: "png" });
      },
      async parse(definition) {
        try {
          await page.evaluate(async (d) => {
            await mermaid.parse(d);
          }, definition);
          return { ok: true };
        } catch (e) {
          return { ok: false, error: e instanceof Error ? e.message : String(e) };
        }
      },
      async view(file) {
        const p = await browser.newPage();
        try {
          await p.goto(pathToFileURL(file).href);
          return await p.evaluate(() => {
            const root = document.documentElement as unknown as {
              getBoundingClientRect(): { width: number; height: number };
              textContent: string | null;
            };
            const r = root.getBoundingClientRect();
            return { width: r.width, height: r.height, text: root.textContent ?? "" };
          });
        } finally {
          await p.close();
        }
      },
      close: () => browser.close(),
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
