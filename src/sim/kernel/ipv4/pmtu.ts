// Path MTU exceptions (fib_nh_exception with fnhe_pmtu): an ICMP "fragmentation needed"
// lowers the MTU of the route to one destination for ip_rt_mtu_expires (600 s); output
// to that destination fragments for it, or refuses (EMSGSIZE) a DF socket's bigger datagram.
import type { Ip4 } from "../core/ip4.js";

declare module "../core/netns.js" {
  interface NetNs {
    /** Path MTUs learned from ICMP "fragmentation needed" (pmtu.ts), made by its pernet init. */
    readonly pmtu: PmtuCache;
  }
}

/** net.ipv4.route.mtu_expires and min_pmtu defaults. */
export const PMTU_EXPIRES_MS = 600_000;
export const MIN_PMTU = 552;

export class PmtuCache {
  private readonly entries = new Map<Ip4, { mtu: number; expires: number }>();

  /** __ip_rt_update_pmtu: only a smaller MTU is learned; below min_pmtu, min_pmtu. */
  learn(dst: Ip4, mtu: number, devMtu: number, now: number): void {
    const m = Math.max(mtu, MIN_PMTU);
    const cur = this.get(dst, now) ?? devMtu;
    if (m >= cur) return;
    this.entries.set(dst, { mtu: m, expires: now + PMTU_EXPIRES_MS });
  }

  get(dst: Ip4, now: number): number | undefined {
    const e = this.entries.get(dst);
    if (!e) return undefined;
    if (e.expires <= now) {
      this.entries.delete(dst);
      return undefined;
    }
    return e.mtu;
  }

  /** Remaining lifetime in ms, for `ip route get`'s "cache expires". */
  expiresIn(dst: Ip4, now: number): number | undefined {
    const e = this.entries.get(dst);
    return e && e.expires > now ? e.expires - now : undefined;
  }
}
