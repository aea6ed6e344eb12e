// The ARP neighbour table (net/ipv4/arp.c over net/core/neighbour.c). Each entry's NUD
// state is an XState actor on the scheduler's clock; the table turns what an entry emits
// into ARP frames and releases or fails the packets queued while it resolved.
import { createActor, type Actor } from "xstate";
import { nudMachine, type SolicitHow } from "../../engine/machines/nud.js";
import type { NetDevice } from "../core/device.js";
import { formatIp4, type Ip4 } from "../core/ip4.js";
import { BROADCAST_MAC, ZERO_MAC, type Mac } from "../core/mac.js";
import type { NetdevEvent, NetNs } from "../core/netns.js";
import type { Ipv4Packet } from "../core/packet.js";
import { NeighParms } from "./neigh-parms.js";

declare module "../core/netns.js" {
  interface NetNs {
    /** The ARP table (neigh.ts). */
    readonly neigh: NeighTable;
  }
}

export type NudState = "INCOMPLETE" | "REACHABLE" | "STALE" | "DELAY" | "PROBE" | "FAILED";

/** NUD_* bits as `ip neigh` filters and prints them (include/uapi/linux/neighbour.h). */
export const NUD_BITS: Record<NudState | "NOARP" | "PERMANENT", number> = {
  INCOMPLETE: 0x01,
  REACHABLE: 0x02,
  STALE: 0x04,
  DELAY: 0x08,
  PROBE: 0x10,
  FAILED: 0x20,
  NOARP: 0x40,
  PERMANENT: 0x80,
};

/** NUD_VALID: the entry has a usable link-layer address. */
const VALID: ReadonlySet<NudState> = new Set(["REACHABLE", "STALE", "DELAY", "PROBE"]);

export interface NeighEntry {
  dev: NetDevice;
  ip: Ip4;
  lladdr: Mac | undefined;
  actor: Actor<typeof nudMachine>;
  /** Packets waiting for resolution (arp_queue / unres_qlen). */
  queue: Ipv4Packet[];
  /** Source address to use in our ARP requests (arp_solicit picks the queued packet's). */
  solicitSrc: Ip4 | undefined;
  /** Creation order: dumps list newer entries first. */
  created: number;
  /** neigh->updated: when the state or the address last changed (ms, virtual time). */
  updated: number;
}

export class NeighTable {
  private entries = new Map<string, NeighEntry>();
  private created = 0;
  /** Each device's neigh_parms, made from the defaults when first needed (neigh-parms.ts). */
  private parmsByDev = new WeakMap<NetDevice, NeighParms>();

  constructor(readonly ns: NetNs) {}

  private key(dev: NetDevice, ip: Ip4): string {
    return `${dev.ifindex}/${ip}`;
  }

  get(dev: NetDevice, ip: Ip4): NeighEntry | undefined {
    const e = this.entries.get(this.key(dev, ip));
    return e && e.dev === dev ? e : undefined;
  }

  /**
   * Entries in dump order. The kernel walks hash buckets whose order depends on a random
   * seed, so there is no true order to copy; newest first is what one bucket gives.
   */
  list(): NeighEntry[] {
    return [...this.entries.values()].sort((a, b) => b.created - a.created);
  }

  state(e: NeighEntry): NudState {
    return e.actor.getSnapshot().value as NudState;
  }

  /** NUD_VALID states carry a link-layer address (neigh_fill_info puts NDA_LLADDR). */
  isValid(e: NeighEntry): boolean {
    return VALID.has(this.state(e));
  }

  /** The device's neighbour parameters (net.ipv4.neigh.DEV.*). */
  parms(dev: NetDevice): NeighParms {
    let p = this.parmsByDev.get(dev);
    if (!p) {
      p = new NeighParms((lo, hi) => this.ns.world.rng.int(lo, hi));
      this.parmsByDev.set(dev, p);
    }
    return p;
  }

  private create(
    dev: NetDevice,
    ip: Ip4,
    initial: "incomplete" | "stale",
    lladdr?: Mac,
  ): NeighEntry {
    const world = this.ns.world;
    const actor = createActor(nudMachine, {
      clock: world.scheduler,
      inspect: world.trace.inspector({
        ns: this.ns.scriptName,
        kind: "neigh",
        key: `${formatIp4(ip)} dev ${dev.name}`,
      }),
      input: { initial, parms: this.parms(dev) },
    });
    const entry: NeighEntry = {
      dev,
      ip,
      lladdr,
      actor,
      queue: [],
      solicitSrc: undefined,
      created: this.created++,
      updated: world.scheduler.now,
    };
    actor.on("solicit", (e) => this.solicit(entry, e.how));
    actor.on("failed", () => this.fail(entry));
    actor.on("dropped", () => this.dropQueue(entry));
    let last: unknown = undefined;
    actor.subscribe((snap) => {
      if (snap.value !== last) entry.updated = world.scheduler.now;
      last = snap.value;
    });
    this.entries.set(this.key(dev, ip), entry);
    return entry;
  }

  /**
   * Output path (neigh_resolve_output, __neigh_event_send): sends now when the address is
   * known (a STALE entry starts its DELAY timer), else queues the packet and resolves.
   */
  output(dev: NetDevice, nexthop: Ip4, pkt: Ipv4Packet): void {
    let e = this.get(dev, nexthop);
    this.trace(dev, nexthop, pkt, e);
    if (!e) {
      e = this.create(dev, nexthop, "incomplete");
      e.solicitSrc = pkt.src;
      e.queue.push(pkt);
      // Entering INCOMPLETE sends the first request at once, from the queued packet's source.
      e.actor.start();
      return;
    }
    const st = this.state(e);
    if (st === "INCOMPLETE") {
      this.enqueue(e, pkt);
      return;
    }
    if (st === "FAILED") {
      e.solicitSrc = pkt.src;
      this.enqueue(e, pkt);
      e.actor.send({ type: "USE" });
      return;
    }
    if (st === "STALE") e.actor.send({ type: "USE" });
    this.ns.world.ipv4.transmit(dev, e.lladdr!, pkt);
  }

  /** The neighbour lookup as the packet saw it: a cache hit sends, anything else waits. */
  private trace(dev: NetDevice, nexthop: Ip4, pkt: Ipv4Packet, e: NeighEntry | undefined): void {
    const trace = this.ns.world.trace;
    if (!trace.enabled) return;
    const state = e ? this.state(e) : "none";
    const action =
      state === "none" || state === "FAILED"
        ? "resolve"
        : state === "INCOMPLETE"
          ? "queue"
          : "send";
    trace.point(pkt, {
      kind: "neigh",
      ns: this.ns.scriptName,
      dev: dev.name,
      nexthop: formatIp4(nexthop),
      state,
      action,
      mac: action === "send" ? e?.lladdr : undefined,
    });
  }

  /** arp_queue holds unres_qlen_bytes worth of packets; the oldest are dropped past it. */
  private enqueue(e: NeighEntry, pkt: Ipv4Packet): void {
    e.queue.push(pkt);
    if (e.queue.length > this.parms(e.dev).queuePackets) e.queue.shift();
  }

  /**
   * ARP input told us the sender's address (arp_process). A request for one of our
   * addresses creates the entry (neigh_event_ns); other packets only update an existing
   * one (arp_accept=0). A unicast reply to us confirms reachability (NUD_REACHABLE);
   * anything else proposes NUD_STALE, which neigh_update ignores when the entry is valid
   * and the address did not change.
   */
  learn(
    dev: NetDevice,
    ip: Ip4,
    mac: Mac,
    isReplyToUs: boolean,
    create = !isReplyToUs,
    locked = false,
  ): void {
    const e = this.get(dev, ip);
    if (!e) {
      if (create) this.create(dev, ip, "stale", mac).actor.start();
      return;
    }
    const before = this.state(e);
    const valid = VALID.has(before);
    const changed = !valid || e.lladdr !== mac;
    // arp_process: within locktime of the entry's last update, a second answer naming
    // another address is ignored (the first of several proxies' replies wins).
    if (
      locked &&
      valid &&
      changed &&
      this.ns.world.scheduler.now <= e.updated + this.parms(dev).locktimeMs
    ) {
      return;
    }
    if (changed) e.updated = this.ns.world.scheduler.now;
    if (isReplyToUs) {
      e.lladdr = mac;
      e.actor.send({ type: "CONFIRM" });
    } else if (changed) {
      e.lladdr = mac;
      e.actor.send({ type: "HEARD", changed: true });
    }
    // neigh_update: packets queued while unresolved leave through the entry's output now.
    if (!valid && this.isValid(e) && e.queue.length > 0) {
      const q = e.queue;
      e.queue = [];
      for (const pkt of q) this.output(e.dev, e.ip, pkt);
    }
  }

  /**
   * RTM_DELNEIGH for each entry the filter selects (`ip neigh flush`, neigh_delete): an
   * entry still resolving fails its queued packets (neigh_invalidate) before it goes.
   */
  flush(filter: (e: NeighEntry) => boolean): number {
    let n = 0;
    for (const e of this.list()) {
      if (!filter(e)) continue;
      const st = this.state(e);
      if (st === "INCOMPLETE" || st === "PROBE") this.fail(e);
      this.remove(e);
      n++;
    }
    return n;
  }

  /**
   * arp_netdev_event and neigh_ifdown. Losing carrier evicts the device's entries
   * (neigh_carrier_down, arp_evict_nocarrier=1), as does a new MAC address
   * (NETDEV_CHANGEADDR: neigh_changeaddr); down and unregister flush them (neigh_ifdown).
   * Queued packets are dropped without error reports.
   */
  netdevEvent(dev: NetDevice, event: NetdevEvent | "changeaddr"): void {
    switch (event) {
      case "change": {
        const evict = (m: Map<string, string>): boolean =>
          (m.get("arp_evict_nocarrier") ?? "1") === "1";
        if (!dev.carrier() && evict(this.ns.confAll) && evict(dev.conf)) this.flushDev(dev);
        break;
      }
      case "changeaddr":
      case "down":
        this.flushDev(dev);
        break;
      case "unregister":
        this.flushDev(dev);
        // The in_device goes with its parms; in another namespace it starts afresh.
        this.parmsByDev.delete(dev);
        break;
      default:
        break;
    }
  }

  /** neigh_ifdown: the device went down or away; entries go without error reports. */
  flushDev(dev: NetDevice): void {
    for (const e of this.list()) if (e.dev === dev) this.remove(e);
  }

  private remove(e: NeighEntry): void {
    // Packets still queued on the entry go with it, silently (neigh_flush_dev, __skb_queue_purge).
    for (const pkt of e.queue) this.ns.world.ipv4.drop(this.ns, "neighbour entry flushed", pkt);
    e.actor.stop();
    this.entries.delete(this.key(e.dev, e.ip));
  }

  private solicit(e: NeighEntry, how: SolicitHow): void {
    // An app probe is a netlink message to a user-space daemon (neigh_app_ns): no frame.
    if (how === "app") return;
    const unicast = how === "unicast";
    const dev = e.dev;
    const src = this.ns.world.ipv4.arpSolicitSource(dev, e.solicitSrc, e.ip);
    const waiting = e.queue[0];
    this.ns.world.scheduler.at(
      0,
      `arp request ${formatIp4(e.ip)}`,
      () => {
        dev.xmit({
          src: dev.mac,
          dst: unicast && e.lladdr ? e.lladdr : BROADCAST_MAC,
          payload: {
            proto: "arp",
            op: "request",
            senderMac: dev.mac,
            senderIp: src,
            targetMac: ZERO_MAC,
            targetIp: e.ip,
          },
        });
      },
      // The request is sent for the packet waiting on it: the walk links them.
      waiting ? { kind: "because", payload: waiting } : undefined,
    );
  }

  /** kfree_skb of what waited: no error report (__neigh_event_send with nothing to probe). */
  private dropQueue(e: NeighEntry): void {
    const q = e.queue;
    e.queue = [];
    for (const pkt of q) this.ns.world.ipv4.drop(this.ns, "neighbour cannot probe", pkt);
  }

  private fail(e: NeighEntry): void {
    const q = e.queue;
    e.queue = [];
    // arp_error_report -> icmp_send(ICMP_DEST_UNREACH, ICMP_HOST_UNREACH) for each queued packet.
    for (const pkt of q) this.ns.world.ipv4.hostUnreachable(this.ns, e.dev, pkt);
  }
}
