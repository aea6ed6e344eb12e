// A walk for people on a terminal. First a one-line verdict (verdict.ts), then the probe,
// then the packets: by default one compact line per namespace a packet passes
// (compact.ts), with -v every step (detail.ts), with --only the steps of some kinds; the
// kernel's trace (kernel-view.ts) and the comparison (compare-view.ts) follow. Colour is
// only ever an aid: every line says in words what its colour says (dropped, ACCEPT, the
// `>>` mark of a difference), so a pipe or NO_COLOR loses nothing. The caller decides on
// colour, which keeps this module pure and testable.
import { compactHops, shownPackets } from "./compact.js";
import { compareSections, differenceMarks } from "./compare-view.js";
import { detailHops, eventsSection, type StepFilter } from "./detail.js";
import { headerSection, setupSection } from "./head.js";
import { kernelSection } from "./kernel-view.js";
import { palette, type Palette } from "./palette.js";
import type { Walk } from "./types.js";
import { verdictOf, verdictText } from "./verdict.js";

export { palette, nsName, type Palette } from "./palette.js";
export { nfPacketText, nfStepText } from "./kernel-view.js";
export { STEP_FILTERS, type StepFilter } from "./detail.js";

export interface RenderOptions {
  colour: boolean;
  /** Lines wider than this are cut (compact) or put their why on a line of its own (-v). */
  width?: number;
  /** -v: every step, as the trace has it. */
  verbose?: boolean;
  /** --only: the steps of these kinds (implies the step view). */
  only?: readonly StepFilter[];
  /** --packet: only this packet (its number in the walk, #N). */
  packet?: number;
}

/** One hop as `--step` reveals it: its lines, under its packet's title. */
export interface WalkHop {
  /** The packet's id (WalkPacket.id). */
  packet: number;
  /** The packet's title line, as renderWalk prints it. */
  title: string;
  /** The hop's lines; in the step view a packet's last hop also carries its fate line. */
  lines: string[];
}

const DEFAULT_WIDTH = 100;

/** The whole walk as text, ending in a newline. */
export function renderWalk(walk: Walk, opts: RenderOptions): string {
  const body =
    walk.backend === "kernel"
      ? kernelSection(walk, palette(opts.colour))
      : packetSection(walk, opts);
  return joinSections([...headSections(walk, opts), body, ...tailSections(walk, opts)]);
}

/**
 * What `--step` prints before the hops (verdict, script, probe, setup failures), and after
 * them (timer events, the comparison): renderWalk is head, packets, tail.
 */
export function renderHead(walk: Walk, opts: RenderOptions): string {
  return joinSections(headSections(walk, opts));
}

export function renderTail(walk: Walk, opts: RenderOptions): string {
  return joinSections(tailSections(walk, opts));
}

/** The verdict in words, coloured as an aid ("verdict: the ping got no reply: ..."). */
export function verdictLine(walk: Walk, p: Palette): string | undefined {
  const v = verdictOf(walk);
  if (!v) return undefined;
  const text = `verdict: ${verdictText(v)}`;
  return v.ok ? p.green(text) : p.red(text);
}

function headSections(walk: Walk, opts: RenderOptions): string[][] {
  const p = palette(opts.colour);
  const verdict = verdictLine(walk, p);
  return [[...(verdict ? [verdict] : []), ...headerSection(walk, p)], setupSection(walk, p)];
}

function tailSections(walk: Walk, opts: RenderOptions): string[][] {
  const p = palette(opts.colour);
  const events = walk.backend !== "kernel" && opts.verbose && !opts.only;
  return [
    events ? eventsSection(walk, p) : [],
    walk.backend === "compare" ? compareSections(walk, p) : [],
  ];
}

/** Sections apart by a blank line, ending in a newline; "" when there is nothing. */
function joinSections(sections: string[][]): string {
  const shown = sections.filter((s) => s.length > 0);
  return shown.length === 0 ? "" : shown.map((s) => s.join("\n")).join("\n\n") + "\n";
}

function packetSection(walk: Walk, opts: RenderOptions): string[] {
  const packets = walk.sim?.packets ?? [];
  if (packets.length === 0) return ["no packet: the probe sent nothing the simulator traced"];
  const hops = walkHops(walk, opts);
  if (hops.length === 0) {
    return [
      opts.packet !== undefined && !packets.some((q) => q.id === opts.packet)
        ? `no packet #${opts.packet}: the walk has #1 to #${packets.length}`
        : "no step of the kinds asked for",
    ];
  }
  const lines: string[] = [];
  let shown: number | undefined;
  for (const hop of hops) {
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
  const p = palette(opts.colour);
  const width = opts.width ?? DEFAULT_WIDTH;
  const marks = differenceMarks(walk);
  if (!opts.verbose && !opts.only)
    return compactHops(walk, { width, packet: opts.packet, marks }, p);
  return detailHops(walk, shownPackets(walk, opts.packet), { width, only: opts.only, marks }, p);
}
