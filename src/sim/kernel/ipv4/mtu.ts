// MTU on output and forwarding (ip_finish_output's ip_fragment, ip_forward's
// ip_exceeds_mtu) and what an ICMP "fragmentation needed" teaches the sender
// (ipv4_update_pmtu). The arithmetic of fragments is core/frag.ts.
import type { NetDevice } from "../core/device.js";
import { fragmentLengths, largestFragment } from "../core/frag.js";
import type { Ip4 } from "../core/ip4.js";
import type { NetNs } from "../core/netns.js";
import { ipLength, type Ipv4Packet } from "../core/packet.js";
import type { World } from "../core/world.js";

/** ip_exceeds_mtu: a DF datagram (or, reassembled, its largest fragment) longer than mtu. */
export function exceedsMtu(pkt: Ipv4Packet, mtu: number): boolean {
  return pkt.df === true && largestFragment(pkt) > mtu;
}

/**
 * ip_finish_output: a datagram longer than the device's MTU leaves as fragments of it
 * (IPCB frag_max_size keeps an already fragmented one's sizes unless this MTU is smaller).
 * The fragmented datagram is a new value whose walk continues the original's.
 */
export function fragmentFor(world: World, dev: NetDevice, pkt: Ipv4Packet): Ipv4Packet {
  if (pkt.fragMtu !== undefined && pkt.fragMtu <= dev.mtu) {
    // Made as fragments by its socket (ip_append_data): the walk says so where they leave.
    if (pkt.fragShown || ipLength(pkt) <= pkt.fragMtu) return pkt;
    const shown: Ipv4Packet = { ...pkt, fragShown: true };
    world.trace.carry(pkt, shown);
    const lengths = fragmentLengths(shown);
    world.trace.point(shown, {
      kind: "frag",
      ns: dev.ns.scriptName,
      dev: dev.name,
      mtu: pkt.fragMtu,
      devMtu: dev.mtu,
      lengths,
    });
    return shown;
  }
  if (ipLength(pkt) <= dev.mtu) return pkt;
  const out: Ipv4Packet = { ...pkt, fragMtu: dev.mtu, df: false, fragShown: true };
  world.trace.carry(pkt, out);
  // The walk says so: "sent as 2 fragments (1500, 548 bytes): va's MTU is 1500".
  world.trace.point(out, {
    kind: "frag",
    ns: dev.ns.scriptName,
    dev: dev.name,
    mtu: dev.mtu,
    devMtu: dev.mtu,
    lengths: fragmentLengths(out),
  });
  return out;
}

/** The MTU output to dst uses: the device's, or a smaller path MTU learned for dst. */
export function pathMtu(ns: NetNs, dev: NetDevice, dst: Ip4): number {
  const learned = ns.pmtu.get(dst, ns.world.scheduler.now);
  return learned !== undefined ? Math.min(learned, dev.mtu) : dev.mtu;
}

/** icmp_unreach, ICMP_FRAG_NEEDED: the route to dst remembers the smaller MTU. */
export function learnPmtu(world: World, ns: NetNs, dst: Ip4, mtu: number): void {
  let devMtu = 1500;
  try {
    devMtu = world.ipv4.routeOutput(ns, dst, {}).dev.mtu;
  } catch {
    return;
  }
  ns.pmtu.learn(dst, mtu, devMtu, world.scheduler.now);
}
