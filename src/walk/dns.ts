// The name lookup a probe by name makes before its first packet (a container asking
// Docker's embedded DNS at 127.0.0.11, or a nameserver that never answers): the DNS
// queries and answers, and the ICMP errors about them, told as one lookup. The compact
// view folds them into one hop and the verdict leaves them out: the probe's own packets
// decide it. -v and --packet N show each of them.
import type { FollowedPacket } from "./follow.js";
import { nsName } from "./palette.js";
import type { WalkPacket } from "./types.js";
import { where } from "./words.js";

/** A DNS datagram, or an ICMP error about one. */
export function isDnsPacket(pkt: WalkPacket, all: readonly WalkPacket[]): boolean {
  if (pkt.fields?.dns) return true;
  if (pkt.fields?.icmp !== "error" || pkt.causedBy === undefined) return false;
  return all.find((q) => q.id === pkt.causedBy)?.fields?.dns !== undefined;
}

/**
 * The runs of consecutive DNS packets among the shown ones (one lookup each); an ARP
 * exchange of its own between two of them (a neighbour's reconfirmation while the
 * resolver waits) stays inside the run.
 */
export function dnsRuns(
  shown: readonly FollowedPacket[],
  all: readonly WalkPacket[],
): FollowedPacket[][] {
  const runs: FollowedPacket[][] = [];
  let run: FollowedPacket[] = [];
  let pending: FollowedPacket[] = [];
  for (const f of shown) {
    if (isDnsPacket(f.packet, all)) {
      run.push(...pending, f);
      pending = [];
    } else if (run.length > 0 && f.packet.protocol === "arp") {
      pending.push(f);
    } else {
      if (run.length > 0) runs.push(run);
      run = [];
      pending = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * One lookup in words: what was asked ("cb (A, AAAA)") and what came of it ("ca
 * (container) asked 127.0.0.11: answered 172.18.0.3 by UDP port 34353 after DNAT; 4
 * packets, all delivered").
 */
export function lookupWords(run: readonly FollowedPacket[]): { asked: string; outcome: string } {
  const pkts = run.map((f) => f.packet);
  const queries = pkts.filter((p) => p.fields?.dns && !p.fields.dns.response);
  const answers = pkts.filter((p) => p.fields?.dns?.response);
  const q = queries[0];
  const from = q?.steps[0] ? nsName(q.steps[0].ns) : "?";
  const names = [...new Set(queries.map((p) => p.fields!.dns!.qname))].join(", ");
  const types = [...new Set(queries.map((p) => p.fields!.dns!.qtype))].join(", ");
  const asked = `${names} (${types})`;
  const who = `${from} asked ${q?.fields?.dst ?? "?"}`;
  // The ARP exchanges folded into them count too (the hop's title names them all).
  const n = run.reduce((k, f) => k + 1 + f.arp.reduce((a, x) => a + x.packets.length, 0), 0);
  const count = `${n} packet${n === 1 ? "" : "s"}`;
  if (answers.length > 0) {
    const got = [...new Set(answers.flatMap((p) => p.fields!.dns!.answers ?? []))];
    const server = answers[0]!.fields?.sport;
    const by = server !== undefined && server !== 53 ? ` by UDP port ${server} after DNAT` : "";
    const said = got.length > 0 ? got.join(", ") : "no address";
    const all = pkts.every((p) => p.fate.kind === "delivered") ? ", all delivered" : "";
    return { asked, outcome: `${who}: answered ${said}${by}; ${count}${all}` };
  }
  const dropped = queries.find((p) => p.fate.kind === "dropped");
  const drop = dropped?.steps.findLast((s) => s.kind === "drop");
  // A server that passed the queries on (dockerd to the host's nameserver) asked from
  // the same namespace: the dropped queries are its.
  const via = dropped?.fields?.dst;
  const passed = via !== undefined && via !== q?.fields?.dst ? `, which asked ${via}` : "";
  const why = drop
    ? `the queries were dropped ${where(drop)}: ${drop.reason ?? "?"}`
    : "no answer came";
  return { asked, outcome: `${who}${passed}: ${why}; ${queries.length} queries, ${count} in all` };
}

/** Why a probe by name sent nothing of its own: its lookup, in words. */
export function unresolvedWhy(run: readonly FollowedPacket[]): string {
  const w = lookupWords(run);
  return `the name ${w.asked} was not resolved: ${w.outcome}`;
}
