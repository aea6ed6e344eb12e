// IPv4 fragmentation as the wire sees it (ip_do_fragment): a datagram longer than the
// MTU it was fragmented for travels as several frames, each with its own IP header and a
// payload that is a multiple of 8 bytes but for the last. The simulator keeps the datagram
// whole (reassembly is certain in a lab: nothing is lost between fragments) and counts
// what the devices count: one frame per fragment.
import { ipLength, type Frame, type Ipv4Packet } from "./packet.js";

/** IP lengths of the fragments pkt travels as: one entry when it is not fragmented. */
export function fragmentLengths(pkt: Ipv4Packet): number[] {
  const total = ipLength(pkt);
  const mtu = pkt.fragMtu;
  if (mtu === undefined || total <= mtu) return [total];
  const per = Math.floor((mtu - 20) / 8) * 8;
  const out: number[] = [];
  for (let left = total - 20; left > 0; left -= per) out.push(20 + Math.min(per, left));
  return out;
}

/** The largest IP datagram of pkt on a wire: what a device's MTU is held against. */
export function largestFragment(pkt: Ipv4Packet): number {
  const total = ipLength(pkt);
  const mtu = pkt.fragMtu;
  if (mtu === undefined || total <= mtu) return total;
  return 20 + Math.floor((mtu - 20) / 8) * 8;
}

/** Frames and bytes (Ethernet header included, skb->len at the driver) a frame counts as. */
export function wireUnits(frame: Frame, fixedBytes: number): { packets: number; bytes: number } {
  const p = frame.payload;
  if (p.proto !== "ipv4") return { packets: 1, bytes: fixedBytes };
  const lens = fragmentLengths(p);
  return { packets: lens.length, bytes: lens.reduce((s, l) => s + 14 + l, 0) };
}
