// TCP and UDP sockets of the simulated kernel, checked against kernel 6.18 (captures
// with an AF_PACKET socket between two namespaces, `ss -tan`): the handshake and the
// close, resets, SYN retransmission timing, ICMP errors, ports, the accept queue, and
// UDP's port unreachable and pending errors.
import { createActor } from "xstate";
import { describe, expect, it } from "vitest";
import {
  synTimeoutMs,
  tcpMachine,
  wheelDelay,
  type TcpEmitted,
} from "../../../src/sim/engine/machines/tcp.js";
import { formatIp4, parseIp4 } from "../../../src/sim/kernel/core/ip4.js";
import type { Errno } from "../../../src/sim/kernel/core/errors.js";
import type { Ipv4Packet, Tcp } from "../../../src/sim/kernel/core/packet.js";
import type { NetNs } from "../../../src/sim/kernel/core/netns.js";
import { Lab } from "../userland/ip-helpers.js";

const ip = (s: string): number => parseIp4(s)!;

/** a (10.0.0.1 on va) and b (10.0.0.2 on vb), lo up in both. */
function pair(): Lab {
  const l = new Lab();
  l.setup(
    "ip netns add a",
    "ip netns add b",
    "ip -n a link set lo up",
    "ip -n b link set lo up",
    "ip link add va netns a type veth peer name vb netns b",
    "ip -n a addr add 10.0.0.1/24 dev va",
    "ip -n b addr add 10.0.0.2/24 dev vb",
    "ip -n a link set va up",
    "ip -n b link set vb up",
  );
  return l;
}

const ns = (l: Lab, name: string): NetNs => l.b.world.netns(name)!;
const now = (l: Lab): number => l.b.world.scheduler.now;
const run = (l: Lab, ms = 0): void => l.b.world.scheduler.runUntil(now(l) + ms);

interface Seen {
  t: number;
  seg: string;
  seq: number;
  ack: number;
}

function flags(seg: Tcp): string {
  const f = seg.flags;
  return ["syn", "rst", "fin", "ack"].filter((k) => f[k as keyof Tcp["flags"]]).join("|");
}

/** Segments that arrive at a namespace's TCP, as a capture on its side would show them. */
function sniff(l: Lab, name: string): Seen[] {
  const table = ns(l, name).tcp;
  const orig = table.receive.bind(table);
  const seen: Seen[] = [];
  table.receive = (dev, pkt: Ipv4Packet, seg: Tcp) => {
    seen.push({
      t: now(l),
      seg: `${formatIp4(pkt.src)}:${seg.sport} > ${formatIp4(pkt.dst)}:${seg.dport} ${flags(seg)}`,
      seq: seg.seq,
      ack: seg.ack,
    });
    orig(dev, pkt, seg);
  };
  return seen;
}

function connect(l: Lab, from: string, to: string, port: number) {
  const out: { up: boolean; error: Errno | undefined; eof: boolean } = {
    up: false,
    error: undefined,
    eof: false,
  };
  const sock = ns(l, from).tcp.connect(ip(to), port, {
    onEstablished: () => (out.up = true),
    onError: (e) => (out.error = e),
    onEof: () => (out.eof = true),
  });
  return { sock, out };
}

describe("TCP: handshake and close", () => {
  it("SYN, SYN-ACK, ACK; the active closer ends in TIME_WAIT for 60 s, the other side goes", () => {
    const l = pair();
    const atB = sniff(l, "b");
    const atA = sniff(l, "a");
    const listener = ns(l, "b").tcp.listen(0, 80, 1);
    const { sock, out } = connect(l, "a", "10.0.0.2", 80);
    expect(sock.state()).toBe("SYN_SENT");
    run(l);
    expect(out.up).toBe(true);
    expect(sock.state()).toBe("ESTABLISHED");
    expect(listener.queue).toHaveLength(1);
    const child = ns(l, "b").tcp.accept(listener)!;
    expect(child.state()).toBe("ESTABLISHED");
    // connect() prefers even ports from net.ipv4.ip_local_port_range.
    expect(sock.lport % 2).toBe(0);
    expect(sock.lport).toBeGreaterThanOrEqual(32768);
    expect(sock.lport).toBeLessThanOrEqual(60999);

    ns(l, "a").tcp.close(sock);
    run(l);
    // The ACK of our FIN is delayed (pingpong mode in CLOSE_WAIT) by TCP_DELACK_MIN.
    expect(sock.state()).toBe("FIN_WAIT1");
    expect(child.state()).toBe("CLOSE_WAIT");
    l.wait(40);
    expect(sock.state()).toBe("FIN_WAIT2");
    ns(l, "b").tcp.close(child);
    run(l);
    expect(sock.state()).toBe("TIME_WAIT");
    expect(
      ns(l, "b")
        .tcp.list()
        .map((s) => s.state),
    ).toEqual(["LISTEN"]);

    const p = sock.lport;
    expect(atB.map((s) => s.seg)).toEqual([
      `10.0.0.1:${p} > 10.0.0.2:80 syn`,
      `10.0.0.1:${p} > 10.0.0.2:80 ack`,
      `10.0.0.1:${p} > 10.0.0.2:80 fin|ack`,
      `10.0.0.1:${p} > 10.0.0.2:80 ack`,
    ]);
    expect(atA.map((s) => s.seg)).toEqual([
      `10.0.0.2:80 > 10.0.0.1:${p} syn|ack`,
      `10.0.0.2:80 > 10.0.0.1:${p} ack`,
      `10.0.0.2:80 > 10.0.0.1:${p} fin|ack`,
    ]);
    // Sequence numbers: each SYN and FIN counts one.
    expect(atA[0]!.ack).toBe((atB[0]!.seq + 1) >>> 0);
    expect(atB[1]!.ack).toBe((atA[0]!.seq + 1) >>> 0);
    expect(atB[2]!.seq).toBe((atB[0]!.seq + 1) >>> 0);
    expect(atB[3]!.ack).toBe((atA[2]!.seq + 1) >>> 0);

    run(l, 59_000);
    expect(sock.state()).toBe("TIME_WAIT");
    run(l, 1_000);
    expect(ns(l, "a").tcp.list()).toEqual([]);
  });

  it("a closed port answers RST|ACK acknowledging the SYN: Connection refused", () => {
    const l = pair();
    const atA = sniff(l, "a");
    const atB = sniff(l, "b");
    const { out } = connect(l, "a", "10.0.0.2", 81);
    run(l);
    expect(out.error).toBe("ECONNREFUSED");
    expect(atA).toHaveLength(1);
    expect(atA[0]!.seg).toMatch(/^10\.0\.0\.2:81 > 10\.0\.0\.1:\d+ rst\|ack$/);
    expect(atA[0]!.seq).toBe(0);
    expect(atA[0]!.ack).toBe((atB[0]!.seq + 1) >>> 0);
    expect(ns(l, "a").tcp.list()).toEqual([]);
  });

  it("a listener on one address does not take connections to another of the host's", () => {
    const l = pair();
    ns(l, "b").tcp.listen(ip("127.0.0.1"), 80, 1);
    const { out } = connect(l, "a", "10.0.0.2", 80);
    run(l);
    expect(out.error).toBe("ECONNREFUSED");
    const local = connect(l, "b", "127.0.0.1", 80);
    run(l);
    expect(local.out.up).toBe(true);
  });

  it("refuses a listener on an address the host does not have", () => {
    const l = pair();
    expect(() => ns(l, "b").tcp.listen(ip("10.0.0.3"), 80, 1)).toThrow(
      "Cannot assign requested address",
    );
  });

  it("a SYN-ACK nobody asked for is reset, and the listener forgets the request", () => {
    const l = pair();
    const atB = sniff(l, "b");
    const listener = ns(l, "b").tcp.listen(0, 80, 1);
    const vb = l.dev("vb", "b");
    ns(l, "b").tcp.receive(
      vb,
      {
        proto: "ipv4",
        src: ip("10.0.0.1"),
        dst: ip("10.0.0.2"),
        ttl: 64,
        id: 1,
        l4: syn(5555, 80, 1000),
      },
      syn(5555, 80, 1000),
    );
    run(l);
    expect(atB.map((s) => s.seg)).toEqual([
      "10.0.0.1:5555 > 10.0.0.2:80 syn",
      "10.0.0.1:5555 > 10.0.0.2:80 rst",
    ]);
    expect(listener.pending.size).toBe(0);
    expect(listener.queue).toHaveLength(0);
  });

  it("with backlog 1 two connections wait in the accept queue and a third SYN is dropped", () => {
    const l = pair();
    const listener = ns(l, "b").tcp.listen(0, 80, 1);
    const c1 = connect(l, "a", "10.0.0.2", 80);
    const c2 = connect(l, "a", "10.0.0.2", 80);
    run(l);
    const c3 = connect(l, "a", "10.0.0.2", 80);
    run(l);
    expect([c1.out.up, c2.out.up, c3.out.up]).toEqual([true, true, false]);
    expect(listener.queue).toHaveLength(2);
    expect(c3.sock.state()).toBe("SYN_SENT");
    // Once accept() makes room, the retransmitted SYN gets through.
    ns(l, "b").tcp.accept(listener);
    run(l, 1100);
    expect(c3.out.up).toBe(true);
  });

  it("closing a listener resets the connections still waiting for accept()", () => {
    const l = pair();
    const listener = ns(l, "b").tcp.listen(0, 80, 1);
    const c = connect(l, "a", "10.0.0.2", 80);
    run(l);
    ns(l, "b").tcp.closeListener(listener);
    run(l);
    expect(c.out.error).toBe("ECONNRESET");
    expect(c.sock.state()).toBe("CLOSED");
  });
});

function syn(sport: number, dport: number, seq: number): Tcp {
  return { proto: "tcp", sport, dport, flags: { syn: true }, seq, ack: 0, len: 0 };
}

describe("TCP: unanswered SYNs (tcp_syn_retries, tcp_syn_linear_timeouts)", () => {
  /** b's route back to a is a blackhole: SYNs arrive, nothing answers. */
  function silent(): Lab {
    const l = pair();
    l.setup("ip -n b route add blackhole 10.0.0.1/32");
    return l;
  }

  it("tcp_syn_retries=1: SYNs at 0, 1 and 2 s, ETIMEDOUT at 3 s", () => {
    const l = silent();
    l.setup("ip netns exec a sysctl -qw net.ipv4.tcp_syn_retries=1");
    const atB = sniff(l, "b");
    const t0 = now(l);
    const { out } = connect(l, "a", "10.0.0.2", 80);
    let failedAt = 0;
    l.b.world.scheduler.runWhile(t0 + 10_000, () => {
      if (out.error && !failedAt) failedAt = now(l);
      return out.error !== undefined;
    });
    expect(atB.map((s) => s.t - t0)).toEqual([0, wheelDelay(1000), 2 * wheelDelay(1000)]);
    expect(out.error).toBe("ETIMEDOUT");
    expect(failedAt - t0).toBe(3 * wheelDelay(1000));
  });

  it("default (6): five 1 s timeouts, then 2, 4, 8, 16, 32 s; ETIMEDOUT after 127 s and more", () => {
    const l = silent();
    const atB = sniff(l, "b");
    const t0 = now(l);
    const { out } = connect(l, "a", "10.0.0.2", 80);
    l.b.world.scheduler.runWhile(t0 + 200_000, () => out.error !== undefined);
    const gaps = atB.map((s, i) => (i === 0 ? 0 : s.t - atB[i - 1]!.t));
    expect(gaps).toEqual([0, ...[1, 1, 1, 1, 1, 2, 4, 8, 16, 32].map((s) => wheelDelay(s * 1000))]);
    expect(out.error).toBe("ETIMEDOUT");
    // Measured on 6.18: 134.3 s.
    expect(now(l) - t0).toBeGreaterThan(131_000);
    expect(now(l) - t0).toBeLessThan(136_000);
  });

  it("synTimeoutMs follows tcp_model_timeout", () => {
    expect([1, 2, 6, 7].map(synTimeoutMs)).toEqual([3000, 7000, 127_000, 247_000]);
  });

  it("an ARP failure's host unreachable ends the connect: EHOSTUNREACH at 3 s", () => {
    const l = pair();
    const t0 = now(l);
    const { out } = connect(l, "a", "10.0.0.9", 80);
    l.b.world.scheduler.runWhile(t0 + 10_000, () => out.error !== undefined);
    expect(out.error).toBe("EHOSTUNREACH");
    expect(now(l) - t0).toBeGreaterThan(3000);
    expect(now(l) - t0).toBeLessThan(3100);
  });

  it("routing errors are connect()'s own", () => {
    const l = pair();
    l.setup(
      "ip -n a route add unreachable 192.0.2.0/24",
      "ip -n a route add prohibit 203.0.113.0/24",
      "ip -n a route add blackhole 198.51.100.0/24",
    );
    const tcp = ns(l, "a").tcp;
    const errno = (dst: string): string | undefined => {
      try {
        tcp.connect(ip(dst), 80, {});
      } catch (e) {
        return (e as { errno: string }).errno;
      }
      return undefined;
    };
    expect(
      ["10.9.9.9", "192.0.2.1", "203.0.113.1", "198.51.100.1", "10.0.0.255", "224.0.0.1"].map(
        errno,
      ),
    ).toEqual(["ENETUNREACH", "EHOSTUNREACH", "EACCES", "EINVAL", "ENETUNREACH", "ENETUNREACH"]);
  });
});

describe("TCP: the machine alone", () => {
  it("a child in SYN_RECV sends its SYN-ACK again tcp_synack_retries times, backing off", () => {
    const l = pair();
    const sched = l.b.world.scheduler;
    const sent: number[] = [];
    const t0 = sched.now;
    const actor = createActor(tcpMachine, {
      clock: sched,
      input: { initial: "SYN_RECV", synRetries: 2, linearTimeouts: 4, finTimeoutMs: 60_000 },
    });
    actor.on("send", (e: TcpEmitted & { type: "send" }) => {
      if (e.what === "synack") sent.push(sched.now - t0);
    });
    actor.start();
    sched.runUntil(t0 + 60_000);
    expect(sent).toEqual([0, wheelDelay(1000), wheelDelay(1000) + wheelDelay(2000)]);
    expect(actor.getSnapshot().value).toBe("CLOSED");
  });
});

describe("UDP", () => {
  it("a datagram to a closed port gets port unreachable from the address it was for; the next send fails", () => {
    const l = pair();
    l.setup("ip -n b addr add 10.0.0.3/24 dev vb");
    const udp = ns(l, "a").udp;
    const s = udp.socket();
    udp.connect(s, ip("10.0.0.3"), 53);
    const errs: Ipv4Packet[] = [];
    ns(l, "a").pingSockets.open({ id: 0, onMessage: (p) => void errs.push(p) });
    expect(udp.send(s, 1)).toBeUndefined();
    run(l);
    expect(errs.map((p) => formatIp4(p.src))).toEqual(["10.0.0.3"]);
    expect(udp.send(s, 1)).toBe("ECONNREFUSED");
    // sock_error cleared it.
    expect(udp.send(s, 1)).toBeUndefined();
  });

  it("soft errors (host unreachable after ARP fails) are not reported to the socket", () => {
    const l = pair();
    const udp = ns(l, "a").udp;
    const s = udp.socket();
    udp.connect(s, ip("10.0.0.9"), 53);
    udp.send(s, 1);
    run(l, 5000);
    expect(s.err).toBeUndefined();
  });

  it("a socket connected to one peer does not take another's datagrams", () => {
    const l = pair();
    const b = ns(l, "b").udp;
    const server = b.bind(0, 53);
    const got: number[] = [];
    server.onDatagram = (_p, u) => void got.push(u.sport);
    const c1 = ns(l, "a").udp.socket();
    ns(l, "a").udp.connect(c1, ip("10.0.0.2"), 53);
    const c2 = ns(l, "a").udp.socket();
    ns(l, "a").udp.connect(c2, ip("10.0.0.2"), 53);
    b.connect(server, ip("10.0.0.1"), c1.lport);
    ns(l, "a").udp.send(c1, 1);
    ns(l, "a").udp.send(c2, 1);
    run(l);
    expect(got).toEqual([c1.lport]);
    expect(ns(l, "a").udp.send(c2, 1)).toBe("ECONNREFUSED");
  });

  it("a broadcast to a closed port is dropped without an error", () => {
    const l = pair();
    const errs: Ipv4Packet[] = [];
    ns(l, "a").pingSockets.open({ id: 0, onMessage: (p) => void errs.push(p) });
    const b = ns(l, "b");
    b.udp.receive(
      l.dev("vb", "b"),
      {
        proto: "ipv4",
        src: ip("10.0.0.1"),
        dst: ip("10.0.0.255"),
        ttl: 64,
        id: 1,
        l4: { proto: "udp", sport: 4000, dport: 53, payload: { kind: "data", len: 1 } },
      },
      { proto: "udp", sport: 4000, dport: 53, payload: { kind: "data", len: 1 } },
    );
    run(l);
    expect(errs).toEqual([]);
  });

  it("ephemeral ports come from net.ipv4.ip_local_port_range", () => {
    const l = pair();
    l.setup(`ip netns exec a sysctl -qw "net.ipv4.ip_local_port_range=40000 40001"`);
    const a = ns(l, "a");
    const s1 = a.udp.socket();
    a.udp.connect(s1, ip("10.0.0.2"), 53);
    const s2 = a.udp.socket();
    a.udp.connect(s2, ip("10.0.0.2"), 53);
    expect([s1.lport, s2.lport].sort()).toEqual([40000, 40001]);
    const s3 = a.udp.socket();
    expect(() => a.udp.connect(s3, ip("10.0.0.2"), 53)).toThrow("Cannot assign requested address");
  });
});
