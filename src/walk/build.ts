// A walk, built from the simulator's trace alone: the scheduler's deliveries (frames on
// wires), the kernel model's tracepoints (the decisions it took) and the XState machines'
// transitions, grouped by packet. Nothing here decides anything about a packet.
import type { DeliveryInfo } from "../sim/engine/scheduler.js";
import type { TraceEntry, TracePoint } from "../sim/engine/trace.js";
import { ruleSpec } from "../sim/userland/iptables/save-rule.js";
import { header, isWalked, protocolOf, summary, type WalkedPacket } from "./headers.js";
import { SIM_ROOT } from "./sim-nf-path.js";
import type { WalkEvent, WalkPacket, WalkStep } from "./types.js";

export interface BuiltWalk {
  packets: WalkPacket[];
  events: WalkEvent[];
}

interface Building {
  packet: WalkPacket;
  /** The packet's headers as last seen (NAT and TTL change them on the way). */
  last: WalkedPacket;
}

/** Groups a trace into packets, each with its steps in order, and timer-driven events. */
export function buildWalk(entries: TraceEntry[], t0: number): BuiltWalk {
  const byTrace = new Map<number, Building>();
  const order: Building[] = [];
  const events: WalkEvent[] = [];
  const causes = new Map<number, number>();

  const packetFor = (id: number, pkt: WalkedPacket): Building => {
    let b = byTrace.get(id);
    if (!b) {
      b = {
        last: pkt,
        packet: {
          id: order.length + 1,
          protocol: protocolOf(pkt),
          summary: summary(pkt),
          steps: [],
          fate: { kind: "ended", ns: "", text: "" },
        },
      };
      byTrace.set(id, b);
      order.push(b);
    }
    return b;
  };

  for (const [seq, e] of entries.entries()) {
    const time = round(e.time - t0);
    if (e.kind === "transition") {
      const state = parseState(e.detail);
      const b = e.packet !== undefined ? byTrace.get(e.packet) : undefined;
      if (!b) {
        events.push({ time, machine: e.source, ns: machineNs(e.source), state });
        continue;
      }
      b.packet.steps.push({
        time,
        seq,
        ns: machineNs(e.source),
        kind: "state",
        text: `${e.source.replace(/ \[[^\]]*\]$/, "")}: ${state}`,
        header: header(b.last),
      });
      continue;
    }
    if (e.kind === "delivered") {
      const info = e.info;
      if (!info || e.packet === undefined || !isWalked(info.payload)) continue;
      if (info.kind === "because") continue; // not a hop: the cause is kept on the new packet
      const b = packetFor(e.packet, info.payload);
      b.last = info.payload;
      b.packet.steps.push(deliveryStep(time, seq, info.kind, info, info.payload));
      continue;
    }
    if (!isWalked(e.pkt)) continue;
    const b = packetFor(e.packet, e.pkt);
    b.last = e.pkt;
    if (e.during !== undefined) causes.set(e.packet, e.during);
    b.packet.steps.push(pointStep(time, seq, e.point, e.pkt));
  }

  for (const b of order) {
    const cause = causesOf(b, byTrace, causes);
    if (cause !== undefined) b.packet.causedBy = cause;
    b.packet.fate = fateOf(b.packet.steps);
  }
  return { packets: order.map((b) => b.packet), events };
}

function causesOf(
  b: Building,
  byTrace: Map<number, Building>,
  causes: Map<number, number>,
): number | undefined {
  for (const [traceId, built] of byTrace) {
    if (built !== b) continue;
    const c = causes.get(traceId);
    const parent = c !== undefined ? byTrace.get(c) : undefined;
    return parent && parent !== b ? parent.packet.id : undefined;
  }
  return undefined;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function parseState(detail: string): string {
  try {
    const v: unknown = JSON.parse(detail);
    return typeof v === "string" ? v : JSON.stringify(v);
  } catch {
    return detail;
  }
}

/** Machines are named with their namespace last, in brackets (trace.inspector's names). */
function machineNs(name: string): string {
  return /\[([^\]]*)\]$/.exec(name)?.[1] ?? SIM_ROOT;
}

function deliveryStep(
  time: number,
  seq: number,
  kind: "wire" | "up" | "loopback",
  info: DeliveryInfo,
  pkt: WalkedPacket,
): WalkStep {
  const macs = info.srcMac && info.dstMac ? ` (${info.srcMac} > ${info.dstMac})` : "";
  const text =
    kind === "wire"
      ? `crossed the veth pair ${info.from} [${info.fromNs}] -> ${info.to} [${info.toNs}]${macs}`
      : kind === "up"
        ? `passed up from port ${info.from} to the bridge device ${info.to}${macs}`
        : `looped back through ${info.to}`;
  return { time, seq, ns: info.toNs ?? "", kind, dev: info.to, text, header: header(pkt) };
}

function pointStep(time: number, seq: number, p: TracePoint, pkt: WalkedPacket): WalkStep {
  const base = { time, seq, ns: p.ns, header: header(pkt) };
  switch (p.kind) {
    case "route": {
      const where =
        p.dir === "output" ? "output route" : p.dir === "input" ? "input route" : "forward route";
      return {
        ...base,
        kind: "route",
        dev: p.dev,
        text: `${where}: ${p.route ?? "none"}${p.table ? ` (table ${p.table})` : ""}${p.src ? `, source ${p.src}` : ""}`,
        why: p.why,
        route: { route: p.route, table: p.table, dev: p.dev, src: p.src, gateway: p.gateway },
      };
    }
    case "neigh": {
      const text =
        p.action === "send"
          ? `neighbour ${p.nexthop} on ${p.dev}: ${p.state}, send to ${p.mac ?? "?"}`
          : p.action === "queue"
            ? `neighbour ${p.nexthop} on ${p.dev}: ${p.state}, packet queued until ARP resolves it`
            : `neighbour ${p.nexthop} on ${p.dev}: ${p.state === "none" ? "no entry" : p.state}, packet queued, ARP request sent`;
      return { ...base, kind: "neigh", dev: p.dev, text };
    }
    case "bridge": {
      const learned = p.learned ? `learned ${p.learned} on ${p.port}; ` : "";
      const action =
        p.action === "flood"
          ? `flooded to ${p.to.join(", ") || "no other port"}`
          : p.action === "forward"
            ? `forwarded to ${p.to.join(", ")}`
            : p.action === "local"
              ? `delivered to the bridge device ${p.bridge}`
              : "dropped";
      return {
        ...base,
        kind: "bridge",
        dev: p.bridge,
        text:
          p.port === p.bridge
            ? `bridge ${p.bridge}, sent by the host: ${action}`
            : `bridge ${p.bridge}, in on ${p.port}: ${learned}${action}`,
        why: p.why,
      };
    }
    case "nf": {
      const rule = p.rule ? ruleSpec(p.rule).trim() : undefined;
      const what = p.policy
        ? `policy ${p.verdict}`
        : `rule ${p.ruleNum}: -A ${p.chain} ${rule} => ${p.verdict}`;
      return {
        ...base,
        kind: "nf",
        text: `${p.hook}: ${p.table} ${p.chain} ${what}`,
        nf: {
          hook: p.hook,
          table: p.table,
          chain: p.chain,
          ruleNum: p.ruleNum,
          rule,
          verdict: p.verdict,
          policy: p.policy,
        },
      };
    }
    case "ct":
      return {
        ...base,
        kind: "ct",
        text: `conntrack (${p.hook}): ${p.state}, ${p.dir} direction`,
      };
    case "nat":
      return {
        ...base,
        kind: "nat",
        text: `NAT (${p.hook}): ${p.before} => ${p.after}`,
        nat: { before: p.before, after: p.after },
      };
    case "ttl":
      return { ...base, kind: "ttl", text: `forwarded: TTL ${p.from} -> ${p.to}` };
    case "local":
      return {
        ...base,
        kind: "local",
        dev: p.dev,
        text: `delivered locally on ${p.dev}: ${p.to}`,
        ...(p.ignored ? { ignored: true } : {}),
      };
    case "drop":
      return { ...base, kind: "drop", text: `dropped: ${p.reason}`, reason: p.reason };
  }
}

function fateOf(steps: WalkStep[]): WalkPacket["fate"] {
  const drop = steps.findLast((s) => s.kind === "drop");
  if (drop) {
    return { kind: "dropped", ns: drop.ns, text: `dropped in ${drop.ns}`, reason: drop.reason };
  }
  const local =
    steps.findLast((s) => s.kind === "local" && !s.ignored) ??
    steps.findLast((s) => s.kind === "local");
  if (local)
    return {
      kind: "delivered",
      ns: local.ns,
      text: local.text.replace(/^delivered locally/, `delivered in ${local.ns}`),
    };
  const last = steps.at(-1);
  return {
    kind: "ended",
    ns: last?.ns ?? "",
    text: last ? `no one took it after: ${last.text}` : "no step",
  };
}
