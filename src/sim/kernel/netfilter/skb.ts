// What netfilter keeps on an sk_buff besides the headers: the conntrack reference
// (skb->_nfct with its ctinfo), skb->mark, and br_netfilter's nf_bridge_info (the bridge
// ports a bridged packet came in and goes out on). Packets are values shared by
// reference while they travel, so this rides on the packet object itself, in a hidden
// (non-enumerable, symbol-keyed) slot: copies of the headers (`{ ...pkt }`), their JSON
// and their printing never see it, and it goes wherever the packet goes.
//
// skb_scrub_packet clears the conntrack reference whenever a packet crosses a veth (and
// the mark when it changes namespace): the stack resets it on every receive from a
// device, and it survives only the loopback and the bridge's pass up to the host.
import type { NetDevice } from "../core/device.js";
import type { Mac } from "../core/mac.js";
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
  /**
   * nf_bridge->bridged_dnat: DNAT sent the frame back out its own bridge; once the
   * neighbour gives its new destination MAC, br_dev_xmit hands it back to the bridge as if
   * it came in on `port` again, with its own source MAC (neigh_header).
   */
  bridgedDnat?: { port: NetDevice; src: Mac };
}

const SKB = Symbol("skb");

type WithSkb = Ipv4Packet & { [SKB]?: Skb };

function get(pkt: Ipv4Packet): Skb | undefined {
  return (pkt as WithSkb)[SKB];
}

function set(pkt: Ipv4Packet, s: Skb | undefined): void {
  Object.defineProperty(pkt, SKB, { value: s, writable: true, configurable: true });
}

/** The packet's netfilter state in ns (fresh when it has none there). */
export function skbOf(pkt: Ipv4Packet, ns: NetNs): Skb {
  let s = get(pkt);
  if (!s || s.ns !== ns) {
    s = { ns, mark: 0 };
    set(pkt, s);
  }
  return s;
}

/** The state if the packet has some in ns, without creating it. */
export function peekSkb(pkt: Ipv4Packet, ns: NetNs): Skb | undefined {
  const s = get(pkt);
  return s && s.ns === ns ? s : undefined;
}

/** skb_scrub_packet / nf_reset_ct: the packet arrives from a wire with no state. */
export function resetSkb(pkt: Ipv4Packet): void {
  if (get(pkt)) set(pkt, undefined);
}

/** The same skb under a rewritten header (NAT, TTL decrement): the state follows it. */
export function moveSkb(from: Ipv4Packet, to: Ipv4Packet): void {
  if (from === to) return;
  const s = get(from);
  if (s) set(to, s);
}
