// `ip route` output (ip/iproute.c print_route, print_rt_flags, print_cache_flags): one
// route message as a text line or a JSON object. IPv4 routes come from the FIB; the IPv6
// routes addrconf keeps (fe80::/64, ff00::/8, local addresses) are derived from the
// devices' IPv6 state, which is all the simulator models of IPv6.
import {
  type NetDevice,
  formatIp4,
  type Ip4,
  formatIp6,
  parseIp6,
  type Ip6,
  type NetNs,
  RT_TABLE,
  routeLinkdown,
  type Route,
  type RouteScope,
  type RouteType,
  type GetRouteAnswer,
} from "../../kernel/netlink/index.js";
import type { Printer } from "./print.js";
import { tableName, type InetPrefix } from "./route-args.js";

/** One RTM_NEWROUTE message, decoded. */
export interface RouteMsg {
  family: 4 | 6;
  type: RouteType;
  /** Destination as the kernel sends it (no RTA_DST for a zero-length prefix). */
  dst4?: Ip4;
  dst6?: Ip6;
  dstLen: number;
  /** RTA_SRC (route get with `from`). */
  from4?: Ip4;
  gateway?: Ip4;
  dev?: NetDevice;
  table: number;
  proto: string;
  scope: RouteScope;
  prefsrc?: Ip4;
  /** RTA_PRIORITY: IPv4 sends it only when non-zero; IPv6 always. */
  metric?: number;
  flags: string[];
  uid?: number;
  /** RTM_F_CLONED (route get): the cache line instead of proto/scope. */
  cache?: string[];
  /** RTA_CACHEINFO's expiry and RTAX_MTU of a route with a learned path MTU. */
  pmtu?: { mtu: number; expiresSec: number };
  iif?: NetDevice;
  pref?: string;
}

export function fromFib(r: Route): RouteMsg {
  // fib_nexthop_info: a linkdown nexthop is also reported dead where such routes are ignored.
  const linkdown = routeLinkdown(r);
  const flags: string[] = [];
  if (linkdown && r.dev!.ns.confValue(r.dev!, "ignore_routes_with_linkdown") === 1)
    flags.push("dead");
  if (r.onlink) flags.push("onlink");
  if (linkdown) flags.push("linkdown");
  return {
    family: 4,
    type: r.type,
    dst4: r.plen ? r.dst : undefined,
    dstLen: r.plen,
    gateway: r.gateway,
    dev: r.dev,
    table: r.table,
    proto: r.proto,
    scope: r.scope,
    prefsrc: r.prefsrc,
    metric: r.metric ? r.metric : undefined,
    flags,
  };
}

export function fromGet(a: GetRouteAnswer): RouteMsg {
  // rtm_flags carries the RTCF_* bits; RTCF_MULTICAST shares its bit with RTM_F_OFFLOAD_FAILED.
  const flags = a.cache.includes("mc") ? ["rt_offload_failed"] : [];
  return {
    family: 4,
    type: a.type,
    dst4: a.dst,
    dstLen: 32,
    from4: a.from,
    gateway: a.gateway,
    dev: a.dev,
    table: a.table,
    proto: "unspec",
    scope: "global",
    prefsrc: a.prefsrc,
    flags,
    uid: a.uid,
    cache: a.cache,
    ...(a.pmtu ? { pmtu: a.pmtu } : {}),
    iif: a.iif,
  };
}

/** What a show filter hides from each line (filter.*mask == -1 and friends). */
export interface PrintFilter {
  tb: number;
  typemask?: ReadonlySet<RouteType>;
  protocolExact: boolean;
  scopeExact: boolean;
  oifExact: boolean;
  metricExact: boolean;
  viaHost: boolean;
  prefsrcHost: boolean;
  iifExact: boolean;
}

export const NO_FILTER: PrintFilter = {
  tb: 0,
  protocolExact: false,
  scopeExact: false,
  oifExact: false,
  metricExact: false,
  viaHost: false,
  prefsrcHost: false,
  iifExact: false,
};

function dstText(m: RouteMsg): string {
  const host = m.family === 4 ? 32 : 128;
  if (m.family === 4) {
    if (m.dst4 === undefined) return m.dstLen ? `0/${m.dstLen} ` : "default";
    const a = formatIp4(m.dst4);
    return m.dstLen !== host ? `${a}/${m.dstLen}` : a;
  }
  if (m.dst6 === undefined) return m.dstLen ? `0/${m.dstLen} ` : "default";
  const a = formatIp6(m.dst6);
  return m.dstLen !== host ? `${a}/${m.dstLen}` : a;
}

/** print_route. */
export function printRoute(p: Printer, m: RouteMsg, f: PrintFilter, details: boolean): void {
  p.openObject();
  if ((m.type !== "unicast" || details) && (!f.typemask || f.typemask.has(m.type)))
    p.str("type", `${m.type} `, m.type);
  const dst = dstText(m);
  p.str("dst", `${dst} `, dst);
  if (m.from4 !== undefined) {
    const s = formatIp4(m.from4);
    p.str("from", `from ${s} `, s);
  }
  if (m.gateway !== undefined && !f.viaHost) {
    const g = formatIp4(m.gateway);
    p.str("gateway", `via ${g} `, g);
  }
  if (m.dev && !f.oifExact) p.str("dev", `dev ${m.dev.name} `, m.dev.name);
  if (m.table && (m.table !== RT_TABLE.main || details) && !f.tb) {
    const t = tableName(m.table);
    p.str("table", `table ${t} `, t);
  }
  if (!m.cache) {
    if ((m.proto !== "boot" || details) && !f.protocolExact)
      p.str("protocol", `proto ${m.proto} `, m.proto);
    if ((m.scope !== "global" || details) && !f.scopeExact)
      p.str("scope", `scope ${m.scope} `, m.scope);
  }
  if (m.prefsrc !== undefined && !f.prefsrcHost) {
    const s = formatIp4(m.prefsrc);
    p.str("prefsrc", `src ${s} `, s);
  }
  if (m.metric !== undefined && !f.metricExact) p.num("metric", `metric ${m.metric} `, m.metric);
  p.openArray("flags", "");
  for (const fl of m.flags) p.str(null, `${fl} `, fl);
  p.closeArray("");
  if (m.uid !== undefined) p.num("uid", `uid ${m.uid} `, m.uid);
  if (m.cache) {
    // print_cache_flags
    if (p.json) {
      p.openArray("cache", "");
      for (const c of m.cache) p.str(null, "", c);
      p.closeArray("");
    } else {
      p.fp(`${p.sl}    cache `);
      if (m.cache.length) p.fp(`<${m.cache.join(",")}> `);
    }
  }
  if (m.pmtu) {
    // print_rta_cacheinfo, then print_rta_metrics.
    p.num("expires", `expires ${m.pmtu.expiresSec}sec `, m.pmtu.expiresSec);
    p.openArray("metrics", "");
    p.openObject();
    p.num("mtu", `mtu ${m.pmtu.mtu} `, m.pmtu.mtu);
    p.closeObject();
    p.closeArray("");
  }
  if (m.iif && !f.iifExact) p.str("iif", `iif ${m.iif.name} `, m.iif.name);
  if (m.pref !== undefined) p.str("pref", `pref ${m.pref}`, m.pref);
  p.fp("\n");
  p.closeObject();
}

/** Does an IPv4 route's destination pass root/match/exact selectors (filter_nlmsg)? */
export function dstSelected(
  m: RouteMsg,
  rdst: InetPrefix | undefined,
  mdst: InetPrefix | undefined,
): boolean {
  const fam = m.family === 4 ? "inet" : "inet6";
  const dstBits = (bits: number, p: InetPrefix): boolean => {
    if (bits <= 0) return true;
    if (m.family === 4) {
      const a = m.dst4 ?? 0;
      const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
      return ((a ^ p.addr) & mask) >>> 0 === 0;
    }
    const a = m.dst6 ?? [0, 0, 0, 0, 0, 0, 0, 0];
    const b = p.addr6 ?? [0, 0, 0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
      const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
      if (((a[i]! ^ b[i]!) & mask) !== 0) return false;
    }
    return true;
  };
  if (rdst && (rdst.family || rdst.lenGiven)) {
    if (rdst.family && rdst.family !== fam) return false;
    if (rdst.bitlen > m.dstLen) return false;
    if (!dstBits(rdst.bitlen, rdst)) return false;
  }
  if (mdst && (mdst.family || mdst.lenGiven)) {
    if (mdst.family && mdst.family !== fam) return false;
    if (mdst.bitlen >= 0 && mdst.bitlen < m.dstLen) return false;
    if (!dstBits(m.dstLen, mdst)) return false;
  }
  return true;
}

// IPv6: the routes addrconf installs, derived from each device's IPv6 state.

function cmp6(a: Ip6, b: Ip6): number {
  for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function contains6(net: Ip6, plen: number, a: Ip6): boolean {
  let bits = plen;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if (((net[i]! ^ a[i]!) & mask) !== 0) return false;
  }
  return true;
}

function network6(a: Ip6, plen: number): Ip6 {
  let bits = plen;
  return a.map((g) => {
    const mask = bits >= 16 ? 0xffff : bits <= 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    bits -= 16;
    return g & mask;
  });
}

/**
 * The fib6 walk order: a post-order over the radix tree, so a more specific prefix comes
 * before the one that contains it and disjoint prefixes go by address. Routes for the
 * same prefix keep their insertion order (approximated by device order).
 */
function treeOrder(a: RouteMsg, b: RouteMsg): number {
  const da = a.dst6!;
  const db = b.dst6!;
  if (a.dstLen !== b.dstLen) {
    if (a.dstLen < b.dstLen && contains6(da, a.dstLen, db)) return 1;
    if (b.dstLen < a.dstLen && contains6(db, b.dstLen, da)) return -1;
  }
  return cmp6(da, db) || a.dstLen - b.dstLen;
}

/** The IPv6 main and local tables as addrconf fills them. */
export function ipv6Routes(ns: NetNs): RouteMsg[] {
  const main: RouteMsg[] = [];
  const local: RouteMsg[] = [];
  const line = (
    table: number,
    type: RouteType,
    dst: Ip6,
    plen: number,
    dev: NetDevice,
    metric: number,
    linkdown: boolean,
  ): RouteMsg => ({
    family: 6,
    type,
    dst6: dst,
    dstLen: plen,
    dev,
    table,
    proto: "kernel",
    scope: "global",
    metric,
    flags: linkdown ? ["linkdown"] : [],
    pref: "medium",
  });
  for (const dev of ns.deviceList()) {
    if (!dev.adminUp) continue;
    const loopback = dev.kind === "loopback";
    const linkdown = !loopback && !dev.carrier();
    // The link-local's prefix route comes with the link-local (addrconf_add_linklocal):
    // none with addrgenmode none.
    if (dev.ipv6Ready && !loopback && dev.addrGenMode === "eui64")
      main.push(line(RT_TABLE.main, "unicast", parseIp6("fe80::")!, 64, dev, 256, linkdown));
    for (const a of dev.addrs6) {
      const g = parseIp6(a.addr);
      if (!g) continue;
      if (a.scope === "global" && a.plen < 128) {
        main.push(line(RT_TABLE.main, "unicast", network6(g, a.plen), a.plen, dev, 256, linkdown));
      }
      if (!a.tentative) local.push(line(RT_TABLE.local, "local", g, 128, dev, 0, false));
    }
    if (dev.ipv6Ready && !loopback)
      local.push(line(RT_TABLE.local, "multicast", parseIp6("ff00::")!, 8, dev, 256, linkdown));
  }
  const uniq = (l: RouteMsg[]): RouteMsg[] =>
    l.filter(
      (r, i) =>
        l.findIndex(
          (x) => x.dev === r.dev && x.dstLen === r.dstLen && cmp6(x.dst6!, r.dst6!) === 0,
        ) === i,
    );
  return [...uniq(main).sort(treeOrder), ...uniq(local).sort(treeOrder)];
}
