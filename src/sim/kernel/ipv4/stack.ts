// IPv4 input, forwarding and output, ARP and ICMP (net/ipv4/ip_input.c, ip_forward.c,
// ip_output.c, route.c, arp.c, icmp.c). Netfilter hooks will sit at the marked points.
import type { NetDevice } from "../core/device.js";
import { KernelError } from "../core/errors.js";
import {
  formatIp4,
  inPrefix,
  isLoopback,
  LIMITED_BROADCAST,
  network,
  type Ip4,
} from "../core/ip4.js";
import { BROADCAST_MAC, isMulticastMac, type Mac } from "../core/mac.js";
import type { NetNs } from "../core/netns.js";
import type { ArpPacket, Frame, IcmpError, Ipv4Packet } from "../core/packet.js";
import type { World } from "../core/world.js";
import { Loopback, loopbackCount } from "../drivers/loopback.js";
import { vxlanRcv } from "../drivers/vxlan.js";
import { exceedsMtu, fragmentFor, learnPmtu } from "./mtu.js";
import { nfAttachError, nfHook, type HookCtx, type NfDropReason } from "../netfilter/eval.js";
import { peekSkb, moveSkb } from "../netfilter/skb.js";
import type { HookName, Verdict } from "../netfilter/types.js";
import { routeLinkdown, type FibResult } from "./fib.js";

declare module "../core/world.js" {
  interface World {
    /** The IPv4 stack (one per machine; its state per namespace lives on NetNs). */
    readonly ipv4: Ipv4Stack;
  }
}

/** Why a packet was dropped: walks and exercises show it. */
export type DropReason =
  | "forwarding disabled on the input device"
  | "no route"
  | "ARP failed"
  | "neighbour entry flushed"
  | "neighbour cannot probe"
  | "TTL exceeded"
  | "DF set and longer than the MTU"
  | "not for this host"
  | "device down"
  | "no carrier"
  | "blackhole route"
  | "no socket listening"
  | NfDropReason;

export interface OutputRoute {
  res: FibResult;
  src: Ip4;
  dev: NetDevice;
  local: boolean;
}

export class Ipv4Stack {
  /** Drops seen, for walks and tests (the last few only). */
  drops: { time: number; ns: string; reason: DropReason; pkt: string }[] = [];

  constructor(private world: World) {}

  initNamespace(ns: NetNs): void {
    const lo = new Loopback(ns, ns.allocIndex(), "lo");
    ns.attach(lo);
  }

  destroyNamespace(ns: NetNs): void {
    for (const dev of ns.deviceList().reverse()) this.world.unregister(dev);
  }

  drop(ns: NetNs, reason: DropReason, pkt: Ipv4Packet, why?: string): void {
    this.world.trace.point(pkt, {
      kind: "drop",
      ns: ns.scriptName,
      reason,
      ...(why !== undefined ? { why } : {}),
    });
    this.drops.push({
      time: this.world.scheduler.now,
      ns: ns.displayName,
      reason,
      pkt: describe(pkt),
    });
    if (this.drops.length > 100) this.drops.shift();
  }

  isLocalAddress(ns: NetNs, a: Ip4): boolean {
    const r = ns.fib.tableLookup(255, { dst: a });
    return r?.type === "local";
  }

  /** inet_select_addr: a primary address of dev in dst's subnet, else dev's first, else any. */
  selectAddr(dev: NetDevice, dst: Ip4, scopeLimit: "link" | "host" | "global" = "global"): Ip4 {
    const rank = { global: 0, link: 253, host: 254 } as const;
    const ok = (s: "global" | "link" | "host"): boolean => rank[s] <= rank[scopeLimit];
    let addr: Ip4 | undefined;
    for (const a of dev.addrs4) {
      if (a.secondary || !ok(a.scope)) continue;
      if (dst === 0 || inPrefix(dst, network(a.addr, a.plen), a.plen)) {
        addr = a.addr;
        break;
      }
      addr ??= a.addr;
    }
    if (addr !== undefined) return addr;
    for (const d of dev.ns.deviceList()) {
      for (const a of d.addrs4) {
        if (!a.secondary && a.scope !== "host" && rank[a.scope] <= rank[scopeLimit]) return a.addr;
      }
    }
    return 0;
  }

  /** ip_route_output_key: route, output device and source for a locally generated packet. */
  routeOutput(ns: NetNs, dst: Ip4, opts: { src?: Ip4; oif?: NetDevice } = {}): OutputRoute {
    let res: FibResult;
    try {
      res = ns.fib.lookup({ dst, src: opts.src, oif: opts.oif });
    } catch (e) {
      // With an output device and no route, the kernel assumes the destination is on-link.
      if (opts.oif && e instanceof KernelError && e.errno === "ENETUNREACH") {
        const src = opts.src ?? this.selectAddr(opts.oif, dst, "link");
        return {
          res: {
            route: {
              table: 254,
              type: "unicast",
              dst,
              plen: 32,
              metric: 0,
              proto: "kernel",
              scope: "link",
              onlink: true,
              seq: -1,
              dev: opts.oif,
            },
            table: 254,
            type: "unicast",
            dev: opts.oif,
            gateway: dst,
          },
          src,
          dev: opts.oif,
          local: false,
        };
      }
      throw e;
    }
    if (res.type === "local") {
      const lo = ns.byName("lo")!;
      const src = opts.src ?? res.route.prefsrc ?? dst;
      return { res, src, dev: lo, local: true };
    }
    const dev = res.dev!;
    let src = opts.src ?? res.route.prefsrc;
    if (src === undefined) {
      src =
        res.route.gateway !== undefined
          ? this.selectAddr(dev, res.route.gateway, "link")
          : this.selectAddr(dev, 0, "host");
    }
    return { res, src, dev, local: false };
  }

  private traceRoute(
    ns: NetNs,
    pkt: Ipv4Packet,
    dir: "output",
    rt: OutputRoute,
    why = whyRoute(rt.res),
  ): void {
    if (!this.world.trace.enabled) return;
    this.world.trace.point(pkt, {
      kind: "route",
      ns: ns.scriptName,
      dir,
      ...routeFacts(rt.res),
      dev: rt.dev.name,
      src: formatIp4(rt.src),
      why,
    });
  }

  /**
   * A netfilter hook (nf_hook_slow); undefined when the packet was dropped (the reason
   * is recorded). Costs one property read in a namespace without netfilter state.
   */
  hook(ns: NetNs, hook: HookName, pkt: Ipv4Packet, ctx: HookCtx): Ipv4Packet | undefined {
    const r = nfHook(ns, hook, pkt, ctx);
    if (r.verdict.kind === "accept") return r.pkt;
    this.nfDrop(ns, r.verdict, r.pkt);
    return undefined;
  }

  nfDrop(ns: NetNs, v: Verdict, pkt: Ipv4Packet): void {
    if (v.kind === "drop" || v.kind === "reject") this.drop(ns, v.reason as DropReason, pkt);
  }

  /**
   * ip_local_out for a packet whose route was already chosen. Returns what netfilter's
   * OUTPUT hook decided: a sender sees a refusal (REJECT) as EPERM from sendmsg.
   */
  sendRouted(ns: NetNs, pkt0: Ipv4Packet, rt0: OutputRoute): Verdict {
    this.traceRoute(ns, pkt0, "output", rt0);
    // NF_INET_LOCAL_OUT; a changed destination (DNAT) is routed again (ip_route_me_harder).
    let rt = rt0;
    const out = nfHook(ns, "OUTPUT", pkt0, { out: rt.dev });
    if (out.verdict.kind !== "accept") {
      this.nfDrop(ns, out.verdict, out.pkt);
      return out.verdict;
    }
    const pkt = out.pkt;
    if (out.reroute) {
      try {
        const src = this.isLocalAddress(ns, pkt.src) ? pkt.src : undefined;
        rt = this.routeOutput(ns, pkt.dst, { src });
        this.traceRoute(ns, pkt, "output", rt, "the destination changed (DNAT): routed again");
      } catch {
        this.drop(ns, "no route", pkt);
        return out.verdict;
      }
    }
    // NF_INET_POST_ROUTING (ip_output).
    const post = nfHook(ns, "POSTROUTING", pkt, {
      out: rt.dev,
      nexthop: rt.res.gateway ?? pkt.dst,
    });
    if (post.verdict.kind !== "accept") {
      this.nfDrop(ns, post.verdict, post.pkt);
      return post.verdict;
    }
    const sent = post.pkt;
    const dev = rt.dev;
    if (rt.local) {
      this.world.scheduler.at(
        0,
        `lo ${describe(sent)}`,
        () => {
          if (!dev.adminUp) return this.drop(ns, "device down", sent);
          loopbackCount(dev, sent);
          this.ipRcv(dev, sent, true);
        },
        {
          kind: "loopback",
          payload: sent,
          fromNs: ns.scriptName,
          from: dev.name,
          toNs: ns.scriptName,
          to: dev.name,
        },
      );
      return post.verdict;
    }
    this.neighOutput(ns, dev, rt.res.gateway ?? sent.dst, sent);
    return post.verdict;
  }

  private neighOutput(ns: NetNs, dev: NetDevice, nexthop: Ip4, pkt: Ipv4Packet): void {
    if (!dev.adminUp) return this.drop(ns, "device down", pkt);
    if (pkt.dst === LIMITED_BROADCAST || this.isBroadcastOn(dev, pkt.dst)) {
      this.world.trace.point(pkt, {
        kind: "neigh",
        ns: ns.scriptName,
        dev: dev.name,
        nexthop: formatIp4(nexthop),
        state: "broadcast",
        action: "send",
        mac: BROADCAST_MAC,
      });
      this.transmit(dev, BROADCAST_MAC, pkt);
      return;
    }
    ns.neigh.output(dev, nexthop, pkt);
  }

  private isBroadcastOn(dev: NetDevice, a: Ip4): boolean {
    const r = dev.ns.fib.tableLookup(255, { dst: a });
    return r?.type === "broadcast";
  }

  /** Frames the packet and hands it to the device (dev_queue_xmit). */
  transmit(dev: NetDevice, dstMac: Mac, pkt: Ipv4Packet): void {
    dev.xmit({ src: dev.mac, dst: dstMac, payload: fragmentFor(this.world, dev, pkt) });
  }

  /** The source address for an ARP request (arp_solicit with arp_announce=0). */
  arpSolicitSource(dev: NetDevice, queuedSrc: Ip4 | undefined, target: Ip4): Ip4 {
    if (queuedSrc !== undefined && this.isLocalAddress(dev.ns, queuedSrc)) return queuedSrc;
    return this.selectAddr(dev, target, "link");
  }

  /** netif_receive_skb for the protocols the stack handles. */
  receive(dev: NetDevice, frame: Frame): void {
    const forUs = frame.dst === dev.mac || isMulticastMac(frame.dst);
    const p = frame.payload;
    if (p.proto === "arp") return this.arpRcv(dev, p, forUs);
    if (p.proto === "ipv4") {
      if (!forUs) return; // PACKET_OTHERHOST: ip_rcv drops it
      this.ipRcv(dev, p, false);
    }
  }

  private arpRcv(dev: NetDevice, arp: ArpPacket, forUs: boolean): void {
    const ns = dev.ns;
    if (!dev.adminUp || (dev.addrs4.length === 0 && !this.anyAddress(ns))) return;
    const targetLocal = this.isLocalAddress(ns, arp.targetIp);
    this.world.trace.point(arp, {
      kind: "local",
      ns: ns.scriptName,
      dev: dev.name,
      to:
        arp.op === "request"
          ? targetLocal
            ? `ARP (arp_process): ${formatIp4(arp.targetIp)} is ours: learn the sender, answer`
            : `ARP (arp_process): ${formatIp4(arp.targetIp)} is not ours: no answer`
          : `ARP (arp_process): ${formatIp4(arp.senderIp)} is at ${arp.senderMac}`,
      ignored: arp.op === "request" && !targetLocal,
    });
    if (arp.op === "request") {
      if (targetLocal) {
        // arp_process: learn the sender (STALE), answer from the device it came in on.
        ns.neigh.learn(dev, arp.senderIp, arp.senderMac, false);
        this.world.scheduler.at(
          0,
          `arp reply ${formatIp4(arp.targetIp)}`,
          () =>
            dev.xmit({
              src: dev.mac,
              dst: arp.senderMac,
              payload: {
                proto: "arp",
                op: "reply",
                senderMac: dev.mac,
                senderIp: arp.targetIp,
                targetMac: arp.senderMac,
                targetIp: arp.senderIp,
              },
            }),
          // The reply is made while the request is in hand: the walk links them.
          { kind: "because", payload: arp },
        );
      } else if (ns.neigh.get(dev, arp.senderIp)) {
        ns.neigh.learn(dev, arp.senderIp, arp.senderMac, false, false, !isGarp(arp));
      }
      return;
    }
    if (forUs || ns.neigh.get(dev, arp.senderIp)) {
      const toUs = forUs && arp.targetMac === dev.mac;
      ns.neigh.learn(dev, arp.senderIp, arp.senderMac, toUs, !toUs, !isGarp(arp));
    }
  }

  private anyAddress(ns: NetNs): boolean {
    return ns.deviceList().some((d) => d.addrs4.length > 0);
  }

  /** ip_rcv and the input route decision (ip_route_input_slow). */
  ipRcv(dev: NetDevice, pkt0: Ipv4Packet, fromLocal: boolean): void {
    const ns = dev.ns;
    // NF_INET_PRE_ROUTING (raw, conntrack, mangle, nat), before the route decision. A
    // bridged packet already went through it on the bridge (ip_sabotage_in skips it).
    let pkt: Ipv4Packet = pkt0;
    if (ns.netfilter && !peekSkb(pkt0, ns)?.brPrerouted) {
      const p = this.hook(ns, "PREROUTING", pkt0, { in: dev });
      if (!p) return;
      pkt = p;
    }
    if (
      this.isLocalAddress(ns, pkt.dst) ||
      pkt.dst === LIMITED_BROADCAST ||
      this.isBroadcastOn(dev, pkt.dst)
    ) {
      this.world.trace.point(pkt, {
        kind: "route",
        ns: ns.scriptName,
        dir: "input",
        route: `${this.isLocalAddress(ns, pkt.dst) ? "local" : "broadcast"} ${formatIp4(pkt.dst)}`,
        table: "local",
        dev: dev.name,
        why: `${formatIp4(pkt.dst)} is ${this.isLocalAddress(ns, pkt.dst) ? "an address of this namespace" : "a broadcast address here"}: deliver locally`,
      });
      // NF_INET_LOCAL_IN (ip_local_deliver).
      const p = this.hook(ns, "INPUT", pkt, { in: dev });
      if (!p) return;
      this.localDeliver(ns, dev, p);
      return;
    }
    if (fromLocal) return;
    if (isLoopback(pkt.src) || isLoopback(pkt.dst)) return; // martians (route_localnet=0)
    this.forward(ns, dev, pkt);
  }

  private forward(ns: NetNs, inDev: NetDevice, pkt: Ipv4Packet): void {
    let res: FibResult;
    try {
      res = ns.fib.lookup({ dst: pkt.dst, src: pkt.src, iif: inDev });
    } catch (e) {
      // ip_error: silent unless the input device forwards; then an ICMP unreachable.
      if (!ns.forwarding(inDev))
        return this.drop(ns, "forwarding disabled on the input device", pkt);
      const errno = e instanceof KernelError ? e.errno : "ENETUNREACH";
      if (errno === "EINVAL") return this.drop(ns, "blackhole route", pkt);
      const code = errno === "EHOSTUNREACH" ? 1 : errno === "EACCES" ? 13 : 0;
      this.drop(ns, "no route", pkt);
      // ip_error has its own token bucket on the sender's inet_peer (ip_rt_error_cost).
      if (!this.peerAllow(ns, pkt.src, 1000, 5000)) return;
      this.icmpError(ns, inDev, pkt, 3, code);
      return;
    }
    if (!ns.forwarding(inDev)) return this.drop(ns, "forwarding disabled on the input device", pkt);
    // ip_forward: TTL check before the FORWARD hook.
    if (pkt.ttl <= 1) {
      this.drop(ns, "TTL exceeded", pkt);
      this.icmpError(ns, inDev, pkt, 11, 0);
      return;
    }
    // ip_forward: a DF datagram longer than the next hop's MTU goes back as an ICMP
    // "fragmentation needed" carrying that MTU (ip_exceeds_mtu, before the FORWARD hook).
    if (exceedsMtu(pkt, res.dev!.mtu)) {
      const out = res.dev!;
      this.drop(
        ns,
        "DF set and longer than the MTU",
        pkt,
        `${out.name}, the way out, has MTU ${out.mtu}`,
      );
      this.icmpError(ns, inDev, pkt, 3, 4, undefined, res.dev!.mtu);
      return;
    }
    this.world.trace.point(pkt, {
      kind: "route",
      ns: ns.scriptName,
      dir: "forward",
      ...routeFacts(res),
      why: `not for this namespace; forwarding on: ${whyRoute(res)}`,
    });
    const dec: Ipv4Packet = { ...pkt, ttl: pkt.ttl - 1 };
    this.world.trace.carry(pkt, dec);
    this.world.trace.point(dec, { kind: "ttl", ns: ns.scriptName, from: pkt.ttl, to: dec.ttl });
    if (ns.netfilter) moveSkb(pkt, dec);
    // NF_INET_FORWARD (ip_forward), then NF_INET_POST_ROUTING (ip_output).
    const outDev = res.dev!;
    const fwd = this.hook(ns, "FORWARD", dec, { in: inDev, out: outDev });
    if (!fwd) return;
    const nexthop = res.gateway ?? pkt.dst;
    const post = this.hook(ns, "POSTROUTING", fwd, { out: outDev, nexthop });
    if (!post) return;
    this.neighOutput(ns, outDev, nexthop, post);
  }

  private localDeliver(ns: NetNs, dev: NetDevice, pkt: Ipv4Packet): void {
    const l4 = pkt.l4;
    this.world.trace.point(pkt, {
      kind: "local",
      ns: ns.scriptName,
      dev: dev.name,
      to: localTarget(pkt),
    });
    if (l4.proto === "icmp") {
      if (l4.type === 8) {
        if (ns.sysctl.get("net.ipv4.icmp_echo_ignore_all") === "1") return;
        if (!this.isLocalAddress(ns, pkt.dst)) return; // broadcast echo ignored by default
        const reply: Ipv4Packet = {
          proto: "ipv4",
          src: pkt.dst,
          dst: pkt.src,
          ttl: Number(ns.sysctl.get("net.ipv4.ip_default_ttl")),
          id: ns.ipId++,
          l4: { ...l4, type: 0 },
        };
        this.replyOut(ns, reply, pkt);
        return;
      }
      // icmp_unreach: the error also goes to the protocol of the datagram it quotes
      // (tcp_v4_err, __udp4_lib_err); raw sockets (ping) see every ICMP message.
      if (l4.type === 3 || l4.type === 11) {
        // icmp_unreach, ICMP_FRAG_NEEDED: ipv4_update_pmtu for the quoted destination.
        if (l4.type === 3 && l4.code === 4 && l4.mtu !== undefined)
          learnPmtu(this.world, ns, l4.original.dst, l4.mtu);
        const inner = l4.original.l4.proto;
        if (inner === "tcp") ns.tcp.icmpError(l4);
        else if (inner === "udp") ns.udp.icmpError(l4);
      }
      ns.pingSockets.deliver(pkt);
      return;
    }
    if (l4.proto === "udp" && l4.payload.kind === "vxlan") {
      vxlanRcv(ns, pkt, l4);
      return;
    }
    if (l4.proto === "tcp") return ns.tcp.receive(dev, pkt, l4);
    if (l4.proto === "udp") return ns.udp.receive(dev, pkt, l4);
  }

  private replyOut(ns: NetNs, reply: Ipv4Packet, _orig: Ipv4Packet): void {
    let rt: OutputRoute;
    try {
      rt = this.routeOutput(ns, reply.dst, { src: reply.src });
    } catch {
      return this.drop(ns, "no route", reply);
    }
    this.sendRouted(ns, reply, rt);
  }

  /** icmp_send: an error about pkt, from the address the route back to its sender picks. */
  icmpError(
    ns: NetNs,
    _inDev: NetDevice | undefined,
    pkt: Ipv4Packet,
    type: 3 | 11,
    code: number,
    /** The source when the packet was for one of our addresses (icmp_send, RTCF_LOCAL). */
    src?: Ip4,
    /** The next-hop MTU a "fragmentation needed" reports. */
    mtu?: number,
  ): void {
    if (pkt.l4.proto === "icmp" && (pkt.l4.type === 3 || pkt.l4.type === 11)) return; // never about errors
    let rt: OutputRoute;
    try {
      rt = this.routeOutput(ns, pkt.src, { src });
    } catch {
      return;
    }
    // icmpv4_xrlim_allow: errors in icmp_ratemask are rate limited per destination host,
    // except towards ourselves.
    const mask = Number(ns.sysctl.get("net.ipv4.icmp_ratemask") ?? "6168");
    const limit = Number(ns.sysctl.get("net.ipv4.icmp_ratelimit") ?? "1000");
    if (
      !rt.local &&
      mask & (1 << type) &&
      limit > 0 &&
      !this.peerAllow(ns, pkt.src, limit, 6 * limit)
    )
      return;
    const err: IcmpError =
      mtu === undefined
        ? { proto: "icmp", type, code, original: pkt }
        : { proto: "icmp", type, code, original: pkt, mtu };
    const out: Ipv4Packet = {
      proto: "ipv4",
      src: rt.src,
      dst: pkt.src,
      ttl: 64,
      id: ns.ipId++,
      l4: err,
    };
    // icmp_glue_bits: the error belongs to the connection of the datagram it is about.
    nfAttachError(ns, pkt, out);
    this.sendRouted(ns, out, rt);
  }

  /**
   * inet_peer_xrlim_allow: a token bucket per remote host, shared by ip_error and
   * icmp_send. A new peer's bucket starts full (rate_last = 0, long ago).
   */
  peerAllow(ns: NetNs, addr: Ip4, cost: number, burst: number): boolean {
    const now = this.world.scheduler.now;
    let peer = ns.inetPeers.get(addr);
    if (!peer) {
      peer = { tokens: Number.MAX_SAFE_INTEGER, last: now };
      ns.inetPeers.set(addr, peer);
    }
    let tokens = Math.min(peer.tokens + (now - peer.last), burst);
    peer.last = now;
    const ok = tokens >= cost;
    if (ok) tokens -= cost;
    peer.tokens = tokens;
    return ok;
  }

  /** Neighbour resolution failed for a queued packet (arp_error_report). */
  hostUnreachable(ns: NetNs, dev: NetDevice, pkt: Ipv4Packet): void {
    this.drop(ns, "ARP failed", pkt);
    this.icmpError(ns, dev, pkt, 3, 1);
  }
}

export function describe(p: Ipv4Packet): string {
  const l4 = p.l4;
  const what =
    l4.proto === "icmp"
      ? l4.type === 8
        ? `ICMP echo request seq ${"seq" in l4 ? l4.seq : ""}`
        : l4.type === 0
          ? `ICMP echo reply seq ${"seq" in l4 ? l4.seq : ""}`
          : `ICMP type ${l4.type} code ${l4.code}`
      : l4.proto === "udp"
        ? `UDP ${l4.sport} > ${l4.dport}`
        : `TCP ${l4.sport} > ${l4.dport}`;
  return `${formatIp4(p.src)} > ${formatIp4(p.dst)} ttl ${p.ttl} ${what}`;
}

/** The route that won, as `ip route` would show it, and its table. */
function routeFacts(res: FibResult): {
  route: string;
  table: string;
  dev?: string;
  gateway?: string;
  flags?: string[];
} {
  const r = res.route;
  const dst =
    r.plen === 0 ? "default" : r.plen === 32 ? formatIp4(r.dst) : `${formatIp4(r.dst)}/${r.plen}`;
  const words = [r.type === "unicast" ? "" : r.type, dst];
  if (r.gateway !== undefined) words.push("via", formatIp4(r.gateway));
  if (r.dev) words.push("dev", r.dev.name);
  if (r.prefsrc !== undefined) words.push("src", formatIp4(r.prefsrc));
  return {
    route: words.filter((w) => w !== "").join(" "),
    table: TABLE_NAMES[res.table] ?? String(res.table),
    dev: res.dev?.name,
    // The route's own gateway: an on-link route has none (res.gateway is the next hop,
    // the destination itself there).
    gateway: r.gateway !== undefined && r.gateway !== 0 ? formatIp4(r.gateway) : undefined,
    // RTNH_F_LINKDOWN, as `ip route` prints it: the device has no carrier.
    ...(routeLinkdown(r) ? { flags: ["linkdown"] } : {}),
  };
}

const TABLE_NAMES: Record<number, string> = { 253: "default", 254: "main", 255: "local" };

/** Why fib_table_lookup chose this route: the longest prefix that matches wins. */
function whyRoute(res: FibResult): string {
  const r = res.route;
  const table = TABLE_NAMES[res.table] ?? String(res.table);
  if (r.type === "local") return `the destination is an address of this namespace (table ${table})`;
  const prefix = r.plen === 0 ? "the default route" : `/${r.plen} is the longest matching prefix`;
  const hop =
    r.gateway !== undefined ? `next hop ${formatIp4(r.gateway)}` : "the destination is on-link";
  return `${prefix} in table ${table}; ${hop}`;
}

/** Who takes a packet delivered to this namespace (ip_local_deliver_finish). */
function localTarget(p: Ipv4Packet): string {
  const l4 = p.l4;
  if (l4.proto === "icmp") {
    if (l4.type === 8) return "the ICMP echo responder (icmp_echo)";
    if (l4.type === 0) return "ping sockets (icmp_rcv)";
    return "the sockets the ICMP error is about";
  }
  if (l4.proto === "tcp") return `TCP port ${l4.dport}`;
  return l4.payload.kind === "vxlan"
    ? `the VXLAN socket on port ${l4.dport}`
    : `UDP port ${l4.dport}`;
}

/** arp_is_garp: a gratuitous ARP (sender and target address the same) overrides locktime. */
function isGarp(arp: ArpPacket): boolean {
  if (arp.senderIp !== arp.targetIp) return false;
  return arp.op !== "reply" || arp.targetMac === arp.senderMac;
}
