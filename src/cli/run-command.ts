// `packetwalk run`: a lab script in the simulator, on the kernel, or both side by side.
import type { CommandResult } from "../backend.js";
// The diff library is loaded only for --compare (start-up of a plain run).
import type { differences as Differences } from "../compare/diff.js";
import { compareLab, runLab, type ComparedLine, type LineResult } from "../compare/lab-run.js";
import { chatterNote } from "../compare/capture-chatter.js";
import { escapeControls, escapeOutput } from "../script/escape.js";
import type { Expander } from "../script/expand.js";
import type { LabScript, Provenance } from "../script/types.js";
import { chooseMode, openBackends } from "./backends.js";
import { loadScript } from "./load-script.js";
import { style } from "./style.js";
import { refuseNotSimulated } from "./sim-preflight.js";
import { untilLine } from "./until.js";

export interface RunOptions {
  sim?: boolean;
  kernel?: boolean;
  compare?: boolean;
  json?: boolean;
  profile?: string;
  seed?: string;
  timeout?: string;
  quiet?: boolean;
  /** Expands lines into several commands (tests inject one; `docker` will). */
  expand?: Expander;
  /** Stop after this line (a command line): `run --until LINE`. */
  until?: string;
}

type Write = (s: string) => void;

export async function runCommand(file: string, opts: RunOptions, write: Write): Promise<number> {
  const mode = chooseMode(opts);
  const script = refuseNotSimulated(
    untilLine(loadScript(file, opts.expand ? { expand: opts.expand } : {}), opts.until),
    mode,
  );
  const open = await openBackends(mode, opts);
  try {
    const { sim, kernel } = open;
    if (mode === "compare") {
      const { differences } = await import("../compare/diff.js");
      const lines = await compareLab(script.commands, sim!, kernel!, (r) =>
        write(opts.json ? jsonCompared(r) : humanCompared(r, opts.quiet ?? false, differences)),
      );
      const bad = lines.filter((l) => !l.match).length;
      if (!opts.json) write(summaryCompared(lines.length, bad));
      return bad > 0 ? 1 : 0;
    }
    const backend = (sim ?? kernel)!;
    const narration = new Map(script.comments.map((c) => [c.line, c.text]));
    let nextComment = 0;
    const lines = await runLab(script.commands, backend, (r) => {
      if (opts.json) return write(jsonLine(r));
      nextComment = writeNarration(script, narration, nextComment, r.line, write);
      write(humanLine(r));
    });
    if (!opts.json) {
      writeNarration(script, narration, nextComment, Number.MAX_SAFE_INTEGER, write);
      const failed = lines.filter((l) => l.result.exit !== 0).length;
      write(
        style.dim(
          `\n${lines.length} commands run ${mode === "sim" ? "in the simulator" : "on the kernel (sandbox)"}; ${failed} exited non-zero.\n`,
        ),
      );
    }
    return 0;
  } finally {
    await open.close();
  }
}

function writeNarration(
  script: LabScript,
  _n: Map<number, string>,
  from: number,
  upTo: number,
  write: Write,
): number {
  let i = from;
  while (i < script.comments.length && script.comments[i]!.line < upTo) {
    const c = script.comments[i]!;
    write(style.cyan(c.text ? `# ${escapeControls(c.text)}` : "#") + "\n");
    i++;
  }
  return i;
}

function jsonResult(r: CommandResult): CommandResult {
  return {
    exit: r.exit,
    stdout: r.stdout,
    stderr: r.stderr,
    ...(r.performed ? { performed: r.performed } : {}),
  };
}

function jsonLine(r: LineResult): string {
  return (
    JSON.stringify({
      line: r.line,
      command: r.command,
      ...jsonResult(r.result),
      provenance: jsonProvenance(r.provenance),
    }) + "\n"
  );
}

/** Fixed key order, whatever order the object was built in. */
function jsonProvenance(p: Provenance): Provenance {
  return {
    line: p.line,
    text: p.text,
    step: p.step,
    of: p.of,
    ...(p.expandedBy !== undefined ? { expandedBy: p.expandedBy } : {}),
  };
}

function jsonCompared(r: ComparedLine): string {
  return (
    JSON.stringify({
      line: r.line,
      command: r.command,
      sim: jsonResult(r.sim),
      kernel: jsonResult(r.kernel),
      match: r.match,
      provenance: jsonProvenance(r.provenance),
    }) + "\n"
  );
}

/**
 * The command and what it printed. The commands a line expands into (docker's) go
 * indented under the line, which is shown once, before its first command. What a script
 * or its programs printed is escaped for people (src/script/escape.ts).
 */
function humanLine(r: LineResult): string {
  const p = r.provenance;
  const expanded = p.expandedBy !== undefined;
  let s = "";
  if (expanded && p.step === 1) s += style.bold(`$ ${escapeControls(p.text)}`) + "\n";
  let body = style.bold(`$ ${escapeControls(r.command)}`) + "\n";
  body += escapeOutput(r.result.stdout);
  if (r.result.stderr) body += style.red(escapeOutput(r.result.stderr));
  if (r.result.exit !== 0) body += style.yellow(`[exit ${r.result.exit}]`) + "\n";
  body += performedText(r.result);
  s += expanded ? indent(body) : body;
  return s;
}

/** What the daemon did for a docker line: its kernel operations, as commands to type. */
function performedText(r: CommandResult): string {
  const ops = r.performed ?? [];
  if (ops.length === 0) return "";
  const lines = ops.map((o) =>
    escapeControls(o.where === "" ? o.text : `nsenter --net=${o.where} ${o.text}`),
  );
  return style.dim(`  dockerd did:\n${lines.map((l) => `    ${l}\n`).join("")}`);
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}

function humanCompared(r: ComparedLine, quiet: boolean, differences: typeof Differences): string {
  const p = r.provenance;
  const step = p.expandedBy !== undefined ? ` ${p.step}/${p.of}` : "";
  const head = `${style.dim(`line ${String(r.line).padStart(3)}${step}`)}  ${escapeControls(r.command)}`;
  const note = chatterNote(r.sim, r.kernel, r.command);
  const noted = note === undefined ? "" : style.dim(`      note: ${note}`) + "\n";
  if (r.match) {
    if (quiet) return "";
    return `${style.green("same")}  ${head}\n${noted}`;
  }
  let s = `${style.red("DIFF")}  ${head}\n${noted}`;
  for (const d of differences(r.sim, r.kernel, r.command)) {
    s += style.dim(`      ${d.field} (- simulator, + kernel):`) + "\n";
    for (const raw of d.lines) {
      const l = escapeControls(raw);
      const coloured = l.startsWith("- ") ? style.red(l) : l.startsWith("+ ") ? style.green(l) : l;
      s += `      ${coloured}\n`;
    }
  }
  return s;
}

function summaryCompared(total: number, bad: number): string {
  return bad === 0
    ? style.green(`\nAll ${total} lines give the same result in the simulator and on the kernel.\n`)
    : style.red(
        `\n${bad} of ${total} lines differ between the simulator and the kernel (after normalisation).\n`,
      );
}
