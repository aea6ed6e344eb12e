// The simulator's trace as plain data (backend/trace-types.ts): the scheduler's hops, the
// kernel model's tracepoints and the machines' transitions, with each packet described as
// it was then. Entries about nothing a walk follows (an IPv6 frame, work done on behalf of
// a packet) are left out; each entry keeps its position in the whole trace (seq).
import {
  ROOT_NS,
  type TraceEntry as PlainEntry,
  type TracePoint as PlainPoint,
} from "../../backend/trace-types.js";
import type { TraceEntry, TracePoint } from "../engine/trace.js";
import { ruleSpec } from "../userland/iptables/save-rule.js";
import { isWalked, tracedPacket } from "./packets.js";

/** The entries as plain data, times in ms since t0. */
export function traceAccount(entries: TraceEntry[], t0: number): PlainEntry[] {
  const out: PlainEntry[] = [];
  for (const [seq, e] of entries.entries()) {
    const time = e.time - t0;
    if (e.kind === "transition") {
      out.push({
        kind: "transition",
        seq,
        time,
        machine: e.machine,
        state: e.state,
        ...(e.packet !== undefined ? { packet: e.packet } : {}),
      });
      continue;
    }
    if (e.kind === "delivered") {
      const info = e.info;
      if (!info || e.packet === undefined || !isWalked(info.payload)) continue;
      // Not a hop: the cause is kept on the packet it made (Trace.causes).
      if (info.kind === "because") continue;
      out.push({
        kind: "hop",
        seq,
        time,
        hop: info.kind,
        ...(info.from !== undefined && info.fromNs !== undefined
          ? { from: { ns: info.fromNs, dev: info.from } }
          : {}),
        to: { ns: info.toNs ?? ROOT_NS, dev: info.to ?? "" },
        ...(info.srcMac !== undefined ? { srcMac: info.srcMac } : {}),
        ...(info.dstMac !== undefined ? { dstMac: info.dstMac } : {}),
        packet: e.packet,
        pkt: tracedPacket(info.payload),
      });
      continue;
    }
    if (!isWalked(e.pkt)) continue;
    out.push({
      kind: "point",
      seq,
      time,
      point: plainPoint(e.point),
      packet: e.packet,
      pkt: tracedPacket(e.pkt),
      ...(e.during !== undefined ? { during: e.during } : {}),
    });
  }
  return out;
}

function plainPoint(p: TracePoint): PlainPoint {
  if (p.kind !== "nf") return p;
  const { rule, ...rest } = p;
  return rule ? { ...rest, rule: ruleSpec(rule).trim() } : rest;
}
