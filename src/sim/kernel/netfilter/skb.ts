// What netfilter keeps on an sk_buff besides the headers: the conntrack reference
// (skb->_nfct with its ctinfo), skb->mark, and br_netfilter's nf_bridge_info (the bridge
// ports a bridged packet came in and goes out on). Packets are values shared by
// reference while they travel, so this lives beside them, keyed by the packet object.
//
// skb_scrub_packet clears the conntrack reference whenever a packet crosses a veth (and
// the mark when it changes namespace): the stack resets it on every receive from a
// device, and it survives only the loopback and the bridge's pass up to the host.
import type { NetDevice } from "../core/device.js";
import type { NetNs } from "../core/netns.js";
import type { Ipv4Packet } from "../core/packet.js";
import type { CtEntry } from "./conntrack.js";

/** enum ip_conntrack_info, folded: the state a packet has in its connection. */
export type CtInfo = "new" | "established" | "related";

export interface Skb {
  ns: NetNs;
  ct?: CtEntry;
  ctinfo?: CtInfo;
  /** CTINFO2DIR: 0 original, 1 reply. */
  dir?: 0 | 1;
  mark: number;
  /** nf_bridge_info exists: the packet went through br_nf_pre_routing. */
  bridged?: boolean;
  physIn?: NetDevice;
  physOut?: NetDevice;
  /** ip_sabotage_in: PREROUTING already ran on the bridge; the host's input skips it. */
  brPrerouted?: boolean;
}

const skbs = new WeakMap<Ipv4Packet, Skb>();

/** The packet's netfilter state in ns (fresh when it has none there). */
export function skbOf(pkt: Ipv4Packet, ns: NetNs): Skb {
  let s = skbs.get(pkt);
  if (!s || s.ns !== ns) {
    s = { ns, mark: 0 };
    skbs.set(pkt, s);
  }
  return s;
}

/** The state if the packet has some in ns, without creating it. */
export function peekSkb(pkt: Ipv4Packet, ns: NetNs): Skb | undefined {
  const s = skbs.get(pkt);
  return s && s.ns === ns ? s : undefined;
}

/** skb_scrub_packet / nf_reset_ct: the packet arrives from a wire with no state. */
export function resetSkb(pkt: Ipv4Packet): void {
  skbs.delete(pkt);
}

/** The same skb under a rewritten header (NAT, TTL decrement): the state follows it. */
export function moveSkb(from: Ipv4Packet, to: Ipv4Packet): void {
  if (from === to) return;
  const s = skbs.get(from);
  if (s) skbs.set(to, s);
}
