// Holding the simulated netfilter path against the kernel's trace: per namespace, packet
// by packet in the order they first hit netfilter, the sequence of table:chain:rule
// verdicts must be the same. The kernel traces only the chains that exist, and so does
// the simulator (iptables-nft makes base chains on first use), so both see the same
// chains. Ephemeral ports differ between the two and are not compared.
import type { NfPathPacket, NfPathStep } from "../backend/trace-types.js";
import { normaliseDockerText } from "../compare/docker-normalise.js";
import type { NfDifference } from "./types.js";

export function stepText(s: NfPathStep): string {
  return s.policy
    ? `${s.table} ${s.chain} policy ${s.verdict}`
    : `${s.table} ${s.chain} rule${s.ruleNum !== undefined ? ` ${s.ruleNum}` : ""}: ${s.rule ?? "?"} => ${s.verdict}`;
}

/**
 * Step identity for comparison: rule numbers are left out (the rule text says which), and
 * what a docker daemon makes random (a user network's bridge br-<id>, the embedded DNS
 * server's ports) is folded as in every docker comparison.
 */
function stepKey(s: NfPathStep): string {
  return s.policy
    ? `${s.table}:${s.chain}:policy:${s.verdict}`
    : normaliseDockerText(`${s.table}:${s.chain}:${s.rule ?? ""}:${s.verdict}`);
}

export function packetText(p: NfPathPacket): string {
  const flags = p.tcpFlags?.length ? ` [${p.tcpFlags.join(",")}]` : "";
  return `${p.proto ?? "ip"} ${p.src} > ${p.dst}${p.dport !== undefined ? ` dport ${p.dport}` : ""}${flags}`;
}

/** Addresses, protocol (when the trace says) and TCP flags; not ephemeral ports. */
function samePacket(a: NfPathPacket, b: NfPathPacket): boolean {
  if (a.src !== b.src || a.dst !== b.dst) return false;
  if (a.proto !== undefined && b.proto !== undefined && a.proto !== b.proto) return false;
  if (a.tcpFlags && b.tcpFlags && a.tcpFlags.join() !== b.tcpFlags.join()) return false;
  return true;
}

/**
 * A peer's FIN is acknowledged by a delayed ACK (40 ms) unless its program closes first,
 * when the ACK rides on its own FIN: which one happens depends on how soon the kernel
 * schedules that program. A pure ACK straight before a FIN-ACK of the same flow, with the
 * same path, is therefore folded into it, on both sides.
 */
export function foldDelayedAcks(ps: NfPathPacket[]): NfPathPacket[] {
  return ps.filter((p, i) => !isDelayedAckBeforeFin(p, ps[i + 1]));
}

function isDelayedAckBeforeFin(p: NfPathPacket, next: NfPathPacket | undefined): boolean {
  return (
    next !== undefined &&
    p.proto === "tcp" &&
    p.tcpFlags?.join() === "ACK" &&
    next.tcpFlags?.join() === "ACK,FIN" &&
    p.src === next.src &&
    p.dst === next.dst &&
    p.sport === next.sport &&
    p.dport === next.dport &&
    p.steps.map(stepKey).join("\n") === next.steps.map(stepKey).join("\n")
  );
}

/**
 * Whether a program was woken late by its peer's FIN in this trace: its kernel sent the
 * delayed ACK on its own, before the program's FIN (see foldDelayedAcks).
 */
export function closedAfterDelayedAck(ps: NfPathPacket[]): boolean {
  const nonEmpty = ps.filter((p) => p.steps.length > 0);
  return nonEmpty.some((p, i) => {
    const next = nonEmpty.slice(i + 1).find((q) => q.ns === p.ns);
    if (!isDelayedAckBeforeFin(p, next)) return false;
    // The ACK answers the peer's FIN (not, say, the handshake's ACK before our own FIN).
    return nonEmpty
      .slice(0, i)
      .some(
        (q) =>
          q.ns === p.ns &&
          q.tcpFlags?.includes("FIN") === true &&
          q.src === p.dst &&
          q.dst === p.src &&
          q.sport === p.dport &&
          q.dport === p.sport,
      );
  });
}

export function compareNfPaths(sim: NfPathPacket[], kernel: NfPathPacket[]): NfDifference[] {
  const nonEmpty = (ps: NfPathPacket[]): NfPathPacket[] => ps.filter((p) => p.steps.length > 0);
  const byNs = (ps: NfPathPacket[]): Map<string, NfPathPacket[]> => {
    const m = new Map<string, NfPathPacket[]>();
    for (const p of nonEmpty(ps)) m.set(p.ns, [...(m.get(p.ns) ?? []), p]);
    for (const [ns, list] of m) m.set(ns, foldDelayedAcks(list));
    return m;
  };
  const s = byNs(sim);
  const k = byNs(kernel);
  const namespaces = [...new Set([...s.keys(), ...k.keys()])].sort();
  const diffs: NfDifference[] = [];
  for (const ns of namespaces) {
    const sp = s.get(ns) ?? [];
    const kp = k.get(ns) ?? [];
    for (let i = 0; i < Math.max(sp.length, kp.length); i++) {
      const a = sp[i];
      const b = kp[i];
      const d = differ(ns, i, a, b);
      if (d) diffs.push(d);
    }
  }
  return diffs;
}

function differ(
  ns: string,
  index: number,
  a: NfPathPacket | undefined,
  b: NfPathPacket | undefined,
): NfDifference | undefined {
  const sim = a?.steps.map(stepText);
  const kernel = b?.steps.map(stepText);
  const packet = packetText((a ?? b)!);
  if (!a || !b) return { ns, index, packet, sim, kernel, at: 0 };
  if (!samePacket(a, b)) {
    return { ns, index, packet: `${packetText(a)} (kernel: ${packetText(b)})`, sim, kernel, at: 0 };
  }
  const ak = a.steps.map(stepKey);
  const bk = b.steps.map(stepKey);
  const n = Math.max(ak.length, bk.length);
  for (let j = 0; j < n; j++) {
    if (ak[j] !== bk[j]) return { ns, index, packet, sim, kernel, at: j };
  }
  return undefined;
}
