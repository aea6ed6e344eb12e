// ICMP sockets of ping processes (a raw IPPROTO_ICMP socket as iputils opens it as root):
// every ICMP message delivered to the host is offered to them; each keeps its own by id.
import type { Ipv4Packet } from "../core/packet.js";
import type { NetNs } from "../core/netns.js";

declare module "../core/netns.js" {
  interface NetNs {
    readonly pingSockets: PingSockets;
  }
}

export interface PingSocket {
  id: number;
  onMessage(pkt: Ipv4Packet): void;
}

export class PingSockets {
  private sockets: PingSocket[] = [];
  constructor(readonly ns: NetNs) {}

  open(s: PingSocket): () => void {
    this.sockets.push(s);
    return () => {
      this.sockets = this.sockets.filter((x) => x !== s);
    };
  }

  deliver(pkt: Ipv4Packet): void {
    for (const s of this.sockets) s.onMessage(pkt);
  }
}
