// A walk for people on a terminal: one line per hop, netfilter in iptables' own words.
// Colour is only ever an aid: every line says in words what its colour says (dropped,
// ACCEPT, the `>>` mark of a difference), so a pipe or NO_COLOR loses nothing. The caller
// decides on colour, which keeps this module pure and testable.
import {
  machineName,
  nsDisplay,
  ROOT_DISPLAY,
  type NfPathPacket,
  type NfPathStep,
  type NsName,
} from "../backend/trace-types.js";
import { stepText as stepText_ } from "./compare-nf.js";
import type {
  NfDifference,
  ProbeResult,
  SetupFailure,
  Walk,
  WalkPacket,
  WalkStep,
} from "./types.js";

export interface RenderOptions {
  colour: boolean;
  /** A step whose line with its why would be longer than this puts the why on its own line. */
  width?: number;
}

/** One hop as `--step` reveals it: its lines, under its packet's title. */
export interface WalkHop {
  /** The packet's id (WalkPacket.id). */
  packet: number;
  /** The packet's title line, as renderWalk prints it. */
  title: string;
  /** The step's lines; a packet's last hop also carries its fate line. */
  lines: string[];
}

type Paint = (s: string) => string;

export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
}

/** Terminal styles, switched by the caller (src/cli/style.ts switches them by the terminal). */
export function palette(colour: boolean): Palette {
  const wrap =
    (code: string, reset: string): Paint =>
    (s) =>
      colour && s !== "" ? `\u001b[${code}m${s}\u001b[${reset}m` : s;
  return {
    bold: wrap("1", "22"),
    dim: wrap("2", "22"),
    red: wrap("31", "39"),
    green: wrap("32", "39"),
    yellow: wrap("33", "39"),
    cyan: wrap("36", "39"),
  };
}

const ROOT = ROOT_DISPLAY;
const DEFAULT_WIDTH = 100;

/** A namespace as people are shown it: "(root)" for the script's own. */
export function nsName(ns: NsName): string {
  return nsDisplay(ns);
}

/** The whole walk as text, ending in a newline. */
export function renderWalk(walk: Walk, opts: RenderOptions): string {
  const body =
    walk.backend === "kernel"
      ? kernelSection(walk, palette(opts.colour))
      : packetSection(walk, opts);
  return joinSections([...headSections(walk, opts), body, ...tailSections(walk, opts)]);
}

/**
 * What `--step` prints before the hops (script, probe, setup failures), and after them
 * (timer events, the comparison): renderWalk is head, packets, tail.
 */
export function renderHead(walk: Walk, opts: RenderOptions): string {
  return joinSections(headSections(walk, opts));
}

export function renderTail(walk: Walk, opts: RenderOptions): string {
  return joinSections(tailSections(walk, opts));
}

function headSections(walk: Walk, opts: RenderOptions): string[][] {
  const p = palette(opts.colour);
  return [headerSection(walk, p), setupSection(walk, p)];
}

function tailSections(walk: Walk, opts: RenderOptions): string[][] {
  const p = palette(opts.colour);
  return [
    walk.backend === "kernel" ? [] : eventsSection(walk, p),
    walk.backend === "compare" ? compareSections(walk, p) : [],
  ];
}

/** Sections apart by a blank line, ending in a newline; "" when there is nothing. */
function joinSections(sections: string[][]): string {
  const shown = sections.filter((s) => s.length > 0);
  return shown.length === 0 ? "" : shown.map((s) => s.join("\n")).join("\n\n") + "\n";
}

// ---- header ----------------------------------------------------------------------------

const BACKEND_WORDS: Record<Walk["backend"], string> = {
  sim: "in the simulator",
  kernel: "on the real kernel (in a throwaway sandbox)",
  compare: "in the simulator, held against the real kernel",
};

function headerSection(walk: Walk, p: Palette): string[] {
  const lines = [`${p.bold("walk")} of ${walk.script}, ${BACKEND_WORDS[walk.backend]}`];
  if (walk.backend === "compare") {
    if (walk.sim) lines.push(...probeLines("probe (simulator)", walk.sim.probe, p));
    if (walk.kernel) lines.push(...probeLines("probe (kernel)", walk.kernel.probe, p));
  } else {
    const probe = walk.sim?.probe ?? walk.kernel?.probe;
    if (probe) lines.push(...probeLines("probe", probe, p));
  }
  return lines;
}

function probeLines(label: string, probe: ProbeResult, p: Palette): string[] {
  const exit = `exit ${probe.exit}`;
  const head = `${label}: ${probe.text}  [in ${p.cyan(nsName(probe.ns))}]  ${probe.exit === 0 ? p.green(exit) : p.yellow(exit)}`;
  return [
    head,
    ...outputLines(probe.stdout).map(indent(4)),
    ...outputLines(probe.stderr).map((l) => `    ${p.dim("stderr:")} ${l}`),
  ];
}

/** Indents a program's output line; an empty line stays empty (no trailing blanks). */
function indent(n: number): (l: string) => string {
  return (l) => (l === "" ? "" : " ".repeat(n) + l);
}

function outputLines(s: string): string[] {
  return s === "" ? [] : s.replace(/\n$/, "").split("\n");
}

/** " (2 of 5 of `docker run ...`)" for a command a line expanded into; "" otherwise. */
function expansionStep(f: SetupFailure): string {
  const pr = f.provenance;
  return pr?.expandedBy === undefined ? "" : ` (${pr.step} of ${pr.of} of \`${pr.text}\`)`;
}

function setupSection(walk: Walk, p: Palette): string[] {
  const failures = walk.setupFailures;
  if (failures.length === 0) return [];
  const plural = failures.length === 1 ? "line" : "lines";
  return [
    p.red(
      `setup: ${failures.length} script ${plural} failed (the walk may not be what you meant):`,
    ),
    ...failures.flatMap((f) => [
      `  line ${f.line}${expansionStep(f)}: ${f.command}  ${p.red(`exit ${f.exit}`)}`,
      ...outputLines(f.stderr).map(indent(4)),
    ]),
  ];
}

// ---- the simulator's packets -----------------------------------------------------------

interface Layout {
  timeWidth: number;
  nsWidth: number;
  tagWidth: number;
  width: number;
}

/** A netfilter difference marked on the sim step where the two paths part. */
interface Mark {
  /** 1-based number of the difference, as the differences section lists it. */
  n: number;
  /** The kernel's step at that point (undefined: its trace had none). */
  kernel?: string;
  /** The simulator has no step there: the kernel's trace goes on after this step. */
  after: boolean;
}

const TAGS: Record<WalkStep["kind"], string> = {
  wire: "wire",
  loopback: "loopback",
  up: "up",
  route: "route",
  neigh: "neigh",
  bridge: "bridge",
  // Upper case: netfilter and drops must stand out without colour too.
  nf: "NF",
  ct: "ct",
  nat: "nat",
  ttl: "ttl",
  local: "local",
  state: "state",
  drop: "DROP",
};

function packetSection(walk: Walk, opts: RenderOptions): string[] {
  const packets = walk.sim?.packets ?? [];
  if (packets.length === 0) return ["no packet: the probe sent nothing the simulator traced"];
  const lines: string[] = [];
  let shown: number | undefined;
  for (const hop of walkHops(walk, opts)) {
    if (hop.packet !== shown) {
      if (shown !== undefined) lines.push("");
      lines.push(hop.title);
      shown = hop.packet;
    }
    lines.push(...hop.lines);
  }
  return lines;
}

/** The simulator's walk hop by hop, as renderWalk prints it: what `--step` reveals. */
export function walkHops(walk: Walk, opts: RenderOptions): WalkHop[] {
  const packets = walk.sim?.packets ?? [];
  const p = palette(opts.colour);
  const layout = layoutOf(walk, opts);
  const marks = differenceMarks(walk);
  return packets.flatMap((pkt) => packetHops(pkt, packets, layout, marks, p));
}

function layoutOf(walk: Walk, opts: RenderOptions): Layout {
  const steps = (walk.sim?.packets ?? []).flatMap((pkt) => pkt.steps);
  return {
    timeWidth: Math.max(5, ...steps.map((s) => s.time.toFixed(3).length)),
    nsWidth: Math.max(ROOT.length, ...steps.map((s) => nsName(s.ns).length)),
    tagWidth: Math.max(2, ...steps.map((s) => TAGS[s.kind].length)),
    width: opts.width ?? DEFAULT_WIDTH,
  };
}

function packetHops(
  pkt: WalkPacket,
  all: WalkPacket[],
  layout: Layout,
  marks: Map<WalkStep, Mark[]>,
  p: Palette,
): WalkHop[] {
  const title = titleOf(pkt, all, p);
  let header = pkt.summary;
  const hops = pkt.steps.map((s): WalkHop => {
    const lines: string[] = [];
    // The headers only when they change (first hop, TTL, NAT). State steps carry the
    // packet's first headers, not its current ones, so they must not count as a change.
    if (s.kind !== "state" && s.header !== header) {
      lines.push(`${" ".repeat(leadWidth(layout))}${p.dim(`headers: ${s.header}`)}`);
      header = s.header;
    }
    lines.push(...stepLines(s, layout, marks.get(s) ?? [], p));
    return { packet: pkt.id, title, lines };
  });
  const fate = fateLine(pkt, p);
  const last = hops.at(-1);
  if (last) last.lines.push(fate);
  else hops.push({ packet: pkt.id, title, lines: [fate] });
  return hops;
}

function titleOf(pkt: WalkPacket, all: WalkPacket[], p: Palette): string {
  const cause = pkt.causedBy === undefined ? "" : ` ${relation(pkt, all, pkt.causedBy)}`;
  return p.bold(`#${pkt.id} ${pkt.summary}`) + cause;
}

/** An ARP request is sent for a packet that waits on it; anything else answers its cause. */
function relation(pkt: WalkPacket, all: WalkPacket[], cause: number): string {
  if (pkt.protocol === "arp" && pkt.summary.startsWith("ARP request"))
    return `(sent for #${cause})`;
  const parent = all.find((q) => q.id === cause);
  return parent ? `(answers #${cause})` : `(because of #${cause})`;
}

/** Gutter, time, namespace and tag: where a step's text starts. */
function leadWidth(layout: Layout): number {
  return 2 + 1 + layout.timeWidth + 3 + 2 + layout.nsWidth + 2 + layout.tagWidth + 2;
}

function stepLines(s: WalkStep, layout: Layout, marks: Mark[], p: Palette): string[] {
  const gutter = marks.length > 0 ? p.red(">>") : "  ";
  const time = `${s.time.toFixed(3).padStart(layout.timeWidth)} ms`;
  const tag = TAGS[s.kind].padEnd(layout.tagWidth);
  const lead = `${gutter} ${time}  ${p.cyan(nsName(s.ns).padEnd(layout.nsWidth))}  ${tagPaint(s, p)(tag)}  `;
  const text = stepText(s);
  const lines = [lead + paintStep(s, text, p)];
  if (s.why) {
    const why = p.dim(`-- ${s.why}`);
    const fits = leadWidth(layout) + text.length + 2 + 3 + s.why.length <= layout.width;
    if (fits) lines[0] += `  ${why}`;
    else lines.push(" ".repeat(leadWidth(layout)) + why);
  }
  for (const m of marks) lines.push(markLine(m, layout, p));
  return lines;
}

function tagPaint(s: WalkStep, p: Palette): Paint {
  if (s.kind === "drop") return (t) => p.bold(p.red(t));
  if (s.kind === "nf") return (t) => p.bold(p.yellow(t));
  return p.dim;
}

/** What the step says; a netfilter step in the kernel trace's words, so the two compare. */
function stepText(s: WalkStep): string {
  if (s.kind !== "nf" || !s.nf) return s.text;
  const nf = s.nf;
  const hook = nf.hook !== nf.chain ? ` (${nf.hook} hook)` : "";
  return `${nfStepText(nf)}${hook}`;
}

function paintStep(s: WalkStep, text: string, p: Palette): string {
  if (s.kind === "drop") return p.red(text);
  if (s.kind === "local") return p.green(text);
  if (s.kind === "nf" && s.nf) return paintVerdict(text, s.nf.verdict, p);
  return text;
}

/** Colours the verdict at the end of a netfilter line; the words stay as they are. */
function paintVerdict(text: string, verdict: string, p: Palette): string {
  const at = text.lastIndexOf(verdict);
  if (at < 0) return text;
  return text.slice(0, at) + verdictPaint(verdict, p)(verdict) + text.slice(at + verdict.length);
}

function verdictPaint(verdict: string, p: Palette): Paint {
  if (verdict === "ACCEPT") return p.green;
  if (verdict === "DROP" || verdict.startsWith("REJECT")) return (t) => p.bold(p.red(t));
  return p.yellow;
}

function markLine(m: Mark, layout: Layout, p: Palette): string {
  const what = m.after
    ? `the kernel's trace goes on after this step: ${m.kernel ?? "?"}`
    : m.kernel === undefined
      ? "the kernel's trace has no step here"
      : `the kernel's trace has instead: ${m.kernel}`;
  const pad = " ".repeat(leadWidth(layout) - 2);
  return `${p.red(">>")}${pad}${p.red(`${what} (netfilter difference ${m.n})`)}`;
}

function fateLine(pkt: WalkPacket, p: Palette): string {
  const f = pkt.fate;
  let text = f.text.startsWith(f.kind) ? f.text : `${f.kind}: ${f.text}`;
  if (f.reason && !text.includes(f.reason)) text += `: ${f.reason}`;
  const paint = f.kind === "delivered" ? p.green : f.kind === "dropped" ? p.red : p.yellow;
  return `   ${paint(`=> ${text}`)}`;
}

// ---- timer events ----------------------------------------------------------------------

function eventsSection(walk: Walk, p: Palette): string[] {
  const events = walk.sim?.events ?? [];
  if (events.length === 0) return [];
  const parsed = events.map((e) => ({
    ...e,
    name: machineName(e.machine),
    ns: nsName(e.machine.ns),
  }));
  const timeWidth = Math.max(5, ...events.map((e) => e.time.toFixed(3).length));
  const nsWidth = Math.max(ROOT.length, ...parsed.map((e) => e.ns.length));
  return [
    p.bold("state machines that moved with no packet in hand (timers, the probe itself):"),
    ...parsed.map(
      (e) =>
        `   ${e.time.toFixed(3).padStart(timeWidth)} ms  ${p.cyan(e.ns.padEnd(nsWidth))}  ${e.name}: ${e.state}`,
    ),
  ];
}

// ---- the kernel's netfilter trace ------------------------------------------------------

function kernelSection(walk: Walk, p: Palette): string[] {
  const k = walk.kernel;
  if (!k) return [];
  const lines = [p.bold("the kernel's netfilter trace (xtables-monitor --trace), per namespace:")];
  if (k.netfilter.length === 0) lines.push("  no packet went through a traced netfilter chain");
  for (const [ns, packets] of byNamespace(k.netfilter)) {
    lines.push(`  ${p.cyan(ns)}`);
    packets.forEach((pkt, i) => {
      lines.push(`    ${i + 1}. ${nfPacketText(pkt)}`);
      for (const s of pkt.steps)
        lines.push(`         ${paintVerdict(nfStepText(s), s.verdict, p)}`);
    });
  }
  return [...lines, ...warningLines(k.warnings, p), ...kernelStateLines(k.state ?? [], p)];
}

/** What the probe left behind, as the kernel's tools print it (commands with output only). */
function kernelStateLines(state: { command: string; output: string }[], p: Palette): string[] {
  const shown = state.filter((s) => s.output.trim() !== "");
  if (shown.length === 0) return [];
  return [
    "",
    p.bold("state after the probe:"),
    ...shown.flatMap((s) => [`  $ ${s.command}`, ...outputLines(s.output).map(indent(4))]),
  ];
}

function warningLines(warnings: string[], p: Palette): string[] {
  if (warnings.length === 0) return [];
  return ["", p.yellow("warnings:"), ...warnings.map((w) => `  - ${w}`)];
}

function byNamespace(packets: NfPathPacket[]): Map<string, NfPathPacket[]> {
  const m = new Map<string, NfPathPacket[]>();
  for (const pkt of packets) {
    const ns = nsName(pkt.ns);
    m.set(ns, [...(m.get(ns) ?? []), pkt]);
  }
  return m;
}

/** `src > dst proto`, with ports, TCP flags and length when the trace gave them. */
export function nfPacketText(pkt: NfPathPacket): string {
  const src = pkt.sport === undefined ? pkt.src : `${pkt.src}:${pkt.sport}`;
  const dst = pkt.dport === undefined ? pkt.dst : `${pkt.dst}:${pkt.dport}`;
  const flags = pkt.tcpFlags?.length ? ` [${pkt.tcpFlags.join(",")}]` : "";
  const len = pkt.len === undefined ? "" : ` len ${pkt.len}`;
  return `${src} > ${dst} ${pkt.proto ?? "?"}${flags}${len}`;
}

/** `table chain rule N: rule => verdict`, or `table chain policy VERDICT`. */
/** One netfilter trace event in words (the comparison's own wording, so marks line up). */
export const nfStepText: (s: NfPathStep) => string = stepText_;

// ---- compare ---------------------------------------------------------------------------

/** The netfilter steps of each sim packet that has some in one namespace, in walk order. */
function nfPacketsIn(packets: WalkPacket[], ns: NsName): WalkStep[][] {
  return packets
    .map((pkt) => pkt.steps.filter((s) => s.kind === "nf" && s.ns === ns))
    .filter((steps) => steps.length > 0);
}

/**
 * Where each difference happens in the sim's walk. NfDifference names the packet by its
 * index among the namespace's traced packets, ordered by their first netfilter event
 * (sim/trace/nf-path.ts); walk steps carry no global order, so the walk's packet order stands in
 * for it, and the steps themselves (same words as compare-nf.ts) settle any disagreement.
 * A difference that cannot be placed is still listed in full below the walk.
 */
function differenceMarks(walk: Walk): Map<WalkStep, Mark[]> {
  const marks = new Map<WalkStep, Mark[]>();
  const packets = walk.sim?.packets ?? [];
  (walk.comparison?.differences ?? []).forEach((d, i) => {
    const steps = placeDifference(packets, d);
    if (!steps) return;
    const after = d.at >= steps.length;
    const step = steps[Math.min(d.at, steps.length - 1)];
    if (!step) return;
    const mark: Mark = { n: i + 1, after, kernel: d.kernel?.[d.at] };
    marks.set(step, [...(marks.get(step) ?? []), mark]);
  });
  return marks;
}

/** The netfilter steps of the sim packet a difference is about, when it can be found. */
function placeDifference(packets: WalkPacket[], d: NfDifference): WalkStep[] | undefined {
  const sim = d.sim;
  if (sim === undefined) return undefined;
  const same = (steps: WalkStep[]): boolean =>
    steps.length === sim.length && steps.every((s, i) => s.nf && nfStepText(s.nf) === sim[i]);
  const candidates = nfPacketsIn(packets, d.ns);
  const atIndex = candidates[d.index];
  if (atIndex && same(atIndex)) return atIndex;
  return candidates.find(same) ?? atIndex;
}

function compareSections(walk: Walk, p: Palette): string[] {
  const c = walk.comparison;
  if (!c) return [];
  const parts = [
    differenceSection(c.differences, p),
    stateSection(c.state, p),
    warningLines(walk.kernel?.warnings ?? [], p),
    summaryLines(walk, p),
  ].filter((s) => s.length > 0);
  return parts.flatMap((s, i) => (i === 0 ? s : ["", ...s]));
}

function differenceSection(diffs: NfDifference[], p: Palette): string[] {
  if (diffs.length === 0) return [];
  return [
    p.bold(`netfilter differences (${diffs.length}), the first differing step marked >>:`),
    ...diffs.flatMap((d, i) => differenceLines(d, i + 1, p)),
  ];
}

function differenceLines(d: NfDifference, n: number, p: Palette): string[] {
  return [
    `  ${n}. in ${p.cyan(nsName(d.ns))}, packet ${d.index + 1} (${d.packet}): they part at step ${d.at + 1}`,
    ...sideLines("simulator", d.sim, d.at, p),
    ...sideLines("kernel", d.kernel, d.at, p),
  ];
}

/** One side's steps, numbered, the step where the two part marked `>>`. */
function sideLines(who: string, steps: string[] | undefined, at: number, p: Palette): string[] {
  if (steps === undefined) return [`       ${who}: no such packet`];
  const lines = [`       ${who}:`];
  steps.forEach((s, i) => lines.push(sideLine(i, s, i === at, p)));
  if (at >= steps.length) lines.push(sideLine(at, "(nothing: the trace ends here)", true, p));
  return lines;
}

function sideLine(i: number, text: string, marked: boolean, p: Palette): string {
  const num = String(i + 1).padStart(3);
  return marked ? `      ${p.red(">>")}${num}  ${p.red(text)}` : `        ${num}  ${text}`;
}

function stateSection(state: NonNullable<Walk["comparison"]>["state"], p: Palette): string[] {
  const differ = state.filter((s) => !s.match);
  if (differ.length === 0) return [];
  return [
    p.bold("state after the probe that differs:"),
    ...differ.flatMap((s) => [
      `  $ ${s.command}`,
      "    simulator:",
      ...outputLines(s.sim).map(indent(6)),
      "    kernel:",
      ...outputLines(s.kernel).map(indent(6)),
    ]),
  ];
}

function summaryLines(walk: Walk, p: Palette): string[] {
  const c = walk.comparison;
  if (!c) return [];
  const same = (ok: boolean, text: string): string => (ok ? p.green(text) : p.red(text));
  const lines = [
    same(c.probeMatch, c.probeMatch ? "probe: same result in both" : probeDiffers(walk)),
  ];
  lines.push(same(c.netfilterMatch && c.differences.length === 0, netfilterSummary(walk)));
  const bad = c.state.filter((s) => !s.match).length;
  if (c.state.length > 0)
    lines.push(
      same(
        bad === 0,
        bad === 0
          ? `state after the probe: same (${c.state.length} commands)`
          : `state after the probe: differs in ${bad} of ${c.state.length} commands`,
      ),
    );
  return lines;
}

function probeDiffers(walk: Walk): string {
  const s = walk.sim?.probe.exit;
  const k = walk.kernel?.probe.exit;
  return `probe: differs (simulator exit ${s ?? "?"}, kernel exit ${k ?? "?"})`;
}

function netfilterSummary(walk: Walk): string {
  const traced = walk.kernel?.netfilter ?? [];
  const packets = traced.length;
  const namespaces = new Set(traced.map((t) => t.ns)).size;
  const scope = `${packets} ${packets === 1 ? "packet" : "packets"} in ${namespaces} ${namespaces === 1 ? "namespace" : "namespaces"}`;
  const k = walk.comparison?.differences.length ?? 0;
  if (k === 0 && walk.comparison?.netfilterMatch !== false)
    return `netfilter path: same as the kernel's trace (${scope})`;
  return `netfilter path: differs from the kernel's trace in ${k} ${k === 1 ? "packet" : "packets"} (the kernel traced ${scope})`;
}
