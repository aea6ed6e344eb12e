// What TCP and UDP sockets share (net/ipv4/af_inet.c, inet_hashtables.c, icmp.c): the
// ephemeral port range, the errno an ICMP error becomes, and the output of one segment
// or datagram through the routing and netfilter output path.
import type { Errno } from "../core/errors.js";
import { KernelError } from "../core/errors.js";
import type { Ip4 } from "../core/ip4.js";
import type { NetNs } from "../core/netns.js";
import type { Ipv4Packet } from "../core/packet.js";
import type { OutputRoute } from "../ipv4/stack.js";

export const LOOPBACK_ADDR = 0x7f000001;

/** The process holding a socket and its descriptor there, as `ss -p` shows them. */
export interface SockOwner {
  readonly comm: string;
  readonly pid: number;
  readonly fd: number;
}

/** net.ipv4.ip_local_port_range as [low, high]. */
export function localPortRange(ns: NetNs): [number, number] {
  const [lo, hi] = (ns.sysctl.get("net.ipv4.ip_local_port_range") ?? "32768\t60999")
    .split(/\s+/)
    .map(Number);
  return [lo ?? 32768, hi ?? 60999];
}

/**
 * An ephemeral port no socket of the namespace holds. __inet_hash_connect starts at a
 * random offset rounded down to even and walks the range by two before trying the other
 * parity (connect() prefers even ports); inet_csk_find_open_port does the same with odd
 * ports for bind() to port 0; udp_lib_get_port starts anywhere. The kernel's offset is
 * a keyed hash; here it comes from the seeded random source.
 */
export function ephemeralPort(
  ns: NetNs,
  inUse: (port: number) => boolean,
  parity: "even" | "odd" | "any",
): number {
  const [low, high] = localPortRange(ns);
  const remaining = high - low + 1;
  let offset = ns.world.rng.int(0, Math.max(0, remaining - 1));
  if (parity !== "any" && remaining > 1) {
    // The offset is from `low`; the port's own parity is what the kernel prefers.
    const want = parity === "even" ? 0 : 1;
    if ((low + offset) % 2 !== want) offset = (offset + 1) % remaining;
  }
  const step = parity !== "any" && remaining > 1 ? 2 : 1;
  for (const start of step === 2 ? [offset, offset + 1] : [offset]) {
    for (let i = 0; i < remaining; i += step) {
      const port = low + ((start + i) % remaining);
      if (!inUse(port)) return port;
    }
  }
  throw new KernelError("EADDRNOTAVAIL");
}

/** icmp_err_convert (net/ipv4/icmp.c): the errno of a destination unreachable code, and whether it is fatal. */
const UNREACH_ERRNO: [Errno, boolean][] = [
  ["ENETUNREACH", false], // net unreachable
  ["EHOSTUNREACH", false], // host unreachable
  ["ENOPROTOOPT", true], // protocol unreachable
  ["ECONNREFUSED", true], // port unreachable
  ["EMSGSIZE", false], // fragmentation needed
  ["EOPNOTSUPP", false], // source route failed
  ["ENETUNREACH", true], // net unknown
  ["EHOSTDOWN", true], // host unknown
  ["ENONET", true], // host isolated
  ["ENETUNREACH", true], // net administratively prohibited
  ["EHOSTUNREACH", true], // host administratively prohibited
  ["ENETUNREACH", false], // net unreachable for TOS
  ["EHOSTUNREACH", false], // host unreachable for TOS
  ["EHOSTUNREACH", true], // communication administratively prohibited (packet filtered)
  ["EHOSTUNREACH", true], // host precedence violation
  ["EHOSTUNREACH", true], // precedence cutoff
];

/**
 * The errno an ICMP error carries for a socket and whether it is "hard" (tcp_v4_err,
 * __udp4_lib_err): time exceeded is a soft EHOSTUNREACH; codes past NR_ICMP_UNREACH
 * are ignored (undefined).
 */
export function icmpErrno(
  type: number,
  code: number,
): { errno: Errno; fatal: boolean } | undefined {
  if (type === 11) return { errno: "EHOSTUNREACH", fatal: false };
  if (type !== 3) return undefined;
  const e = UNREACH_ERRNO[code];
  return e ? { errno: e[0], fatal: e[1] } : undefined;
}

/**
 * ip_route_connect for a TCP or UDP socket: the route and source address a connect()
 * would get, or the errno it fails with. A destination of 0.0.0.0 means this host
 * (ip_route_output_key_hash_rcu: daddr = saddr = 127.0.0.1 via the loopback).
 */
export function routeConnect(
  ns: NetNs,
  dst: Ip4,
  proto: "tcp" | "udp",
): { rt: OutputRoute; dst: Ip4 } {
  const stack = ns.world.ipv4;
  const target = dst === 0 ? LOOPBACK_ADDR : dst;
  const rt = stack.routeOutput(ns, target, dst === 0 ? { src: LOOPBACK_ADDR } : {});
  const type = rt.res.type;
  const bcast = type === "broadcast" || target === 0xffffffff;
  const mcast = type === "multicast" || target >>> 28 === 0xe;
  // tcp_v4_connect: no connections to broadcast or multicast addresses.
  if (proto === "tcp" && (bcast || mcast)) throw new KernelError("ENETUNREACH");
  // ip4_datagram_connect: a broadcast peer needs SO_BROADCAST, which nc does not set.
  if (proto === "udp" && bcast) throw new KernelError("EACCES");
  return { rt, dst: target };
}

/**
 * ip_queue_xmit / ip_send_skb for a connected socket: route the packet again (the
 * socket's cached dst) and send it through LOCAL_OUT and POST_ROUTING. A route that
 * has gone, or a netfilter drop, makes the send fail; the caller decides whether that
 * matters.
 */
export function transmit(ns: NetNs, pkt: Ipv4Packet): Errno | undefined {
  const stack = ns.world.ipv4;
  let rt: OutputRoute;
  try {
    rt = stack.routeOutput(ns, pkt.dst, { src: pkt.src });
  } catch (e) {
    if (e instanceof KernelError) {
      stack.drop(ns, "no route", pkt);
      return e.errno;
    }
    throw e;
  }
  // nf_hook_slow: a packet that LOCAL_OUT or POST_ROUTING drops (DROP, or REJECT whatever
  // its ICMP type) fails the send with EPERM (NF_DROP_GETERR); a stolen one does not.
  const v = stack.sendRouted(ns, pkt, rt);
  return v.kind === "drop" || v.kind === "reject" ? "EPERM" : undefined;
}
