// The walk, one line per namespace a packet passes (a "hop" of the compact view): what
// happened there that a learner needs (where it came in, the route out, the ARP exchange
// it waited for, the bridge's choice, the netfilter verdicts that decided, NAT, conntrack,
// who took it or why it ended). The full detail is the -v view (detail.ts).
import type { DevRef, NsName } from "../backend/trace-types.js";
import {
  followPackets,
  visitsOf,
  type ArpExchange,
  type FollowedPacket,
  type Visit,
} from "./follow.js";
import type { Mark } from "./compare-view.js";
import { nsName, type Palette } from "./palette.js";
import type { Walk, WalkPacket, WalkStep } from "./types.js";
import { packetTitle, takerOf } from "./words.js";
import { dnsRuns, lookupWords } from "./dns.js";

/** One hop as the compact view and `--step` show it. */
export interface CompactHop {
  packet: number;
  title: string;
  lines: string[];
}

export interface CompactOptions {
  width: number;
  /** Only this packet (WalkPacket.id). */
  packet?: number;
  /** --compare: the steps where the simulated netfilter path parts from the kernel's. */
  marks?: Map<WalkStep, Mark[]>;
}

/** The packets to show: all followed ones, or the one asked for (even an ARP one folded in). */
export function shownPackets(walk: Walk, only?: number): FollowedPacket[] {
  const packets = walk.sim?.packets ?? [];
  const followed = followPackets(packets);
  if (only === undefined) return followed;
  const top = followed.find((f) => f.packet.id === only);
  if (top) return [top];
  const pkt = packets.find((q) => q.id === only);
  return pkt ? [{ packet: pkt, arp: [] }] : [];
}

export function compactHops(walk: Walk, opts: CompactOptions, p: Palette): CompactHop[] {
  const all = walk.sim?.packets ?? [];
  const shown = shownPackets(walk, opts.packet);
  const nsWidth = Math.max(
    6,
    ...shown.flatMap((f) => f.packet.steps.map((s) => nsName(s.ns).length)),
  );
  let clock = 0;
  const teardown = opts.packet === undefined ? teardownOf(shown) : [];
  const folded = new Set(teardown.map((f) => f.packet));
  // A name's lookup: one hop for its DNS packets (-v and --packet N show each).
  const lookups = new Map<WalkPacket, FollowedPacket[]>();
  if (opts.packet === undefined) {
    for (const run of dnsRuns(shown, all)) {
      lookups.set(run[0]!.packet, run);
      for (const f of run) folded.add(f.packet);
    }
  }
  const hops = shown.flatMap((f) => {
    const lookup = lookups.get(f.packet);
    if (lookup) return [lookupHop(lookup, opts.width, p)];
    if (folded.has(f.packet)) return [];
    const visits = visitsOf(f);
    const start = f.packet.steps[0]?.time ?? 0;
    // Virtual time only where it moved: a retry or a timer, not the zero of every hop.
    const at = start !== clock ? `, at ${formatMs(start)}` : "";
    clock = f.packet.steps.at(-1)?.time ?? clock;
    const title = p.bold(packetTitle(f.packet, all)) + at;
    if (visits.length === 0)
      return [{ packet: f.packet.id, title, lines: [`  ${fatePhrase(f.packet, p)}`] }];
    return visits.map((v, i) => ({
      packet: f.packet.id,
      title,
      lines: visitLines(walk, f.packet, v, i === visits.length - 1, nsWidth, opts, p),
    }));
  });
  return teardown.length > 0 ? [...hops, teardownHop(teardown, p)] : hops;
}

/**
 * The TCP teardown at the end of a walk: from the first FIN on, every packet is a TCP
 * packet of the same connection and was delivered. It tells a learner nothing new hop by
 * hop, so the compact view folds it into one line (-v and --packet N show each).
 */
function teardownOf(shown: readonly FollowedPacket[]): FollowedPacket[] {
  const first = shown.findIndex((f) => f.packet.fields?.tcpFlags?.includes("F"));
  if (first < 0) return [];
  const rest = shown.slice(first);
  const ends = (f: FollowedPacket): string => {
    const x = f.packet.fields;
    return x ? [`${x.src}:${x.sport}`, `${x.dst}:${x.dport}`].sort().join(" ") : "";
  };
  const conn = ends(rest[0]!);
  const clean = rest.every(
    (f) =>
      f.packet.protocol === "tcp" &&
      f.packet.fate.kind === "delivered" &&
      f.packet.fields?.tcpFlags?.includes("R") !== true &&
      ends(f) === conn,
  );
  return clean ? rest : [];
}

function teardownHop(fs: readonly FollowedPacket[], p: Palette): CompactHop {
  const first = fs[0]!.packet.id;
  const last = fs.at(-1)!.packet.id;
  const each = fs.map((f) => {
    const flags = f.packet.fields?.tcpFlags ?? "";
    const what = flags.includes("F") ? "FIN" : "ACK";
    const from = f.packet.steps[0]?.ns;
    return `${from === undefined ? "?" : nsName(from)} ${what} -> ${nsName(f.packet.fate.ns)}`;
  });
  return {
    packet: first,
    title: p.bold(`#${first}-#${last} the connection closes: ${fs.length} packets, all delivered`),
    lines: [`  ${each.join("; ")}`, `  (each hop: -v, or --packet ${first})`],
  };
}

/** A name's lookup in one hop: who asked whom for what, and what came of it. */
function lookupHop(run: readonly FollowedPacket[], width: number, p: Palette): CompactHop {
  const first = run[0]!.packet.id;
  const last = run.at(-1)!.packet.id;
  const w = lookupWords(run);
  const ids = first === last ? `#${first}` : `#${first}-#${last}`;
  return {
    packet: first,
    title: p.bold(`${ids} DNS lookup of ${w.asked}`),
    lines: [
      ...wrap(w.outcome.split("; "), 2, width).map((l) => `  ${l}`),
      `  (each packet: -v, or --packet ${first})`,
    ],
  };
}

function formatMs(ms: number): string {
  return `${Number.isInteger(ms) ? ms : ms.toFixed(3)} ms`;
}

function visitLines(
  walk: Walk,
  pkt: WalkPacket,
  v: Visit,
  last: boolean,
  nsWidth: number,
  opts: CompactOptions,
  p: Palette,
): string[] {
  const phrases = visitPhrases(walk, v, p);
  if (last && pkt.fate.kind !== "delivered" && !v.steps.some((s) => s.kind === "drop"))
    phrases.push(fatePhrase(pkt, p));
  // A difference from the kernel's trace is marked as the step view marks it: `>>`.
  const marks = v.steps.flatMap((s) => opts.marks?.get(s) ?? []);
  for (const m of marks)
    phrases.push(p.red(`the kernel's netfilter path differs here (netfilter difference ${m.n})`));
  const gutter = marks.length > 0 ? p.red(">>") : "  ";
  const lead = `${gutter}${p.cyan(nsName(v.ns).padEnd(nsWidth))}  `;
  return wrap(phrases, 2 + nsWidth + 2, opts.width).map((l, i) =>
    i === 0 ? lead + l : " ".repeat(2 + nsWidth + 4) + l,
  );
}

/** Phrases joined by "; ", cut into lines no wider than width where one phrase ends. */
function wrap(phrases: string[], lead: number, width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const ph of phrases) {
    const next = cur === "" ? ph : `${cur}; ${ph}`;
    if (cur !== "" && lead + visible(next).length > width) {
      lines.push(`${cur};`);
      cur = ph;
    } else cur = next;
  }
  if (cur !== "") lines.push(cur);
  return lines.length > 0 ? lines : [""];
}

// Colour escapes take no room on the screen.
const ESCAPES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const visible = (s: string): string => s.replace(ESCAPES, "");

function visitPhrases(walk: Walk, v: Visit, p: Palette): string[] {
  const out: string[] = [];
  const nfShown = decidingNf(v.steps);
  let ct = false;
  for (const s of v.steps) {
    const pt = s.point;
    switch (s.kind) {
      case "wire":
        out.push(
          `in on ${s.dev ?? "?"}${s.hop?.from ? ` from ${fromWords(s.hop.from, v.ns)}` : ""}`,
        );
        break;
      case "loopback":
        out.push(`looped back on ${s.dev ?? "lo"}`);
        break;
      case "route":
        if (pt?.kind === "route") {
          const r = routePhrase(pt);
          if (r !== undefined) out.push(r);
        }
        break;
      case "neigh": {
        const x = v.arp.find((a) => a.after === s);
        if (x) out.push(arpPhrase(x));
        else if (pt?.kind === "neigh" && pt.action === "queue")
          out.push(`waits for ARP of ${pt.nexthop} (already asked)`);
        break;
      }
      case "bridge":
        if (pt?.kind === "bridge") out.push(bridgePhrase(pt));
        break;
      case "nf":
        if (s.nf && nfShown.has(s)) {
          const nf = s.nf;
          const what = nf.policy
            ? `policy ${nf.verdict}`
            : `${nf.verdict} by rule ${nf.ruleNum ?? "?"} (${nf.rule ?? "?"})`;
          out.push(`${nf.table} ${nf.chain}: ${paintWord(what, nf.verdict, p)}`);
        }
        break;
      case "ct":
        if (!ct && pt?.kind === "ct") {
          ct = true;
          out.push(`conntrack ${pt.state}${pt.dir === "reply" ? " (reply)" : ""}`);
        }
        break;
      case "nat":
        if (s.nat) out.push(natWords(s.nat.before, s.nat.after));
        break;
      case "ttl":
        break; // "forwarded out" on the route says it
      case "frag":
        out.push(s.text);
        break;
      case "local":
        if (s.ignored) out.push(`taken in, not for it`);
        // Taken in, then dropped (no socket): the drop says what became of it.
        else if (v.steps.some((d) => d.kind === "drop" && d.seq > s.seq))
          out.push(`up the stack to ${takerOf(walk, s)}`);
        else out.push(p.green(`delivered to ${takerOf(walk, s)}`));
        break;
      case "drop":
        out.push(p.red(`DROPPED: ${s.reason ?? "?"}${s.why ? ` (${s.why})` : ""}`));
        break;
      case "up":
      case "state":
        break;
    }
  }
  return out;
}

/** Where a frame came from: the namespace, or the device when in the same one. */
function fromWords(from: DevRef, here: NsName): string {
  return from.ns === here ? from.dev : nsName(from.ns);
}

function routePhrase(pt: Extract<WalkStep["point"], { kind: "route" }>): string | undefined {
  if (pt.route === undefined) return "no route";
  // Local delivery says itself ("delivered to ..."); the route is worth a phrase out.
  if (pt.route.startsWith("local ")) return undefined;
  const head = pt.route.split(" dev ")[0]!;
  const how = pt.gateway !== undefined ? head : `${head} (on-link)`;
  const linkdown = pt.flags?.includes("linkdown")
    ? `, linkdown: ${pt.dev ?? "its device"} has no carrier`
    : "";
  const verb = pt.dir === "output" ? "out" : "forwarded out";
  return `${verb} ${pt.dev ?? "?"} by ${how}${linkdown}`;
}

function bridgePhrase(pt: Extract<WalkStep["point"], { kind: "bridge" }>): string {
  const b = `bridge ${pt.bridge}`;
  if (pt.action === "flood") return `${b} floods it to ${pt.to.join(", ") || "no other port"}`;
  if (pt.action === "forward") return `${b} forwards it to ${pt.to.join(", ")}`;
  if (pt.action === "local") return `${b} passes it up to the host`;
  return `${b} drops it`;
}

/** The ARP exchange a packet waited for, where it happened. */
function arpPhrase(x: ArpExchange): string {
  const requests = x.packets.filter((q) => q.fields?.arp?.op === "request");
  const reply = x.packets.find((q) => q.fields?.arp?.op === "reply");
  const who = requests[0]?.fields?.dst ?? "?";
  const n = requests.length > 1 ? ` (${requests.length} requests)` : "";
  const head = `ARP who has ${who}${n}`;
  if (reply) {
    const mac = reply.fields?.arp?.mac ?? "?";
    const by = requests.flatMap((q) => q.steps).find((s) => s.kind === "local" && !s.ignored);
    return `${head}: ${by ? nsName(by.ns) : "someone"} answers ${mac}`;
  }
  const dropped = requests.find((q) => q.fate.kind === "dropped");
  if (dropped) {
    const d = dropped.steps.findLast((s) => s.kind === "drop");
    return `${head}: request dropped${d?.dev ? ` on ${d.dev}` : ""}: ${d?.reason ?? "?"}${d?.why ? ` (${d.why})` : ""}`;
  }
  const heard = [
    ...new Set(
      requests.flatMap((q) => q.steps.filter((s) => s.kind === "local").map((s) => nsName(s.ns))),
    ),
  ];
  return `${head}: no answer${heard.length ? ` (heard by ${heard.join(", ")}: not theirs)` : ""}`;
}

/**
 * The netfilter steps worth a learner's line: per hook and table, the step that ended the
 * table's say (its last), when it is the filter table's or a drop/reject anywhere. The nat
 * table's say shows as the rewrite itself (the nat step).
 */
function decidingNf(steps: readonly WalkStep[]): Set<WalkStep> {
  const last = new Map<string, WalkStep>();
  for (const s of steps) if (s.nf) last.set(`${s.nf.hook} ${s.nf.table}`, s);
  return new Set(
    [...last.values()].filter(
      (s) => s.nf!.table === "filter" || /^(DROP|REJECT)/.test(s.nf!.verdict),
    ),
  );
}

function paintWord(text: string, verdict: string, p: Palette): string {
  if (verdict === "ACCEPT") return p.green(text);
  if (/^(DROP|REJECT)/.test(verdict)) return p.red(text);
  return text;
}

function natWords(before: string, after: string): string {
  const [bs, bd] = before.split(" > ");
  const [as, ad] = after.split(" > ");
  const words: string[] = [];
  if (bd !== ad) words.push(`DNAT ${bd ?? "?"} -> ${ad ?? "?"}`);
  if (bs !== as) words.push(`SNAT ${bs ?? "?"} -> ${as ?? "?"}`);
  return words.join(", ") || `NAT ${before}`;
}

function fatePhrase(pkt: WalkPacket, p: Palette): string {
  const f = pkt.fate;
  if (f.kind === "delivered") return p.green(f.text);
  if (f.kind === "dropped") return p.red(`DROPPED: ${f.reason ?? f.text}`);
  return p.yellow(f.text.replace(/^no one took it after: .*/, "no one took it"));
}
