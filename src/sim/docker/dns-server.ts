// Docker's embedded DNS server (libnetwork resolver.go) in one container's namespace:
// dockerd's UDP socket on 127.0.0.11:<random port> and its TCP listener beside it, which
// the namespace's DOCKER_OUTPUT rules DNAT 127.0.0.11:53 to. A query gets its answer on
// the same socket (conntrack turns the source back into :53): A with the container's
// address on a network the asker shares, AAAA empty (no IPv6 here), PTR the name.network
// of an address. A name Docker does not know would be forwarded to the host's servers;
// none answers inside a lab, so the query is left unanswered (the asker times out).
import {
  KernelError,
  type DnsAnswer,
  type DnsMessage,
  type Ip4,
  type NetNs,
  type TcpListener,
  type UdpSock,
} from "../kernel/netlink/index.js";
import { responseLength } from "../userland/dns-wire.js";

/** 127.0.0.11: the address containers' resolv.conf names. */
export const EMBEDDED_DNS = 0x7f00000b;

/** 192.0.2.53: the host's nameserver in the sandbox (real/docker/daemon.ts), reaching nothing. */
export const HOST_NAMESERVER = 0xc0000235;

/** What the server consults: names and addresses as the asking namespace may see them. */
export interface DnsBackend {
  resolveName(ns: NetNs, name: string): Ip4 | undefined;
  /** ResolveIP: the name.network of a container's address on a network the asker shares. */
  resolveIp(ns: NetNs, addr: Ip4): string | undefined;
}

export interface DnsServer {
  udp?: UdpSock;
  tcp?: TcpListener;
}

/** Opens dockerd's sockets in the namespace (resolver.go Start) and serves on the UDP one. */
export function startDnsServer(
  ns: NetNs,
  ports: { udp: number; tcp: number },
  backend: DnsBackend,
): DnsServer {
  const owner = { comm: "dockerd", pid: 45, fd: 0 };
  const server: DnsServer = {};
  try {
    const udp = ns.udp.bind(EMBEDDED_DNS, ports.udp);
    udp.owner = owner;
    udp.onDatagram = (pkt, l4) => {
      const q = l4.payload.kind === "data" ? l4.payload.dns : undefined;
      if (!q || q.response) return;
      const answer = respond(ns, q, backend);
      if (answer) ns.udp.sendTo(udp, pkt.src, l4.sport, responseLength(answer), answer);
      else forward(ns, q, l4.payload.kind === "data" ? l4.payload.len : 0);
    };
    server.udp = udp;
    // Go's net.Listen: the backlog is net.core.somaxconn (4096).
    const tcp = ns.tcp.listen(EMBEDDED_DNS, ports.tcp, 4096);
    tcp.owner = owner;
    server.tcp = tcp;
  } catch (e) {
    // No usable lo in the namespace: dockerd logs it and the container runs without DNS.
    if (!(e instanceof KernelError)) throw e;
  }
  return server;
}

export function stopDnsServer(ns: NetNs, server: DnsServer): void {
  if (server.udp) ns.udp.close(server.udp);
  if (server.tcp) ns.tcp.closeListener(server.tcp);
}

/** resolver.go's extIOTimeout: how long dockerd waits for an external server's answer. */
const EXT_IO_TIMEOUT_MS = 4000;

/**
 * A name dockerd does not know goes to the host's nameserver, from the container's
 * namespace (extConnect runs there), on a new socket per query. In the sandbox nothing
 * answers (the host has no route to 192.0.2.53 and says so by ICMP, a soft error UDP
 * ignores): after extIOTimeout dockerd gives up and, as 20.10 does, answers nothing.
 */
function forward(ns: NetNs, q: DnsMessage, len: number): void {
  const sock = ns.udp.socket();
  try {
    ns.udp.connect(sock, HOST_NAMESERVER, 53);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    ns.udp.close(sock);
    return;
  }
  ns.udp.send(sock, len, q);
  ns.world.scheduler.at(EXT_IO_TIMEOUT_MS, "dockerd: external DNS timeout", () =>
    ns.udp.close(sock),
  );
}

/** ServeDNS: the answer to one query, or undefined when it would be forwarded. */
function respond(ns: NetNs, q: DnsMessage, backend: DnsBackend): DnsMessage | undefined {
  const reply = (answers: DnsAnswer[]): DnsMessage => ({ ...q, response: true, answers });
  if (q.qtype === "PTR") {
    const addr = ptrAddress(q.qname);
    const name = addr === undefined ? undefined : backend.resolveIp(ns, addr);
    return name === undefined ? undefined : reply([{ type: "PTR", name }]);
  }
  const addr = backend.resolveName(ns, q.qname.replace(/\.$/, ""));
  if (addr === undefined) return undefined;
  // handleIPQuery: a known name without an IPv6 address gets an empty NOERROR.
  return reply(q.qtype === "A" ? [{ type: "A", addr }] : []);
}

/** "3.0.18.172.in-addr.arpa" -> 172.18.0.3. */
function ptrAddress(qname: string): Ip4 | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa\.?$/i.exec(qname);
  if (!m) return undefined;
  const [d, c, b, a] = m.slice(1).map(Number) as [number, number, number, number];
  if ([a, b, c, d].some((x) => x > 255)) return undefined;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}
