// A veth pair (drivers/net/veth.c): a frame sent on one end arrives on the other, and
// each end has carrier only while both ends are up.
import { countRx, countTx, NetDevice } from "../core/device.js";
import { kfail } from "../core/errors.js";
import { claimName, configure, macFor, register, setAdmin, type LinkAttrs } from "../core/links.js";
import { linkwatchFire, rtnlRequest } from "../core/linkwatch.js";
import { largestFragment } from "../core/frag.js";
import type { Mac } from "../core/mac.js";
import type { LinkKindOps } from "../core/modules.js";
import type { NetNs } from "../core/netns.js";
import type { Frame } from "../core/packet.js";
import { announce } from "../core/rtmsg.js";

/** The peer of a new veth (VETH_INFO_PEER): its own name, namespace and attributes. */
export interface PeerSpec extends LinkAttrs {
  name?: string;
  ns: NetNs;
}

declare module "../core/modules.js" {
  interface LinkInfoData {
    /** VETH_INFO_PEER (the peer goes where the request came from without one). */
    peer?: PeerSpec;
  }
}

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

  override pairPeer(): NetDevice {
    return this.peer;
  }

  /** veth_dellink: the peer is unregistered with this end. */
  override dellinkAlso(): NetDevice[] {
    return [this.peer];
  }

  xmit(frame: Frame): void {
    // veth_xmit drops (and counts) when the peer is not up.
    if (!this.adminUp) return;
    if (!this.peer.adminUp) {
      this.stats.txDropped++;
      this.ns.world.trace.point(frame.payload, {
        kind: "drop",
        ns: this.ns.scriptName,
        dev: this.name,
        reason: "no carrier",
        why: `${this.peer.name}, the other end of the veth pair, is down`,
      });
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

/**
 * veth_newlink: the peer is registered (and configured) first, so it gets the lower index
 * and, without a name, the first free veth%d; the device itself comes second.
 */
function vethNewlink(
  ns: NetNs,
  name: string | undefined,
  attrs: LinkAttrs,
  { peer = { ns } }: { peer?: PeerSpec },
): Veth {
  return rtnlRequest(ns.world, () => {
    if (name !== undefined && ns.byName(name)) kfail("EEXIST");
    const peerNs = peer.ns;
    const pn = claimName(peerNs, peer.name ?? "veth%d");
    const p = new Veth(peerNs, peerNs.allocIndex(), pn, macFor(ns));
    const devName = name ?? "veth%d";
    const dev = new Veth(ns, ns.allocIndex(), devName, macFor(ns));
    dev.peer = p;
    p.peer = dev;
    configure(p, peer);
    configure(dev, attrs);
    register(peerNs, p);
    // veth_newlink: netif_carrier_off on each end as it is registered.
    linkwatchFire(p);
    if (peer.up) setAdmin(p, true);
    try {
      dev.name = claimName(ns, devName);
    } catch (e) {
      ns.world.unregister(p);
      throw e;
    }
    register(ns, dev);
    linkwatchFire(dev);
    // rtnl_configure_link(dev) runs after the pair is tied: its notification names the peer's netns.
    announce(dev);
    if (attrs.up) setAdmin(dev, true);
    return dev;
  });
}

export const vethLinkOps: LinkKindOps = { kind: "veth", newlink: vethNewlink };
