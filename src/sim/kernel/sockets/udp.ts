// UDP sockets of one namespace (net/ipv4/udp.c, datagram.c): bound and connected
// sockets, delivery by best match (compute_score), ICMP port unreachable for a datagram
// no socket takes, and ICMP errors about our datagrams (__udp4_lib_err), which a
// connected socket keeps as a pending error for its next send.
import type { NetDevice } from "../core/device.js";
import { KernelError, type Errno } from "../core/errors.js";
import type { Ip4 } from "../core/ip4.js";
import type { NetNs } from "../core/netns.js";
import type { DnsMessage, IcmpError, Ipv4Packet, Udp } from "../core/packet.js";
import { Vxlan } from "../drivers/vxlan.js";
import { ephemeralPort, icmpErrno, routeConnect, transmit, type SockOwner } from "./inet.js";

declare module "../core/netns.js" {
  interface NetNs {
    readonly udp: UdpTable;
  }
}

export class UdpSock {
  laddr: Ip4 = 0;
  lport = 0;
  /** The connected peer (0 / 0 while unconnected). */
  raddr: Ip4 = 0;
  rport = 0;
  /** sk_err: reported (and cleared) by the next send or receive. */
  err: Errno | undefined;
  /** A datagram for this socket (the process wakes up: a scheduler event). */
  onDatagram: ((pkt: Ipv4Packet, udp: Udp) => void) | undefined;
  /** sk_err was just set: a reader blocked on the socket wakes up (sk_error_report). */
  onError: ((errno: Errno) => void) | undefined;
  /** IP_RECVERR: every ICMP error about its datagrams is reported, soft ones too. */
  recvErr = false;
  closed = false;
  /** The process holding it (ss -p). */
  owner?: SockOwner;

  get connected(): boolean {
    return this.rport !== 0;
  }
}

export class UdpTable {
  private socks: UdpSock[] = [];

  constructor(readonly ns: NetNs) {}

  list(): UdpSock[] {
    return [...this.socks];
  }

  private portInUse(port: number): boolean {
    return this.socks.some((s) => s.lport === port);
  }

  /**
   * socket() and bind(). nc's listeners set SO_REUSEADDR and SO_REUSEPORT, so they may
   * share a port; the address must be ours (EADDRNOTAVAIL). Port 0: an ephemeral port.
   */
  bind(addr: Ip4, port: number): UdpSock {
    const ns = this.ns;
    if (addr !== 0 && ns.sysctl.get("net.ipv4.ip_nonlocal_bind") !== "1") {
      const r = ns.fib.tableLookup(255, { dst: addr });
      if (r?.type !== "local" && r?.type !== "broadcast" && addr >>> 28 !== 0xe)
        throw new KernelError("EADDRNOTAVAIL");
    }
    const s = new UdpSock();
    s.laddr = addr;
    s.lport = port === 0 ? ephemeralPort(ns, (p) => this.portInUse(p), "any") : port;
    this.socks.push(s);
    return s;
  }

  /** An unbound socket (socket() alone): it gets a port on connect. */
  socket(): UdpSock {
    const s = new UdpSock();
    this.socks.push(s);
    return s;
  }

  /**
   * ip4_datagram_connect: the route decides the source address (kept as the bound
   * address if there was none) and an unbound socket gets an ephemeral port.
   */
  connect(s: UdpSock, dst: Ip4, dport: number): void {
    const { rt, dst: daddr } = routeConnect(this.ns, dst, "udp");
    if (s.lport === 0) s.lport = ephemeralPort(this.ns, (p) => this.portInUse(p), "any");
    if (s.laddr === 0) s.laddr = rt.src;
    s.raddr = daddr;
    s.rport = dport;
  }

  /**
   * send() of `len` bytes on a connected socket: a pending error is returned (and
   * cleared) first (sock_alloc_send_pskb); then the datagram is routed and sent.
   */
  send(s: UdpSock, len: number, dns?: DnsMessage): Errno | undefined {
    if (s.err !== undefined) {
      const e = s.err;
      s.err = undefined;
      return e;
    }
    return this.sendTo(s, s.raddr, s.rport, len, dns);
  }

  /** sendto() from the socket's address and port (a server answering on its bound socket). */
  sendTo(s: UdpSock, dst: Ip4, dport: number, len: number, dns?: DnsMessage): Errno | undefined {
    const ns = this.ns;
    const payload = dns ? { kind: "data" as const, len, dns } : { kind: "data" as const, len };
    const pkt: Ipv4Packet = {
      proto: "ipv4",
      src: s.laddr,
      dst,
      ttl: Number(ns.sysctl.get("net.ipv4.ip_default_ttl")),
      id: ns.ipId++,
      l4: { proto: "udp", sport: s.lport, dport, payload },
    };
    return transmit(ns, pkt);
  }

  close(s: UdpSock): void {
    s.closed = true;
    s.onDatagram = undefined;
    s.onError = undefined;
    this.socks = this.socks.filter((x) => x !== s);
  }

  shutdown(): void {
    for (const s of [...this.socks]) this.close(s);
  }

  /**
   * __udp4_lib_lookup / compute_score: every socket on the port that the datagram
   * matches (bound address, connected peer), best score first; the first one bound
   * wins a tie (a reuseport group picks by hash: one of them, either way).
   */
  private lookup(saddr: Ip4, sport: number, daddr: Ip4, dport: number): UdpSock | undefined {
    let best: UdpSock | undefined;
    let bestScore = -1;
    for (const s of this.socks) {
      if (s.lport !== dport) continue;
      let score = 2;
      if (s.laddr !== 0) {
        if (s.laddr !== daddr) continue;
        score += 4;
      }
      if (s.raddr !== 0) {
        if (s.raddr !== saddr) continue;
        score += 4;
      }
      if (s.rport !== 0) {
        if (s.rport !== sport) continue;
        score += 4;
      }
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }

  /** __udp4_lib_rcv: a datagram for this host (VXLAN's own are taken before this). */
  receive(dev: NetDevice, pkt: Ipv4Packet, udp: Udp): void {
    const ns = this.ns;
    const unicast = ns.world.ipv4.isLocalAddress(ns, pkt.dst);
    if (!unicast) {
      // __udp4_lib_mcast_deliver: broadcasts go to every matching socket, never an error.
      for (const s of this.socks) {
        if (s.lport === udp.dport && (s.laddr === 0 || s.laddr === pkt.dst) && !s.connected)
          this.deliver(s, pkt, udp);
      }
      return;
    }
    const s = this.lookup(pkt.src, udp.sport, pkt.dst, udp.dport);
    if (s) return this.deliver(s, pkt, udp);
    // A VXLAN device's own socket takes whatever comes to its port (vxlan_rcv drops junk).
    if (
      ns.deviceList().some((d) => d instanceof Vxlan && d.adminUp && d.params.dstport === udp.dport)
    )
      return;
    ns.world.ipv4.drop(ns, "no socket listening", pkt);
    // icmp_send(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), from the address the datagram was for.
    ns.world.ipv4.icmpError(ns, dev, pkt, 3, 3, pkt.dst);
  }

  private deliver(s: UdpSock, pkt: Ipv4Packet, udp: Udp): void {
    const fn = s.onDatagram;
    if (fn)
      this.ns.world.scheduler.at(0, `udp rx :${udp.dport} [${this.ns.displayName}]`, () =>
        fn(pkt, udp),
      );
  }

  /**
   * __udp4_lib_err: an ICMP error about one of our datagrams. Without IP_RECVERR only a
   * connected socket hears of it, and only of a hard error (port or protocol
   * unreachable, administratively prohibited...): network or host unreachable and time
   * exceeded are soft and vanish. With it, every error is reported.
   */
  icmpError(err: IcmpError): void {
    const orig = err.original;
    if (orig.l4.proto !== "udp") return;
    const udp = orig.l4;
    const s = this.lookup(orig.dst, udp.dport, orig.src, udp.sport);
    if (!s) return;
    const e = icmpErrno(err.type, err.code);
    if (!e || (!s.recvErr && (!e.fatal || !s.connected))) return;
    s.err = e.errno;
    const wake = s.onError;
    if (wake) this.ns.world.scheduler.at(0, "udp error report", () => wake(e.errno));
  }
}
