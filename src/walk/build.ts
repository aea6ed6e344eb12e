// A walk, built from the simulator's trace alone: the scheduler's deliveries (frames on
// wires), the kernel model's tracepoints (the decisions it took) and the XState machines'
// transitions, grouped by packet. Nothing here decides anything about a packet.
import {
  machineName,
  nsDisplay,
  ROOT_NS,
  type TracedPacket,
  type TraceEntry,
  type TracePoint,
} from "../backend/trace-types.js";
import type { WalkEvent, WalkPacket, WalkStep } from "./types.js";
import { stateWords } from "./words.js";

export interface BuiltWalk {
  packets: WalkPacket[];
  events: WalkEvent[];
}

interface Building {
  packet: WalkPacket;
  /** The packet as last seen (NAT and TTL change its headers on the way). */
  last: TracedPacket;
}

/** Groups a trace into packets, each with its steps in order, and timer-driven events. */
export function buildWalk(entries: TraceEntry[]): BuiltWalk {
  const byTrace = new Map<number, Building>();
  const order: Building[] = [];
  const events: WalkEvent[] = [];
  const causes = new Map<number, number>();

  const packetFor = (id: number, pkt: TracedPacket): Building => {
    let b = byTrace.get(id);
    if (!b) {
      b = {
        last: pkt,
        packet: {
          id: order.length + 1,
          protocol: pkt.protocol,
          summary: pkt.summary,
          ...(pkt.fields ? { fields: pkt.fields } : {}),
          steps: [],
          fate: { kind: "ended", ns: ROOT_NS, text: "" },
        },
      };
      byTrace.set(id, b);
      order.push(b);
    }
    return b;
  };

  for (const e of entries) {
    const time = round(e.time);
    const seq = e.seq;
    if (e.kind === "transition") {
      const b = e.packet !== undefined ? byTrace.get(e.packet) : undefined;
      if (!b) {
        events.push({ time, machine: e.machine, state: e.state });
        continue;
      }
      b.packet.steps.push({
        time,
        seq,
        ns: e.machine.ns,
        kind: "state",
        text: `${machineName(e.machine)}: ${stateWords(e.state)}`,
        machine: e.machine,
        header: b.last.header,
      });
      continue;
    }
    const b = packetFor(e.packet, e.pkt);
    b.last = e.pkt;
    if (e.kind === "hop") {
      b.packet.steps.push(hopStep(time, seq, e));
      continue;
    }
    if (e.during !== undefined) causes.set(e.packet, e.during);
    b.packet.steps.push({ ...pointStep(time, seq, e.point, e.pkt), point: e.point });
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

function hopStep(time: number, seq: number, e: Extract<TraceEntry, { kind: "hop" }>): WalkStep {
  const { from, to } = e;
  const macs = e.srcMac && e.dstMac ? ` (${e.srcMac} > ${e.dstMac})` : "";
  const at = (d: { ns: string; dev: string } | undefined): string =>
    d ? `${d.dev} [${nsDisplay(d.ns)}]` : "?";
  const text =
    e.hop === "wire"
      ? `crossed the veth pair ${at(from)} -> ${at(to)}${macs}`
      : e.hop === "up"
        ? `passed up from port ${from?.dev ?? "?"} to the bridge device ${to.dev}${macs}`
        : `looped back through ${to.dev}`;
  return {
    time,
    seq,
    ns: to.ns,
    kind: e.hop,
    dev: to.dev,
    text,
    header: e.pkt.header,
    hop: { ...(from ? { from } : {}), to },
  };
}

function pointStep(time: number, seq: number, p: TracePoint, pkt: TracedPacket): WalkStep {
  const base = { time, seq, ns: p.ns, header: pkt.header };
  switch (p.kind) {
    case "route": {
      const linkdown = p.flags?.includes("linkdown") ?? false;
      const where =
        p.dir === "output" ? "output route" : p.dir === "input" ? "input route" : "forward route";
      return {
        ...base,
        kind: "route",
        dev: p.dev,
        text: `${where}: ${p.route ?? "none"}${linkdown ? " linkdown" : ""}${p.table ? ` (table ${p.table})` : ""}${p.src ? `, source ${p.src}` : ""}`,
        why: linkdown ? `${p.why}; ${p.dev ?? "its device"} has no carrier (linkdown)` : p.why,
        route: {
          route: p.route,
          table: p.table,
          dev: p.dev,
          src: p.src,
          ...(p.gateway !== undefined ? { gateway: p.gateway } : {}),
          ...(p.flags?.length ? { flags: p.flags } : {}),
        },
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
      const rule = p.rule;
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
    case "frag":
      return {
        ...base,
        kind: "frag",
        dev: p.dev,
        text: fragText(p.dev, p.mtu, p.devMtu, p.lengths),
      };
    case "local":
      return {
        ...base,
        kind: "local",
        dev: p.dev,
        text: `delivered locally on ${p.dev}: ${p.to}`,
        ...(p.ignored ? { ignored: true } : {}),
      };
    case "drop":
      return {
        ...base,
        kind: "drop",
        ...(p.dev !== undefined ? { dev: p.dev } : {}),
        text: `dropped${p.dev !== undefined ? ` on ${p.dev}` : ""}: ${p.reason}`,
        ...(p.why !== undefined ? { why: p.why } : {}),
        reason: p.reason,
      };
  }
}

function fateOf(steps: WalkStep[]): WalkPacket["fate"] {
  const drop = steps.findLast((s) => s.kind === "drop");
  if (drop) {
    return {
      kind: "dropped",
      ns: drop.ns,
      text: `dropped in ${nsDisplay(drop.ns)}`,
      reason: drop.reason,
    };
  }
  const local =
    steps.findLast((s) => s.kind === "local" && !s.ignored) ??
    steps.findLast((s) => s.kind === "local");
  if (local)
    return {
      kind: "delivered",
      ns: local.ns,
      text: local.text.replace(/^delivered locally/, `delivered in ${nsDisplay(local.ns)}`),
    };
  const last = steps.findLast((s) => s.kind !== "state") ?? steps.at(-1);
  const p = last?.point;
  if (p?.kind === "neigh" && p.action !== "send") {
    return {
      kind: "ended",
      ns: p.ns,
      text: `still waiting in ${nsDisplay(p.ns)} for ARP to resolve ${p.nexthop} on ${p.dev} when the walk ended`,
    };
  }
  return {
    kind: "ended",
    ns: last?.ns ?? ROOT_NS,
    text: last ? `no one took it after: ${last.text}` : "no step",
  };
}

/** "sent on va as 2 fragments (1500 and 548 bytes): longer than its MTU of 1500". */
export function fragText(
  dev: string,
  mtu: number,
  devMtu: number,
  lengths: readonly number[],
): string {
  const sizes =
    lengths.length <= 1
      ? `${lengths[0] ?? "?"}`
      : `${lengths.slice(0, -1).join(", ")} and ${lengths.at(-1)!}`;
  const limit =
    mtu < devMtu ? `the path MTU of ${mtu} learned for its destination` : `its MTU of ${mtu}`;
  return `sent on ${dev} as ${lengths.length} fragments (${sizes} bytes): longer than ${limit}`;
}
