// docker-proxy's TCP side (moby proxy/tcp_proxy.go, clientLoop): for each connection it
// accepts on the host port it dials the container (net.DialTCP from the host, so the
// source is the bridge's address) and copies both ways. When one side's read ends it
// shuts the other side's write (CloseRead, CloseWrite), so a caller that closes at once
// (nc -z) ends both connections with FINs both ways: both TIME_WAIT on the kernel. A
// backend that cannot be reached closes the client. No payload is modelled.
import type { Ip4, NetNs, SockOwner, TcpListener, TcpSock } from "../kernel/netlink/index.js";

export function proxyTcp(
  ns: NetNs,
  l: TcpListener,
  backend: { ip: Ip4; port: number },
  owner: SockOwner,
): void {
  const world = ns.world;
  const acceptAll = (): void => {
    for (let c = ns.tcp.accept(l); c; c = ns.tcp.accept(l)) serve(c);
  };
  const serve = (client: TcpSock): void => {
    client.owner = { ...owner, fd: owner.fd + 1 };
    let clientEof = client.peerClosed;
    let up = false;
    let backendEnded = false;
    let server: TcpSock | undefined;
    // The copy from the container ended (its FIN came, whatever our side's state): the
    // client's write side closes, which sends the client our FIN.
    const backendDone = (): void => {
      if (backendEnded) return;
      backendEnded = true;
      ns.tcp.close(client);
    };
    client.app = {
      onEof: () => {
        clientEof = true;
        // The copy to the container ends: CloseWrite sends the container a FIN.
        if (up && server) ns.tcp.close(server);
      },
      onError: () => {
        if (server) ns.tcp.close(server);
        ns.tcp.close(client);
      },
    };
    try {
      const s = ns.tcp.connect(backend.ip, backend.port, {
        onEstablished: () => {
          up = true;
          if (clientEof) ns.tcp.close(s);
        },
        // "Can't forward traffic to backend": the client is closed.
        onError: () => ns.tcp.close(client),
      });
      server = s;
      s.owner = { ...owner, fd: owner.fd + 2 };
      // read() on the backend returns 0 once its FIN is in, also after our own FIN
      // (close() here stands for CloseWrite, so the socket's app is gone by then).
      s.actor.subscribe((snap) => {
        const st = snap.value;
        if (st === "CLOSE_WAIT" || st === "TIME_WAIT" || st === "CLOSING" || st === "LAST_ACK")
          world.scheduler.at(0, "docker-proxy backend eof", backendDone);
      });
    } catch {
      ns.tcp.close(client);
    }
  };
  l.onConnection = () => void world.scheduler.at(0, "docker-proxy accept", acceptAll);
}
