// docker-proxy's UDP side (moby 20.10 proxy/udp_proxy.go): one socket on the host port;
// for each client address (its "conntrack table", keyed by source address and port) a
// socket dialled to the container (net.DialUDP from the host, so the source is the
// bridge's address and an ephemeral port), through which every datagram of that client
// is written. The client is never told of the container's ICMP port unreachable, so a
// UDP probe through the proxy succeeds whether or not the container listens. The error
// reaches the dialled socket, whose reply loop means to ignore ECONNREFUSED but, as
// built in 20.10, does not recognise it (Go wraps it in an os.SyscallError) and ends:
// the socket is closed, and the client's next datagram dials a new one (on the kernel:
// a conntrack entry per datagram to a container port nobody listens on). That races with
// the proxy's next write, which on the kernel sometimes takes the error first (that
// datagram is lost, the socket stays until the next error): the model lets the reply
// loop win, as it did for 3 of 3 probes in the first measurement. Otherwise a
// dialled socket is closed after 90 s without a reply (UDPConnTrackTimeout). Replies
// from the container to the client are not modelled: no lab program answers a datagram.
import type { Ip4, NetNs, SockOwner, UdpSock } from "../kernel/netlink/index.js";

/** UDPConnTrackTimeout: the reply loop's read deadline. */
const CONNTRACK_TIMEOUT_MS = 90_000;

/** Starts the proxy on the bound socket `l`; the returned function stops it (its sockets go). */
export function proxyUdp(
  ns: NetNs,
  l: UdpSock,
  backend: { ip: Ip4; port: number },
  owner: SockOwner,
): () => void {
  const world = ns.world;
  const table = new Map<string, UdpSock>();
  const drop = (key: string, s: UdpSock): void => {
    if (table.get(key) !== s) return;
    table.delete(key);
    ns.udp.close(s);
  };
  l.onDatagram = (pkt, udp) => {
    const key = `${pkt.src}:${udp.sport}`;
    let s = table.get(key);
    if (!s) {
      const dialled = ns.udp.socket();
      try {
        ns.udp.connect(dialled, backend.ip, backend.port);
      } catch {
        // "Can't proxy a datagram to udp/...": this datagram is lost, the next one retries.
        ns.udp.close(dialled);
        return;
      }
      // Its descriptors follow the listener's (the TCP side's accepted one is fd + 1).
      dialled.owner = { ...owner, fd: owner.fd + 1 + table.size };
      table.set(key, dialled);
      s = dialled;
      // The read deadline passes without a reply (none is ever modelled): the socket goes.
      const sock = dialled;
      world.scheduler.at(CONNTRACK_TIMEOUT_MS, "docker-proxy udp timeout", () => drop(key, sock));
      // The reply loop's read() fails with the ICMP error: it returns, closing the socket.
      dialled.onError = () => drop(key, sock);
    }
    // A pending error the reply loop has not read yet fails the write: the datagram is lost.
    ns.udp.send(
      s,
      pkt.l4.proto === "udp" && pkt.l4.payload.kind === "data" ? pkt.l4.payload.len : 0,
    );
  };
  return () => {
    l.onDatagram = undefined;
    for (const [key, s] of [...table]) drop(key, s);
  };
}
