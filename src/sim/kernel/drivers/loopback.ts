// The loopback device (drivers/net/loopback.c): what it sends, it receives.
import { NetDevice } from "../core/device.js";
import { ipLength, type Ipv4Packet } from "../core/packet.js";
import type { NetNs } from "../core/netns.js";
import type { Frame } from "../core/packet.js";
import { runTaps } from "../core/tap.js";

export class Loopback extends NetDevice {
  readonly kind = "loopback" as const;

  constructor(ns: NetNs, ifindex: number, name: string) {
    super(ns, ifindex, name, "00:00:00:00:00:00");
    this.mtu = 65536;
    this.minMtu = 0;
    this.maxMtu = 0;
    this.multicast = false;
    this.tsoMaxSize = 524280;
  }

  carrier(): boolean {
    return true;
  }

  override get netnsLocal(): boolean {
    return true;
  }

  override operstate(): "UNKNOWN" | "DOWN" {
    return this.adminUp ? "UNKNOWN" : "DOWN";
  }

  xmit(frame: Frame): void {
    if (!this.adminUp || frame.payload.proto !== "ipv4") return;
    const pkt = frame.payload;
    loopbackCount(this, pkt);
    this.ns.world.scheduler.at(0, `lo rx`, () => this.ns.world.ipv4.ipRcv(this, pkt, true), {
      kind: "loopback",
      payload: pkt,
      fromNs: this.ns.scriptName,
      from: this.name,
      toNs: this.ns.scriptName,
      to: this.name,
    });
  }
}

/**
 * loopback_xmit: each packet counts once as sent and once as received, with skb->len
 * taken after eth_type_trans pulled the Ethernet header (the IP datagram's length).
 * A packet socket sees it both ways, in a zero-MAC Ethernet header.
 */
export function loopbackCount(dev: NetDevice, pkt: Ipv4Packet): void {
  const len = ipLength(pkt);
  dev.stats.txPackets++;
  dev.stats.txBytes += len;
  dev.stats.rxPackets++;
  dev.stats.rxBytes += len;
  const frame: Frame = { src: dev.mac, dst: dev.mac, payload: pkt };
  runTaps(dev, frame, "out");
  runTaps(dev, frame, "in");
}
