// The walk in one line, first: the probe's outcome as the learner thinks of it (the ping
// got or did not get its reply; the TCP connection opened, was refused, timed out), and
// where and why the packet that decided it ended. Read from the walk alone.
import type { FollowedPacket } from "./follow.js";
import { followPackets } from "./follow.js";
import { dnsRuns, isDnsPacket, unresolvedWhy } from "./dns.js";
import { nsName } from "./palette.js";
import type { ProbeResult, Walk, WalkPacket, WalkStep } from "./types.js";
import { destinationOf, natPhrase, packetName, takerOf, where } from "./words.js";

export interface Verdict {
  /** Did the probe get what it asked for (exit 0)? */
  ok: boolean;
  /** The outcome ("the ping got its reply"). */
  outcome: string;
  /** Where and why the deciding packet ended; undefined when the walk cannot say. */
  why?: string;
}

export function verdictText(v: Verdict): string {
  return v.why === undefined ? v.outcome : `${v.outcome}: ${v.why}`;
}

export function verdictOf(walk: Walk): Verdict | undefined {
  const probe = walk.sim?.probe ?? walk.kernel?.probe;
  if (!probe) return undefined;
  const packets = walk.sim?.packets;
  const followed = packets ? followPackets(packets) : [];
  // A name's lookup (DNS) comes before the probe's own packets, which decide it.
  const main = followed.filter(
    (f) => f.packet.protocol !== "arp" && !isDnsPacket(f.packet, packets ?? []),
  );
  // The kernel's account has no packets to read: its outcome is the probe's exit alone.
  if (!packets) return { ok: probe.exit === 0, outcome: exitOutcome(probe) };
  const outcome = outcomeOf(probe, main);
  const lookup = dnsRuns(followed, packets)[0];
  if (main.length === 0 && lookup) {
    return { ok: probe.exit === 0, outcome, why: unresolvedWhy(lookup) };
  }
  if (main.length === 0) {
    const said = probe.stderr.split("\n").find((l) => l.trim() !== "");
    return {
      ok: probe.exit === 0,
      outcome,
      why: `it sent no packet${said ? ` (${said.trim()})` : ""}`,
    };
  }
  if (probe.exit === 0) return { ok: true, outcome, why: deliveredWhy(walk, main[0]!) };
  const failed = main.find((f) => f.packet.fate.kind !== "delivered");
  return { ok: false, outcome, ...(failed ? { why: failedWhy(walk, failed, main) } : {}) };
}

function isPing(probe: ProbeResult): boolean {
  return /(^|\s)ping(\s|$)/.test(probe.text);
}

function exitOutcome(probe: ProbeResult): string {
  if (isPing(probe)) {
    if (probe.exit === 0) return "the ping got its reply";
    return probe.exit === 1 ? "the ping got no reply" : `the ping failed (exit ${probe.exit})`;
  }
  return probe.exit === 0
    ? "the TCP connection opened"
    : `the TCP connection did not open (exit ${probe.exit})`;
}

function outcomeOf(probe: ProbeResult, main: FollowedPacket[]): string {
  if (isPing(probe)) {
    if (probe.exit === 0) return "the ping got its reply";
    return main.length === 0 ? "the ping failed before sending" : "the ping got no reply";
  }
  const to = main[0] ? destinationOf(main[0].packet) : undefined;
  const conn = `the TCP connection${to ? ` to ${to}` : ""}`;
  if (probe.exit === 0) return `${conn} opened`;
  if (main.length === 0) return `${conn} failed before sending`;
  const rst = main.find((f) => packetName(f.packet) === "the RST");
  if (rst && rst.packet.fate.kind === "delivered") return `${conn} was refused`;
  return `${conn} got no answer (timed out)`;
}

/** The request reached its taker: "the SYN was delivered to nc in web on eth0, after DNAT...". */
function deliveredWhy(walk: Walk, f: FollowedPacket): string {
  const pkt = f.packet;
  const local = lastTaken(pkt);
  if (pkt.fate.kind !== "delivered" || !local) return `${packetName(pkt)} ${fateWords(pkt)}`;
  const nat = natPhrase(pkt.steps);
  return `${packetName(pkt)} was delivered to ${takerOf(walk, local)} ${where(local)}${nat ? `, ${nat}` : ""}`;
}

function lastTaken(pkt: WalkPacket): WalkStep | undefined {
  return pkt.steps.findLast((s) => s.kind === "local" && !s.ignored);
}

function failedWhy(walk: Walk, f: FollowedPacket, main: FollowedPacket[]): string {
  const pkt = f.packet;
  const name = packetName(pkt);
  const nat = natPhrase(pkt.steps);
  const after = nat ? `, ${nat}` : "";
  if (pkt.fate.kind === "dropped") {
    const drop = pkt.steps.findLast((s) => s.kind === "drop")!;
    if (drop.reason === "no socket listening") {
      const port = pkt.fields?.dport;
      const rst = main.find(
        (m) => packetName(m.packet) === "the RST" && m.packet.causedBy === pkt.id,
      );
      return (
        `${name} reached ${nsName(drop.ns)}${after}, where nothing listens on TCP port ${port ?? "?"}` +
        (rst ? `; ${nsName(drop.ns)} answered with a RST` : "")
      );
    }
    const cause = dropCause(pkt, drop);
    return `${name} was dropped ${where(drop)}${cause.startsWith(":") ? "" : " "}${cause}${after}`;
  }
  const waiting = f.arp.at(-1);
  if (waiting) return `${name}${after} ${arpWhy(pkt, waiting.after, waiting.packets)}`;
  const tunnelled = tunnelWhy(pkt, walk.sim?.packets ?? []);
  if (tunnelled) return `${name}${after} ${tunnelled}`;
  return `${name}${after} ${fateWords(pkt)}`;
}

/** "at filter FORWARD policy DROP", or the drop reason in words. */
function dropCause(pkt: WalkPacket, drop: WalkStep): string {
  const nf = pkt.steps.findLast((s) => s.kind === "nf" && s.seq <= drop.seq)?.nf;
  if (nf && /(DROP|REJECT)/.test(nf.verdict) && /(DROP|REJECT)$/.test(drop.reason ?? "")) {
    return nf.policy
      ? `at ${nf.table} ${nf.chain} policy ${nf.verdict}`
      : `at ${nf.table} ${nf.chain} rule ${nf.ruleNum ?? "?"} (${nf.rule ?? "?"})`;
  }
  return `: ${drop.reason ?? "?"}${drop.why ? ` (${drop.why})` : ""}`;
}

/** Why a packet that waited for ARP went no further. */
function arpWhy(pkt: WalkPacket, lookup: WalkStep, arp: WalkPacket[]): string {
  const p = lookup.point;
  const target = p?.kind === "neigh" ? `${p.nexthop} on ${p.dev}` : "its next hop";
  const waited = `waited ${where(lookup).replace(/ on .*/, "")} for ARP to resolve ${target}`;
  const requests = arp.filter((q) => q.fields?.arp?.op === "request");
  const dropped = requests.find((q) => q.fate.kind === "dropped");
  if (dropped) {
    const d = dropped.steps.findLast((s) => s.kind === "drop")!;
    const linkdown = linkdownRoute(pkt, lookup);
    return (
      `${waited}, but the ARP request was dropped ${where(d)}: ${d.reason ?? "?"}` +
      (d.why ? ` (${d.why})` : "") +
      (linkdown ? `; its route is flagged linkdown` : "")
    );
  }
  const answered = arp.some((q) => q.fields?.arp?.op === "reply");
  if (answered) return `${waited}; the answer came but the walk ended first`;
  const heard = [
    ...new Set(
      requests.flatMap((q) => q.steps.filter((s) => s.kind === "local").map((s) => nsName(s.ns))),
    ),
  ];
  const times = requests.length === 1 ? "1 request" : `${requests.length} requests`;
  return heard.length > 0
    ? `${waited}; no one answered (${times}, heard by ${heard.join(", ")}, which ${heard.length === 1 ? "does" : "do"} not have that address)`
    : `${waited}; no one answered (${times})`;
}

/**
 * A packet that waited for ARP on a VXLAN device: its ARP request left inside VXLAN
 * datagrams (packets sent for it), so what became of those says why no answer came.
 */
function tunnelWhy(pkt: WalkPacket, all: readonly WalkPacket[]): string | undefined {
  const lookup = pkt.steps.findLast((s) => s.point?.kind === "neigh" && s.point.action !== "send");
  const p = lookup?.point;
  if (!lookup || p?.kind !== "neigh") return undefined;
  const carriers = all.filter((q) => q.causedBy === pkt.id && q.summary.startsWith("VXLAN "));
  if (carriers.length === 0) return undefined;
  const waited = `waited ${where(lookup).replace(/ on .*/, "")} for ARP to resolve ${p.nexthop} on ${p.dev}`;
  const to = carriers[0]!.summary.split(" ")[3] ?? "the remote end";
  const dropped = carriers.find((q) => q.fate.kind === "dropped");
  if (dropped) {
    const d = dropped.steps.findLast((s) => s.kind === "drop")!;
    return (
      `${waited}, but the ARP request, carried in VXLAN to ${to}, was dropped ${where(d)}: ` +
      `${d.reason ?? "?"}${d.why ? ` (${d.why})` : ""}`
    );
  }
  const n = carriers.length === 1 ? "1 datagram" : `${carriers.length} datagrams`;
  return `${waited}; the ARP request went out in VXLAN to ${to} (${n}) and no answer came back`;
}

/** The waiting packet's route to the lookup was flagged linkdown (RTNH_F_LINKDOWN). */
function linkdownRoute(pkt: WalkPacket, lookup: WalkStep): boolean {
  const route = pkt.steps.findLast((s) => s.kind === "route" && s.seq < lookup.seq);
  return route?.route?.flags?.includes("linkdown") ?? false;
}

function fateWords(pkt: WalkPacket): string {
  const f = pkt.fate;
  return f.text.startsWith(f.kind) ? f.text : `ended: ${f.text}`;
}
