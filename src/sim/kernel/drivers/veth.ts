// A veth pair (drivers/net/veth.c): a frame sent on one end arrives on the other, and
// each end has carrier only while both ends are up.
import { countRx, countTx, NetDevice } from "../core/device.js";
import { largestFragment } from "../core/frag.js";
import type { Mac } from "../core/mac.js";
import type { NetNs } from "../core/netns.js";
import type { Frame } from "../core/packet.js";

/**
 * veth_get_num_queues: num_possible_cpus() of the machine. The reference machine has 2;
 * `ip -d link` prints it as numtxqueues/numrxqueues.
 */
export const VETH_QUEUES = 2;

export class Veth extends NetDevice {
  readonly kind = "veth" as const;
  peer!: Veth;

  constructor(ns: NetNs, ifindex: number, name: string, mac: Mac) {
    super(ns, ifindex, name, mac);
    this.numTxQueues = VETH_QUEUES;
    this.numRxQueues = VETH_QUEUES;
    this.tsoMaxSize = 524280;
    // veth_newlink: netif_carrier_off on each end counts one carrier change.
    this.carrierChanges = 1;
  }

  carrier(): boolean {
    return this.adminUp && this.peer.adminUp;
  }

  /** M-DOWN: the peer is down, so this end's carrier is off (shown while this end is up). */
  get peerDown(): boolean {
    return !this.peer.adminUp;
  }

  override iflink(): number {
    return this.peer.ifindex;
  }

  override linkNet(): NetNs {
    return this.peer.ns;
  }

  xmit(frame: Frame): void {
    // veth_xmit drops (and counts) when the peer is not up.
    if (!this.adminUp) return;
    if (!this.peer.adminUp) {
      this.stats.txDropped++;
      return;
    }
    const peer = this.peer;
    // __dev_forward_skb: a frame longer than the peer's MTU (plus a VLAN tag's 4 bytes,
    // is_skb_forwardable) is dropped, counted by both ends.
    if (frame.payload.proto === "ipv4" && largestFragment(frame.payload) > peer.mtu + 4) {
      this.stats.txDropped++;
      peer.stats.rxDropped++;
      return;
    }
    countTx(this, frame);
    countRx(peer, frame);
    this.ns.world.scheduler.at(
      0,
      `veth ${this.name} -> ${peer.name} [${peer.ns.displayName}]`,
      () => peer.ns.world.rx(peer, frame),
      {
        kind: "wire",
        payload: frame.payload,
        fromNs: this.ns.scriptName,
        from: this.name,
        toNs: peer.ns.scriptName,
        to: peer.name,
        srcMac: frame.src,
        dstMac: frame.dst,
      },
    );
  }
}
