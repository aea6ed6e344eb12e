// The walk in full (`walk -v`): one line per step (route, neighbour, bridge, every
// netfilter rule, conntrack, NAT, TTL, delivery, state machines), netfilter in iptables'
// own words, the headers when they change, the ARP exchange a packet waited for nested
// where it happened, and virtual time only where it moved.
import type { ArpExchange, FollowedPacket } from "./follow.js";
import type { Mark } from "./compare-view.js";
import { nfStepText } from "./kernel-view.js";
import { nsName, paintVerdict, type Paint, type Palette } from "./palette.js";
import type { Walk, WalkPacket, WalkStep } from "./types.js";
import { packetTitle, stateWords } from "./words.js";
import { machineName, ROOT_DISPLAY } from "../backend/trace-types.js";

/** What --only keeps: step kinds by what a learner asks about. */
export type StepFilter = "nf" | "arp" | "bridge" | "route";

export const STEP_FILTERS: readonly StepFilter[] = ["nf", "arp", "bridge", "route"];

const FILTER_KINDS: Record<StepFilter, readonly WalkStep["kind"][]> = {
  nf: ["nf", "nat", "ct"],
  arp: ["neigh"],
  bridge: ["bridge", "up"],
  route: ["route", "ttl", "frag"],
};

export interface DetailOptions {
  width: number;
  /** Only steps of these kinds (and ARP packets' steps for "arp"); undefined: all. */
  only?: readonly StepFilter[];
  marks: Map<WalkStep, Mark[]>;
}

export interface DetailHop {
  packet: number;
  title: string;
  lines: string[];
}

interface Layout {
  timeWidth: number;
  nsWidth: number;
  tagWidth: number;
  width: number;
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
  frag: "frag",
  local: "local",
  state: "state",
  drop: "DROP",
};

/** Does the step pass the filter? ARP packets pass whole under "arp". */
function kept(s: WalkStep, pkt: WalkPacket, only: readonly StepFilter[] | undefined): boolean {
  if (!only) return true;
  return only.some(
    (f) => FILTER_KINDS[f].includes(s.kind) || (f === "arp" && pkt.protocol === "arp"),
  );
}

/** The walk's steps, one hop each, for the packets shown; a packet's fate rides on its last. */
export function detailHops(
  walk: Walk,
  shown: readonly FollowedPacket[],
  opts: DetailOptions,
  p: Palette,
): DetailHop[] {
  const all = walk.sim?.packets ?? [];
  const layout = layoutOf(shown, opts.width);
  const clock = { at: 0 };
  return shown.flatMap((f) => {
    const pkt = f.packet;
    const steps = pkt.steps.filter((s) => kept(s, pkt, opts.only));
    const nested = f.arp.filter((x) =>
      x.packets.some((q) => q.steps.some((s) => kept(s, q, opts.only))),
    );
    if (opts.only && steps.length === 0 && nested.length === 0) return [];
    const title = p.bold(packetTitle(pkt, all));
    let header = pkt.summary;
    const hops: DetailHop[] = [];
    for (const s of pkt.steps) {
      const x = f.arp.find((a) => a.after === s);
      if (!kept(s, pkt, opts.only) && !x) continue;
      const lines: string[] = [];
      if (kept(s, pkt, opts.only)) {
        // The headers only when they change (first hop, TTL, NAT). State steps carry the
        // packet's first headers, not its current ones, so they must not count as a change.
        if (s.kind !== "state" && s.header !== header) {
          lines.push(`${" ".repeat(leadWidth(layout))}${p.dim(`headers: ${s.header}`)}`);
          header = s.header;
        }
        lines.push(...stepLines(s, layout, opts.marks.get(s) ?? [], clock, p));
      }
      if (x) lines.push(...arpLines(x, all, layout, opts, clock, p));
      hops.push({ packet: pkt.id, title, lines });
    }
    const fate = fateLine(pkt, p);
    const last = hops.at(-1);
    if (last) last.lines.push(fate);
    else hops.push({ packet: pkt.id, title, lines: [fate] });
    return hops;
  });
}

/**
 * An ARP exchange nested under the step that waited for it, each packet with its steps,
 * a bar down the left edge marking what is nested.
 */
function arpLines(
  x: ArpExchange,
  all: readonly WalkPacket[],
  layout: Layout,
  opts: DetailOptions,
  clock: { at: number },
  p: Palette,
): string[] {
  return x.packets.flatMap((q) => {
    const steps = q.steps.filter((s) => kept(s, q, opts.only));
    return [
      `| ${p.bold(packetTitle(q, all))}`,
      ...steps.flatMap((s) => stepLines(s, layout, opts.marks.get(s) ?? [], clock, p, "| ")),
      `| ${fateLine(q, p).trimStart()}`,
    ];
  });
}

function layoutOf(shown: readonly FollowedPacket[], width: number): Layout {
  const packets = shown.flatMap((f) => [f.packet, ...f.arp.flatMap((x) => x.packets)]);
  const steps = packets.flatMap((pkt) => pkt.steps);
  return {
    timeWidth: Math.max(5, ...steps.map((s) => formatTime(s.time).length)),
    nsWidth: Math.max(ROOT_DISPLAY.length, ...steps.map((s) => nsName(s.ns).length)),
    tagWidth: Math.max(2, ...steps.map((s) => TAGS[s.kind].length)),
    width,
  };
}

function formatTime(ms: number): string {
  return `${ms.toFixed(3)} ms`;
}

/** Gutter, time, namespace and tag: where a step's text starts. */
function leadWidth(layout: Layout): number {
  return 2 + 1 + layout.timeWidth + 2 + layout.nsWidth + 2 + layout.tagWidth + 2;
}

function stepLines(
  s: WalkStep,
  layout: Layout,
  marks: Mark[],
  clock: { at: number },
  p: Palette,
  gutter0 = "  ",
): string[] {
  const gutter = marks.length > 0 ? p.red(">>") : gutter0.slice(0, 2);
  // Virtual time only where it moved (a retry, a timer); a hop takes none.
  const moved = s.time !== clock.at;
  clock.at = s.time;
  const time = (moved ? formatTime(s.time) : "").padStart(layout.timeWidth);
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

function markLine(m: Mark, layout: Layout, p: Palette): string {
  const what = m.after
    ? `the kernel's trace goes on after this step: ${m.kernel ?? "?"}`
    : m.kernel === undefined
      ? "the kernel's trace has no step here"
      : `the kernel's trace has instead: ${m.kernel}`;
  const pad = " ".repeat(leadWidth(layout) - 2);
  return `${p.red(">>")}${pad}${p.red(`${what} (netfilter difference ${m.n})`)}`;
}

export function fateLine(pkt: WalkPacket, p: Palette): string {
  const f = pkt.fate;
  let text = f.text.startsWith(f.kind) ? f.text : `${f.kind}: ${f.text}`;
  if (f.reason && !text.includes(f.reason)) text += `: ${f.reason}`;
  const paint = f.kind === "delivered" ? p.green : f.kind === "dropped" ? p.red : p.yellow;
  return `   ${paint(`=> ${text}`)}`;
}

/** Machines that moved on a timer, or the probe's own programs, with no packet in hand. */
export function eventsSection(walk: Walk, p: Palette): string[] {
  const events = walk.sim?.events ?? [];
  if (events.length === 0) return [];
  const parsed = events.map((e) => ({
    time: formatTime(e.time),
    name: machineName(e.machine),
    ns: nsName(e.machine.ns),
    state: stateWords(e.state),
  }));
  const timeWidth = Math.max(...parsed.map((e) => e.time.length));
  const nsWidth = Math.max(ROOT_DISPLAY.length, ...parsed.map((e) => e.ns.length));
  return [
    p.bold("state machines that moved with no packet in hand (timers, the probe itself):"),
    ...parsed.map(
      (e) =>
        `   ${e.time.padStart(timeWidth)}  ${p.cyan(e.ns.padEnd(nsWidth))}  ${e.name}: ${e.state}`,
    ),
  ];
}
