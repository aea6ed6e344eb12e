// --compare for people: where the simulated walk and the kernel's trace part (a mark on
// the walk's step), each difference listed in full, the state that differs, a summary.
import type { NsName } from "../backend/trace-types.js";
import { nfStepText, tracedText, warningLines } from "./kernel-view.js";
import { indent, nsName, outputLines, type Palette } from "./palette.js";
import type { NfDifference, Walk, WalkPacket, WalkStep } from "./types.js";

/** A netfilter difference marked on the sim step where the two paths part. */
export interface Mark {
  /** 1-based number of the difference, as the differences section lists it. */
  n: number;
  /** The kernel's step at that point (undefined: its trace had none). */
  kernel?: string;
  /** The simulator has no step there: the kernel's trace goes on after this step. */
  after: boolean;
}

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
export function differenceMarks(walk: Walk): Map<WalkStep, Mark[]> {
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

export function compareSections(walk: Walk, p: Palette): string[] {
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
  const k = walk.kernel;
  if (k?.traced) lines.push(`kernel ${tracedText(k.traced, k.tracing)}`);
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
