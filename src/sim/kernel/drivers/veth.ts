// A veth pair (drivers/net/veth.c): a frame sent on one end arrives on the other, and
// each end has carrier only while both ends are up.
import { NetDevice } from "../core/device.js";
import type { Mac } from "../core/mac.js";
import type { NetNs } from "../core/netns.js";
import type { Frame } from "../core/packet.js";

export class Veth extends NetDevice {
  readonly kind = "veth" as const;
  peer!: Veth;

  constructor(ns: NetNs, ifindex: number, name: string, mac: Mac) {
    super(ns, ifindex, name, mac);
  }

  carrier(): boolean {
    return this.adminUp && this.peer.adminUp;
  }

  /** M-DOWN: the peer is down, so this end's carrier is off (shown while this end is up). */
  get peerDown(): boolean {
    return !this.peer.adminUp;
  }

  xmit(frame: Frame): void {
    // veth_xmit drops when the peer is not up.
    if (!this.carrier()) return;
    const peer = this.peer;
    this.ns.world.scheduler.at(0, `veth ${this.name} -> ${peer.name} [${peer.ns.displayName}]`, () =>
      peer.ns.world.rx(peer, frame),
    );
  }
}
