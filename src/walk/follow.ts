// The walk as a learner follows it: each packet with the ARP exchange it waited for folded
// in where it happened (after the neighbour lookup that sent it), and each packet's way
// cut into visits, one per namespace it passes (a bridge is passed inside its namespace).
// Built from the walk's steps alone: nothing here decides anything about a packet.
import type { NsName } from "../backend/trace-types.js";
import type { WalkPacket, WalkStep } from "./types.js";

/** ARP requests sent for a packet that waits on a neighbour lookup, and their answers. */
export interface ArpExchange {
  /** The waiting packet's neighbour step that sent the first request. */
  after: WalkStep;
  /** Requests and replies, in the order they appeared. */
  packets: WalkPacket[];
}

export interface FollowedPacket {
  packet: WalkPacket;
  /** ARP exchanges folded into this packet. */
  arp: ArpExchange[];
}

/** One namespace a packet passes: its steps there, and the ARP exchanges it waited for. */
export interface Visit {
  ns: NsName;
  steps: WalkStep[];
  arp: ArpExchange[];
}

export const isArp = (p: WalkPacket): boolean => p.protocol === "arp";
const isRequest = (p: WalkPacket): boolean => p.fields?.arp?.op === "request";

/** The packets in order, ARP exchanges folded into the packets that waited for them. */
export function followPackets(packets: readonly WalkPacket[]): FollowedPacket[] {
  const followed = packets.map((packet) => ({ packet, arp: [] as ArpExchange[] }));
  // Neighbour lookups that sent (or queued for) an ARP request, in trace order.
  const lookups = followed
    .filter((f) => !isArp(f.packet))
    .flatMap((f) =>
      f.packet.steps
        .filter((s) => s.point?.kind === "neigh" && s.point.action !== "send")
        .map((step) => ({ owner: f, step })),
    )
    .sort((a, b) => a.step.seq - b.step.seq);
  const folded = new Map<number, ArpExchange>();
  for (const f of followed) {
    const pkt = f.packet;
    if (!isArp(pkt) || pkt.steps.length === 0) continue;
    const first = pkt.steps[0]!.seq;
    let exchange: ArpExchange | undefined;
    if (isRequest(pkt)) {
      // The latest lookup before the request for the address it asks about.
      const lookup = lookups.findLast(
        (l) =>
          l.step.seq < first &&
          l.step.point?.kind === "neigh" &&
          pkt.fields?.dst === l.step.point.nexthop,
      );
      if (lookup) {
        exchange = lookup.owner.arp.find((x) => x.after === lookup.step);
        if (!exchange) {
          exchange = { after: lookup.step, packets: [] };
          lookup.owner.arp.push(exchange);
        }
      }
    } else if (pkt.causedBy !== undefined) {
      exchange = folded.get(pkt.causedBy);
    }
    if (!exchange) continue;
    exchange.packets.push(pkt);
    folded.set(pkt.id, exchange);
  }
  return followed.filter((f) => !folded.has(f.packet.id));
}

/** A packet's visits: a new one each time it enters another namespace. */
export function visitsOf(f: FollowedPacket): Visit[] {
  const visits: Visit[] = [];
  for (const s of f.packet.steps) {
    const cur = visits.at(-1);
    // A state machine's move belongs where the packet is, whatever its namespace.
    if (cur && (s.ns === cur.ns || s.kind === "state")) cur.steps.push(s);
    else visits.push({ ns: s.ns, steps: [s], arp: [] });
  }
  for (const x of f.arp) {
    const v = visits.find((v) => v.steps.includes(x.after));
    v?.arp.push(x);
  }
  return visits;
}
