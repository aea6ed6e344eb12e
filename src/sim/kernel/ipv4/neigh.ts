// The ARP neighbour table (net/ipv4/arp.c over net/core/neighbour.c). Each entry's NUD
// state is an XState actor on the scheduler's clock; the table turns what an entry emits
// into ARP frames and releases or fails the packets queued while it resolved.
import { createActor, type Actor } from "xstate";
import { nudMachine } from "../../engine/machines/nud.js";
import type { NetDevice } from "../core/device.js";
import { formatIp4, type Ip4 } from "../core/ip4.js";
import { BROADCAST_MAC, ZERO_MAC, type Mac } from "../core/mac.js";
import type { NetNs } from "../core/netns.js";
import type { Ipv4Packet } from "../core/packet.js";

export type NudState = "INCOMPLETE" | "REACHABLE" | "STALE" | "DELAY" | "PROBE" | "FAILED";

export interface NeighEntry {
  dev: NetDevice;
  ip: Ip4;
  lladdr: Mac | undefined;
  actor: Actor<typeof nudMachine>;
  /** Packets waiting for resolution (arp_queue / unres_qlen). */
  queue: Ipv4Packet[];
  /** Source address to use in our ARP requests (arp_solicit picks the queued packet's). */
  solicitSrc: Ip4 | undefined;
}

export class NeighTable {
  private entries = new Map<string, NeighEntry>();

  constructor(readonly ns: NetNs) {}

  private key(dev: NetDevice, ip: Ip4): string {
    return `${dev.ifindex}/${ip}`;
  }

  get(dev: NetDevice, ip: Ip4): NeighEntry | undefined {
    return this.entries.get(this.key(dev, ip));
  }

  list(): NeighEntry[] {
    return [...this.entries.values()];
  }

  state(e: NeighEntry): NudState {
    return e.actor.getSnapshot().value as NudState;
  }

  private create(dev: NetDevice, ip: Ip4, initial: "incomplete" | "stale", lladdr?: Mac): NeighEntry {
    const p = (k: string): number => Number(this.ns.neighDefault.get(k));
    const world = this.ns.world;
    // base_reachable_time is randomised in [base/2, 3*base/2) (neigh_rand_reach_time).
    const base = p("base_reachable_time_ms");
    const actor = createActor(nudMachine, {
      clock: world.scheduler,
      inspect: world.trace.inspector(`neigh ${formatIp4(ip)} dev ${dev.name} [${this.ns.displayName}]`),
      input: {
        initial,
        retransMs: p("retrans_time_ms"),
        reachableMs: world.rng.int(base / 2, (3 * base) / 2 - 1),
        delayMs: p("delay_first_probe_time") * 1000,
        mcastSolicit: p("mcast_solicit"),
        ucastSolicit: p("ucast_solicit"),
      },
    });
    const entry: NeighEntry = { dev, ip, lladdr, actor, queue: [], solicitSrc: undefined };
    actor.on("solicit", (e) => this.solicit(entry, e.unicast));
    actor.on("resolved", () => this.release(entry));
    actor.on("failed", () => this.fail(entry));
    this.entries.set(this.key(dev, ip), entry);
    actor.start();
    return entry;
  }

  /**
   * Output path (neigh_resolve_output): sends now when the address is known, else queues
   * the packet and starts resolution.
   */
  output(dev: NetDevice, nexthop: Ip4, pkt: Ipv4Packet): void {
    let e = this.get(dev, nexthop);
    if (!e) {
      e = this.create(dev, nexthop, "incomplete");
      e.solicitSrc ??= pkt.src;
      e.queue.push(pkt);
      // The first request goes out when the machine entered INCOMPLETE; it used solicitSrc.
      return;
    }
    const st = this.state(e);
    if (st === "INCOMPLETE") {
      if (e.queue.length < 3) e.queue.push(pkt); // arp_queue drops oldest past unres_qlen; 3 is plenty here
      return;
    }
    if (st === "FAILED") {
      e.solicitSrc = pkt.src;
      e.queue.push(pkt);
      e.actor.send({ type: "USE" });
      return;
    }
    if (st === "STALE") e.actor.send({ type: "USE" });
    this.ns.world.ipv4.transmit(dev, e.lladdr!, pkt);
  }

  /** ARP input told us sender's address (arp_process). */
  learn(dev: NetDevice, ip: Ip4, mac: Mac, isReplyToUs: boolean): void {
    const e = this.get(dev, ip);
    if (!e) {
      // neigh_event_ns: a request for us creates a STALE entry for its sender; an unsolicited
      // reply without an entry is ignored (arp_accept=0).
      if (!isReplyToUs) this.create(dev, ip, "stale", mac);
      return;
    }
    const changed = e.lladdr !== undefined && e.lladdr !== mac;
    e.lladdr = mac;
    e.actor.send(isReplyToUs ? { type: "CONFIRM" } : { type: "HEARD", changed });
    if (this.state(e) !== "INCOMPLETE" && e.queue.length > 0) this.release(e);
  }

  flush(filter: (e: NeighEntry) => boolean): number {
    let n = 0;
    for (const [k, e] of this.entries) {
      if (!filter(e)) continue;
      e.actor.stop();
      this.entries.delete(k);
      n++;
    }
    return n;
  }

  flushDev(dev: NetDevice): void {
    this.flush((e) => e.dev === dev);
  }

  private solicit(e: NeighEntry, unicast: boolean): void {
    const dev = e.dev;
    const src = this.ns.world.ipv4.arpSolicitSource(dev, e.solicitSrc, e.ip);
    this.ns.world.scheduler.at(0, `arp request ${formatIp4(e.ip)}`, () => {
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
    });
  }

  private release(e: NeighEntry): void {
    const q = e.queue;
    e.queue = [];
    for (const pkt of q) this.ns.world.ipv4.transmit(e.dev, e.lladdr!, pkt);
  }

  private fail(e: NeighEntry): void {
    const q = e.queue;
    e.queue = [];
    // arp_error_report -> icmp_send(ICMP_DEST_UNREACH, ICMP_HOST_UNREACH) for each queued packet.
    for (const pkt of q) this.ns.world.ipv4.hostUnreachable(this.ns, e.dev, pkt);
  }
}
