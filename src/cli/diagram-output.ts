// Writing diagrams for `packetwalk diagram` and `walk --diagram`: Mermaid text always;
// SVG or PNG through Chromium (src/render-node). Without a browser the .mmd is still
// written and the message says what is missing.
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import {
  openRenderer,
  RendererUnavailable,
  type ImageFormat,
} from "../render-node/mermaid-render.js";
import { UserError } from "./load-script.js";

export type DiagramFormat = "mmd" | ImageFormat;

/** --format, or the output file's extension, or mmd. */
export function diagramFormat(
  format: string | undefined,
  output: string | undefined,
): DiagramFormat {
  const f = format ?? (output ? extname(output).slice(1) : "mmd");
  if (f === "mmd" || f === "svg" || f === "png") return f;
  throw new UserError(`packetwalk: --format ${f}: use mmd, svg or png`);
}

/** FILE with its extension replaced (or added). */
export function withExtension(file: string, ext: string): string {
  const e = extname(file);
  return (e ? file.slice(0, -e.length) : file) + "." + ext;
}

/**
 * Writes each diagram to its file (name -> Mermaid text, file named with the format's
 * extension) in one browser session. Returns the exit code: 3 when no browser could
 * render (the .mmd files are written then).
 */
export async function writeDiagrams(
  files: { file: string; mmd: string }[],
  format: DiagramFormat,
): Promise<number> {
  if (format === "mmd") {
    for (const f of files) writeFileSync(withExtension(f.file, "mmd"), f.mmd);
    return 0;
  }
  let renderer;
  try {
    renderer = await openRenderer();
  } catch (e) {
    if (!(e instanceof RendererUnavailable)) throw e;
    for (const f of files) writeFileSync(withExtension(f.file, "mmd"), f.mmd);
    const written = files.map((f) => withExtension(f.file, "mmd")).join(", ");
    process.stderr.write(
      `packetwalk: cannot make ${format}: ${e.message}\nwrote ${written} instead\n`,
    );
    return 3;
  }
  try {
    for (const f of files) {
      writeFileSync(withExtension(f.file, format), await renderer.render(f.mmd, format));
    }
  } finally {
    await renderer.close();
  }
  return 0;
}

/** Diagrams as one Markdown file: a ```mermaid block each (GitHub draws them). */
export function markdownOf(title: string, parts: { heading: string; mmd: string }[]): string {
  let s = `# ${title}\n`;
  for (const p of parts) s += `\n## ${p.heading}\n\n\`\`\`mermaid\n${p.mmd}\`\`\`\n`;
  return s;
}
