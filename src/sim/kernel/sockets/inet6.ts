// IPv6 sockets bound to the unspecified address `::` (a TCP listener or a UDP socket),
// such as the docker-proxy dockerd starts on [::]:PORT when the host has IPv6. The
// simulator has no IPv6 stack: these sockets hold their port and show in `ss`, and no
// packet ever reaches them. They are IPV6_V6ONLY (docker-proxy's beside its 0.0.0.0 one),
// so they share no port space with the IPv4 tables.
import { KernelError } from "../core/errors.js";
import type { NetNs } from "../core/netns.js";
import type { SockOwner } from "./inet.js";

declare module "../core/netns.js" {
  interface NetNs {
    readonly inet6: Inet6Wildcards;
  }
}

export interface Inet6Wildcard {
  proto: "tcp" | "udp";
  port: number;
  /** listen()'s backlog (ss's Send-Q for a listener); 0 for UDP. */
  backlog: number;
  owner?: SockOwner;
}

export class Inet6Wildcards {
  private socks: Inet6Wildcard[] = [];

  constructor(readonly ns: NetNs) {}

  list(): Inet6Wildcard[] {
    return [...this.socks];
  }

  /** bind([::]:port) (and listen(backlog) for TCP); EADDRINUSE if taken. */
  bind(proto: "tcp" | "udp", port: number, backlog = 0): Inet6Wildcard {
    if (this.socks.some((s) => s.proto === proto && s.port === port))
      throw new KernelError("EADDRINUSE");
    const s: Inet6Wildcard = { proto, port, backlog: proto === "tcp" ? backlog : 0 };
    this.socks.push(s);
    return s;
  }

  close(s: Inet6Wildcard): void {
    this.socks = this.socks.filter((x) => x !== s);
  }

  shutdown(): void {
    this.socks = [];
  }
}
