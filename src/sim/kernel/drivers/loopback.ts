// The loopback device (drivers/net/loopback.c): what it sends, it receives.
import { NetDevice } from "../core/device.js";
import type { NetNs } from "../core/netns.js";
import type { Frame } from "../core/packet.js";

export class Loopback extends NetDevice {
  readonly kind = "loopback" as const;

  constructor(ns: NetNs, ifindex: number, name: string) {
    super(ns, ifindex, name, "00:00:00:00:00:00");
    this.mtu = 65536;
    this.minMtu = 0;
    this.maxMtu = 0;
  }

  carrier(): boolean {
    return true;
  }

  override operstate(): "UNKNOWN" | "DOWN" {
    return this.adminUp ? "UNKNOWN" : "DOWN";
  }

  override get qdisc(): string {
    return "noqueue";
  }

  xmit(frame: Frame): void {
    if (!this.adminUp || frame.payload.proto !== "ipv4") return;
    const pkt = frame.payload;
    this.ns.world.scheduler.at(0, `lo rx`, () => this.ns.world.ipv4.ipRcv(this, pkt, true));
  }
}
