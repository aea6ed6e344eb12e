// TCP sockets of one namespace (net/ipv4/tcp_ipv4.c, inet_hashtables.c,
// inet_connection_sock.c): listeners, connections by their four-tuple, segments in and
// out, resets for segments no socket wants (tcp_v4_send_reset) and ICMP errors about
// our segments (tcp_v4_err). Each socket's state is a tcpMachine actor; this table checks
// sequence numbers and flags, turns segments into the machine's events, and turns what
// the machine emits into segments and into wake-ups of the owning process.
import { createActor, type Actor } from "xstate";
import { tcpMachine, type TcpState } from "../../engine/machines/tcp.js";
import type { NetDevice } from "../core/device.js";
import { KernelError, type Errno } from "../core/errors.js";
import { formatIp4, type Ip4 } from "../core/ip4.js";
import type { NetNs } from "../core/netns.js";
import type { IcmpError, Ipv4Packet, Tcp } from "../core/packet.js";
import { ephemeralPort, icmpErrno, routeConnect, transmit, type SockOwner } from "./inet.js";

declare module "../core/netns.js" {
  interface NetNs {
    readonly tcp: TcpTable;
  }
}

type Flags = Tcp["flags"];

/** What the owning process is told (it runs after the softirq: each call is a scheduler event). */
export interface TcpApp {
  /** connect() completed, or (for a listener's child) nothing: use TcpListener.onConnection. */
  onEstablished?(): void;
  /** read() returns 0: the peer sent its FIN. */
  onEof?(): void;
  /** The connection failed or was reset (sk_err). */
  onError?(errno: Errno): void;
}

export class TcpSock {
  readonly actor: Actor<typeof tcpMachine>;
  /** Initial send and receive sequence numbers, next to send, next expected. */
  iss: number;
  irs = 0;
  sndNxt: number;
  rcvNxt = 0;
  /** Sequence number of our FIN, once sent. */
  finSeq: number | undefined;
  /** The listener whose accept queue holds this child (until accept()). */
  parent: TcpListener | undefined;
  app: TcpApp = {};
  /** The peer's FIN (or a reset) arrived: a read now returns at once. */
  peerClosed = false;
  /** sk_err, once the connection failed or was reset. */
  error: Errno | undefined;
  /** tp->last_oow_ack_time: when the last challenge ACK went out (virtual ms). */
  lastOowAckMs: number | undefined;
  /** sk_err_soft: an ICMP error noted on a synchronized connection; SO_ERROR reports it. */
  errSoft?: Errno;
  /** The process holding it (ss -p), once accepted or connected by one. */
  owner?: SockOwner;

  constructor(
    readonly table: TcpTable,
    readonly laddr: Ip4,
    readonly lport: number,
    readonly raddr: Ip4,
    readonly rport: number,
    initial: "SYN_SENT" | "SYN_RECV",
  ) {
    const ns = table.ns;
    this.iss = ns.world.rng.u32();
    this.sndNxt = (this.iss + 1) >>> 0;
    this.actor = createActor(tcpMachine, {
      clock: ns.world.scheduler,
      inspect: ns.world.trace.inspector({
        ns: ns.scriptName,
        kind: "tcp",
        key: `${formatIp4(laddr)}:${lport} > ${formatIp4(raddr)}:${rport}`,
      }),
      input: {
        initial,
        synRetries: Number(
          ns.sysctl.get(
            initial === "SYN_SENT" ? "net.ipv4.tcp_syn_retries" : "net.ipv4.tcp_synack_retries",
          ),
        ),
        linearTimeouts: Number(ns.sysctl.get("net.ipv4.tcp_syn_linear_timeouts") ?? "4"),
        finTimeoutMs: Number(ns.sysctl.get("net.ipv4.tcp_fin_timeout") ?? "60") * 1000,
      },
    });
  }

  state(): TcpState {
    const v = this.actor.getSnapshot().value;
    return (v === "init" ? "CLOSED" : v) as TcpState;
  }

  get key(): string {
    return connKey(this.laddr, this.lport, this.raddr, this.rport);
  }
}

export class TcpListener {
  /** Children that completed the handshake and wait for accept(). */
  readonly queue: TcpSock[] = [];
  /** Children still in SYN_RECV (request sockets). */
  readonly pending = new Set<TcpSock>();
  /** A child joined the accept queue (the process's accept() wakes up). */
  onConnection: (() => void) | undefined;
  closed = false;
  /** The process holding it (ss -p). */
  owner?: SockOwner;

  constructor(
    readonly table: TcpTable,
    readonly addr: Ip4,
    readonly port: number,
    /** listen()'s backlog: sk_acceptq_is_full when more than this many wait. */
    readonly backlog: number,
  ) {}
}

function connKey(laddr: Ip4, lport: number, raddr: Ip4, rport: number): string {
  return `${laddr}:${lport}>${raddr}:${rport}`;
}

/** after()/before() of sequence numbers, modulo 2^32. */
function seqDiff(a: number, b: number): number {
  return ((a - b) | 0) as number;
}

export class TcpTable {
  private socks = new Map<string, TcpSock>();
  private listeners: TcpListener[] = [];

  constructor(readonly ns: NetNs) {}

  /** Sockets as `ss -tan` would list them: listeners first, then connections. */
  list(): { state: TcpState; laddr: Ip4; lport: number; raddr: Ip4; rport: number }[] {
    return this.diag().map(({ state, laddr, lport, raddr, rport }) => ({
      state,
      laddr,
      lport,
      raddr,
      rport,
    }));
  }

  /**
   * What inet_diag dumps for `ss -t`: listeners (accept queue length and backlog as the
   * queues), then the other sockets, with the process holding each, if any.
   */
  diag(): {
    state: TcpState;
    laddr: Ip4;
    lport: number;
    raddr: Ip4;
    rport: number;
    recvQ: number;
    sendQ: number;
    owner: SockOwner | undefined;
  }[] {
    return [
      ...this.listeners.map((l) => ({
        state: "LISTEN" as const,
        laddr: l.addr,
        lport: l.port,
        raddr: 0,
        rport: 0,
        recvQ: l.queue.length,
        sendQ: l.backlog,
        owner: l.owner,
      })),
      ...[...this.socks.values()].map((s) => ({
        state: s.state(),
        laddr: s.laddr,
        lport: s.lport,
        raddr: s.raddr,
        rport: s.rport,
        recvQ: 0,
        sendQ: 0,
        owner: s.owner,
      })),
    ];
  }

  private portInUse(port: number): boolean {
    if (this.listeners.some((l) => l.port === port)) return true;
    for (const s of this.socks.values()) if (s.lport === port) return true;
    return false;
  }

  /**
   * bind() and listen(). nc sets SO_REUSEADDR and SO_REUSEPORT, so listeners may share a
   * port; an address must be one of ours (inet_bind: EADDRNOTAVAIL) unless
   * ip_nonlocal_bind is set. Port 0 binds an ephemeral port (bind() prefers odd ones).
   */
  listen(addr: Ip4, port: number, backlog: number): TcpListener {
    const ns = this.ns;
    if (addr !== 0 && !this.bindable(addr)) throw new KernelError("EADDRNOTAVAIL");
    const p = port === 0 ? ephemeralPort(ns, (x) => this.portInUse(x), "odd") : port;
    const l = new TcpListener(this, addr, p, backlog);
    this.listeners.push(l);
    return l;
  }

  private bindable(addr: Ip4): boolean {
    const ns = this.ns;
    if (ns.sysctl.get("net.ipv4.ip_nonlocal_bind") === "1") return true;
    const r = ns.fib.tableLookup(255, { dst: addr });
    return r?.type === "local" || r?.type === "broadcast" || addr >>> 28 === 0xe;
  }

  /** accept(): the oldest child in the queue, if any. */
  accept(l: TcpListener): TcpSock | undefined {
    const s = l.queue.shift();
    if (s) s.parent = undefined;
    return s;
  }

  /**
   * close() of a listening socket (inet_csk_listen_stop): children still in the accept
   * queue are reset (tcp_disconnect), request sockets just go.
   */
  closeListener(l: TcpListener): void {
    if (l.closed) return;
    l.closed = true;
    this.listeners = this.listeners.filter((x) => x !== l);
    for (const s of l.pending) this.kill(s);
    l.pending.clear();
    for (const s of l.queue.splice(0)) {
      this.sendSegment(s, { rst: true, ack: true }, s.sndNxt, s.rcvNxt);
      this.kill(s);
    }
  }

  /**
   * connect() (tcp_v4_connect): route, source address and an ephemeral port, then the
   * SYN. Routing errors are connect()'s own errno; everything later reaches app.
   */
  connect(dst: Ip4, dport: number, app: TcpApp): TcpSock {
    const { rt, dst: daddr } = routeConnect(this.ns, dst, "tcp");
    const lport = ephemeralPort(this.ns, (x) => this.portInUse(x), "even");
    const s = new TcpSock(this, rt.src, lport, daddr, dport, "SYN_SENT");
    s.app = app;
    this.attach(s);
    s.actor.start();
    return s;
  }

  /** close() (tcp_close): the machine decides between nothing, a FIN and going away. */
  close(s: TcpSock): void {
    s.app = {};
    if (s.parent) {
      s.parent.queue.splice(s.parent.queue.indexOf(s), 1);
      s.parent = undefined;
    }
    if (this.socks.get(s.key) === s) s.actor.send({ type: "CLOSE" });
  }

  /** The namespace is going away: every socket goes with it, without a word. */
  shutdown(): void {
    for (const s of [...this.socks.values()]) this.kill(s);
    this.listeners = [];
  }

  private kill(s: TcpSock): void {
    if (this.socks.get(s.key) === s) this.socks.delete(s.key);
    s.actor.stop();
  }

  private attach(s: TcpSock): void {
    this.socks.set(s.key, s);
    const wake = (label: string, fn: (() => void) | undefined): void => {
      if (fn) this.ns.world.scheduler.at(0, `${label} [${this.ns.displayName}]`, fn);
    };
    s.actor.on("send", ({ what }) => this.emitSegment(s, what));
    s.actor.on("established", () => {
      const l = s.parent;
      if (l) {
        l.pending.delete(s);
        l.queue.push(s);
        wake(`accept ${formatIp4(s.laddr)}:${s.lport}`, l.onConnection);
      } else wake(`connected ${formatIp4(s.raddr)}:${s.rport}`, s.app.onEstablished);
    });
    s.actor.on("eof", () => {
      s.peerClosed = true;
      const fn = s.app.onEof;
      const world = this.ns.world;
      if (fn)
        world.scheduler.at(
          world.eofWakeupDelayMs,
          `eof ${formatIp4(s.raddr)}:${s.rport} [${this.ns.displayName}]`,
          fn,
        );
    });
    s.actor.on("error", ({ errno }) => {
      s.peerClosed = true;
      s.error = errno;
      const fn = s.app.onError;
      wake(`tcp error ${errno}`, fn && (() => fn(errno)));
    });
    s.actor.on("closed", () => {
      if (this.socks.get(s.key) === s) this.socks.delete(s.key);
      const l = s.parent;
      if (l) {
        l.pending.delete(s);
        const i = l.queue.indexOf(s);
        if (i >= 0) l.queue.splice(i, 1);
      }
    });
  }

  private emitSegment(s: TcpSock, what: "syn" | "synack" | "ack" | "fin"): void {
    switch (what) {
      case "syn":
        return this.sendSegment(s, { syn: true }, s.iss, 0);
      case "synack":
        return this.sendSegment(s, { syn: true, ack: true }, s.iss, s.rcvNxt);
      case "ack":
        return this.sendSegment(s, { ack: true }, s.sndNxt, s.rcvNxt);
      case "fin":
        if (s.finSeq === undefined) {
          s.finSeq = s.sndNxt;
          s.sndNxt = (s.sndNxt + 1) >>> 0;
        }
        return this.sendSegment(s, { fin: true, ack: true }, s.finSeq, s.rcvNxt);
    }
  }

  private sendSegment(s: TcpSock, flags: Flags, seq: number, ack: number): void {
    this.output(s.laddr, s.raddr, {
      proto: "tcp",
      sport: s.lport,
      dport: s.rport,
      flags,
      seq,
      ack,
      len: 0,
    });
  }

  private output(src: Ip4, dst: Ip4, seg: Tcp): void {
    const ns = this.ns;
    const pkt: Ipv4Packet = {
      proto: "ipv4",
      src,
      dst,
      ttl: Number(ns.sysctl.get("net.ipv4.ip_default_ttl")),
      id: ns.ipId++,
      l4: seg,
    };
    transmit(ns, pkt);
  }

  /**
   * tcp_v4_send_reset: the answer to a segment no socket takes. A reset is never
   * answered; one to a segment with ACK carries that number as its own sequence,
   * otherwise it acknowledges the segment (RST|ACK, sequence 0).
   */
  private sendReset(pkt: Ipv4Packet, seg: Tcp): void {
    if (seg.flags.rst) return;
    const reply: Tcp = seg.flags.ack
      ? {
          proto: "tcp",
          sport: seg.dport,
          dport: seg.sport,
          flags: { rst: true },
          seq: seg.ack,
          ack: 0,
          len: 0,
        }
      : {
          proto: "tcp",
          sport: seg.dport,
          dport: seg.sport,
          flags: { rst: true, ack: true },
          seq: 0,
          ack: (seg.seq + (seg.flags.syn ? 1 : 0) + (seg.flags.fin ? 1 : 0) + seg.len) >>> 0,
          len: 0,
        };
    this.output(pkt.dst, pkt.src, reply);
  }

  /** tcp_v4_rcv: a segment for this host. */
  receive(_dev: NetDevice, pkt: Ipv4Packet, seg: Tcp): void {
    const ns = this.ns;
    // tcp_v4_rcv: only segments to one of our unicast addresses (PACKET_HOST).
    if (!ns.world.ipv4.isLocalAddress(ns, pkt.dst)) return;
    const s = this.socks.get(connKey(pkt.dst, seg.dport, pkt.src, seg.sport));
    if (s) return this.segmentForSocket(s, pkt, seg);
    const l = this.lookupListener(pkt.dst, seg.dport);
    if (l) return this.segmentForListener(l, pkt, seg);
    ns.world.ipv4.drop(ns, "no socket listening", pkt);
    this.sendReset(pkt, seg);
  }

  /** __inet_lookup_listener: a listener on the exact address wins over one on 0.0.0.0. */
  private lookupListener(addr: Ip4, port: number): TcpListener | undefined {
    const ls = this.listeners.filter((l) => l.port === port);
    return ls.find((l) => l.addr === addr) ?? ls.find((l) => l.addr === 0);
  }

  /** tcp_v4_do_rcv for a LISTEN socket (tcp_rcv_state_process, tcp_conn_request). */
  private segmentForListener(l: TcpListener, pkt: Ipv4Packet, seg: Tcp): void {
    const f = seg.flags;
    if (f.rst) return;
    if (f.ack) return this.sendReset(pkt, seg);
    if (!f.syn || f.fin) return;
    // tcp_conn_request: a full accept queue drops the SYN (LINUX_MIB_LISTENOVERFLOWS).
    if (l.queue.length > l.backlog) return;
    const s = new TcpSock(this, pkt.dst, seg.dport, pkt.src, seg.sport, "SYN_RECV");
    s.irs = seg.seq;
    s.rcvNxt = (seg.seq + 1) >>> 0;
    s.parent = l;
    l.pending.add(s);
    this.attach(s);
    s.actor.start();
  }

  private segmentForSocket(s: TcpSock, pkt: Ipv4Packet, seg: Tcp): void {
    const f = seg.flags;
    const st = s.state();
    if (st === "SYN_SENT") {
      // tcp_rcv_synsent_state_process
      if (f.ack && seg.ack !== s.sndNxt) {
        if (!f.rst) this.sendReset(pkt, seg);
        return;
      }
      if (f.rst) {
        if (f.ack) s.actor.send({ type: "RST" });
        return;
      }
      if (f.syn && f.ack) {
        s.irs = seg.seq;
        s.rcvNxt = (seg.seq + 1) >>> 0;
        s.actor.send({ type: "SYNACK" });
      }
      return;
    }
    if (st === "SYN_RECV") {
      // tcp_check_req
      if (f.rst) return void s.actor.send({ type: "RST" });
      if (f.syn && !f.ack) {
        if (seg.seq === s.irs) s.actor.send({ type: "SYN" });
        return;
      }
      if (!f.ack) return;
      if (seg.ack !== s.sndNxt) return this.sendReset(pkt, seg);
      // tcp_v4_syn_recv_sock: no room in the accept queue, the ACK is dropped.
      if (s.parent && s.parent.queue.length > s.parent.backlog) return;
      s.actor.send({ type: "ACK", ofFin: false });
      if (f.fin) this.finArrived(s, seg);
      return;
    }
    // Synchronised states (tcp_validate_incoming, tcp_ack, tcp_fin).
    if (f.rst) {
      if (seg.seq === s.rcvNxt) s.actor.send({ type: "RST" });
      return;
    }
    if (f.syn) return this.challengeAck(s);
    if (f.ack && s.finSeq !== undefined && seg.ack === s.sndNxt && !f.fin) {
      s.actor.send({ type: "ACK", ofFin: true });
      return;
    }
    if (f.fin) this.finArrived(s, seg);
  }

  /**
   * tcp_validate_incoming, step 4 (RFC 5961 4.2): a SYN on a synchronized connection (a
   * peer's retransmitted SYN-ACK, say) is answered with an ACK, at most one per
   * tcp_invalid_ratelimit (500 ms) per socket (tcp_oow_rate_limited).
   */
  private challengeAck(s: TcpSock): void {
    const now = this.ns.world.scheduler.now;
    if (s.lastOowAckMs !== undefined && now - s.lastOowAckMs < 500) return;
    s.lastOowAckMs = now;
    this.sendSegment(s, { ack: true }, s.sndNxt, s.rcvNxt);
  }

  private finArrived(s: TcpSock, seg: Tcp): void {
    const at = seqDiff((seg.seq + seg.len) >>> 0, s.rcvNxt);
    if (at === 0) {
      s.rcvNxt = (s.rcvNxt + 1) >>> 0;
      const acksFin = s.finSeq !== undefined && seg.flags.ack === true && seg.ack === s.sndNxt;
      s.actor.send({ type: "FIN", acksFin });
    } else if (at === -1) {
      // Our ACK of this FIN was lost: acknowledge it again.
      s.actor.send({ type: "DUP_FIN" });
    }
  }

  /**
   * tcp_v4_err: an ICMP error quoting one of our segments. It aborts a connection
   * still in its handshake (any destination unreachable except "fragmentation needed",
   * or time exceeded); an established connection only notes it (sk_err_soft).
   */
  icmpError(err: IcmpError): void {
    const orig = err.original;
    if (orig.l4.proto !== "tcp") return;
    const seg = orig.l4;
    const s = this.socks.get(connKey(orig.src, seg.sport, orig.dst, seg.dport));
    if (!s) return;
    const e = icmpErrno(err.type, err.code);
    if (!e || (err.type === 3 && err.code === 4)) return;
    const st = s.state();
    if (st === "SYN_SENT") {
      if (seg.seq !== s.iss) return; // outside snd_una..snd_nxt
      s.actor.send({ type: "ICMP_ERROR", errno: e.errno });
    } else if (st === "SYN_RECV") {
      // tcp_req_err: a fatal error drops the request socket.
      if (seg.seq === s.iss && e.fatal) s.actor.send({ type: "ICMP_ERROR", errno: e.errno });
    } else {
      s.errSoft = e.errno;
    }
  }
}
