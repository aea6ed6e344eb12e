// The kernel's answer to RTM_GETROUTE (`ip route get`): net/ipv4/route.c inet_rtm_getroute,
// which resolves the flow as a packet would (ip_route_output_key_hash_rcu for locally
// generated ones, ip_route_input_slow when an input device is given) and describes the
// route it built (rt_fill_info). Forwarding and output use ipv4/stack.ts; this module
// only answers the question, with every detail `ip route get` prints.
import type { NetDevice } from "../core/device.js";
import { kfail } from "../core/errors.js";
import { isLoopback, isMulticast, LIMITED_BROADCAST, type Ip4 } from "../core/ip4.js";
import type { NetNs } from "../core/netns.js";
import { RT_TABLE, type FibResult, type RouteType } from "./fib.js";

export interface GetRouteRequest {
  dst: Ip4;
  /** `from`: RTA_SRC (0 or undefined: none). */
  src?: Ip4;
  iif?: NetDevice;
  oif?: NetDevice;
}

/** RTCF_* flags of the cached route, in the order iproute2 prints them. */
export type CacheFlag = "local" | "mc" | "brd" | "redirect";

export interface GetRouteAnswer {
  type: RouteType;
  dst: Ip4;
  /** RTA_SRC: echoed when the request had one. */
  from?: Ip4;
  /** RTA_GATEWAY when the route uses its gateway (rt_uses_gateway). */
  gateway?: Ip4;
  dev: NetDevice;
  /** RTA_TABLE (RTM_F_LOOKUP_TABLE): the table the route came from, 0 when none. */
  table: number;
  /** RTA_PREFSRC: the chosen source, for output routes when it differs from `from`. */
  prefsrc?: Ip4;
  /** RTA_UID: output routes only. */
  uid?: number;
  cache: CacheFlag[];
  /** A path MTU exception for dst (RTA_CACHEINFO's expiry in seconds, RTAX_MTU). */
  pmtu?: { mtu: number; expiresSec: number };
  /** RTA_IIF: input routes. */
  iif?: NetDevice;
}

const SCOPE_ARG = {
  global: "global",
  site: "global",
  link: "link",
  host: "host",
  nowhere: "host",
} as const;

export function getRoute(ns: NetNs, req: GetRouteRequest): GetRouteAnswer {
  const src = req.src ?? 0;
  if (req.iif) return inputRoute(ns, req.iif, req.dst, src);
  return outputRoute(ns, req.dst, src, req.oif);
}

function loopback(ns: NetNs): NetDevice {
  return ns.byName("lo") ?? ns.deviceList()[0]!;
}

/** __ip_dev_find: is the address one of ours (any device)? */
function isOurAddress(ns: NetNs, a: Ip4): boolean {
  return ns.deviceList().some((d) => d.addrs4.some((x) => x.addr === a));
}

function selectAddr(ns: NetNs, dev: NetDevice, dst: Ip4, scope: "global" | "link" | "host"): Ip4 {
  return ns.world.ipv4.selectAddr(dev, dst, scope);
}

/** ip_check_mc_rcu: every IPv4 device that is up has joined 224.0.0.1 (ip_mc_up). */
function joinedGroup(dev: NetDevice, group: Ip4): boolean {
  return group === 0xe0000001 && dev.adminUp;
}

/** ip_route_output_key_hash_rcu, then __mkroute_output and rt_fill_info. */
function outputRoute(
  ns: NetNs,
  dstIn: Ip4,
  srcIn: Ip4,
  oif: NetDevice | undefined,
): GetRouteAnswer {
  let dst = dstIn;
  let saddr = srcIn;
  const lo = loopback(ns);
  let devOut: NetDevice | undefined;
  let res: FibResult | undefined;
  let type: RouteType = "unicast";
  const flags = new Set<CacheFlag>();
  if (saddr) {
    if (isMulticast(saddr) || saddr === LIMITED_BROADCAST || saddr >>> 24 === 0) kfail("EINVAL");
    if (!isOurAddress(ns, saddr)) kfail("ENETUNREACH");
  }
  let resolved = false;
  if (oif) {
    devOut = oif;
    if (!oif.adminUp) kfail("ENETUNREACH");
    if (isLocalMulticast(dst) || dst === LIMITED_BROADCAST) {
      if (!saddr) saddr = selectAddr(ns, oif, 0, "link");
      resolved = true;
    } else if (!saddr && !dst) {
      saddr = selectAddr(ns, oif, 0, "host");
    }
  }
  if (!resolved && !dst) {
    dst = saddr;
    if (!dst) dst = saddr = 0x7f000001;
    devOut = lo;
    type = "local";
    flags.add("local");
    resolved = true;
  }
  if (!resolved) {
    try {
      res = ns.fib.lookup({ dst, src: saddr || undefined, oif, iif: lo });
    } catch (e) {
      // "Apparently, routing tables are wrong. Assume, that the destination is on link."
      if (oif) {
        res = undefined;
        if (!saddr) saddr = selectAddr(ns, oif, 0, "link");
        devOut = oif;
        type = "unicast";
        resolved = true;
      } else throw e;
    }
  }
  let usesGateway: Ip4 | undefined;
  if (!resolved && res) {
    type = res.type;
    if (res.type === "local") {
      if (!saddr) saddr = res.route.prefsrc ?? dst;
      devOut = lo;
      flags.add("local");
    } else {
      devOut = res.dev!;
      // fib_select_path: the route's source, else inet_select_addr(dev, gw, route scope).
      if (!saddr)
        saddr =
          res.route.prefsrc ??
          selectAddr(ns, devOut, res.route.gateway ?? 0, SCOPE_ARG[res.route.scope]);
      const gw = res.route.gateway;
      // rt_set_nexthop: a gateway reached through a link-scope route is used as the next hop.
      if (gw !== undefined && ns.fib.addrType(gw, RT_TABLE.local) !== "local") usesGateway = gw;
    }
  }
  const dev = devOut!;
  // __mkroute_output
  if (isLoopback(saddr) && dev.kind !== "loopback") kfail("EINVAL");
  if (dst === LIMITED_BROADCAST) type = "broadcast";
  else if (isMulticast(dst)) type = "multicast";
  else if (dst >>> 24 === 0 && type !== "local") kfail("EINVAL");
  if (dev.kind === "loopback") flags.add("local");
  if (type === "broadcast") {
    flags.add("brd");
    flags.add("local");
    usesGateway = undefined;
  } else if (type === "multicast") {
    flags.add("mc");
    if (joinedGroup(dev, dst)) flags.add("local");
    // "If multicast route do not exist use default one, but do not gateway in this case."
    if (res && res.route.plen < 4) usesGateway = undefined;
  }
  return {
    type,
    dst: dstIn,
    from: srcIn || undefined,
    gateway: usesGateway,
    dev,
    table: res ? res.table : 0,
    prefsrc: saddr !== srcIn ? saddr : undefined,
    uid: 0,
    cache: orderFlags(flags),
    ...pmtuOf(ns, dst, type),
  };
}

/** rt_fill_info: a unicast route with a learned path MTU shows it and its expiry. */
function pmtuOf(ns: NetNs, dst: Ip4, type: RouteType): Pick<GetRouteAnswer, "pmtu"> {
  if (type !== "unicast") return {};
  const now = ns.world.scheduler.now;
  const mtu = ns.pmtu.get(dst, now);
  const left = ns.pmtu.expiresIn(dst, now);
  if (mtu === undefined || left === undefined) return {};
  return { pmtu: { mtu, expiresSec: Math.floor(left / 1000) } };
}

/** 224.0.0.0/24 (ipv4_is_local_multicast). */
function isLocalMulticast(a: Ip4): boolean {
  return a >>> 8 === 0xe00000;
}

/** ip_route_input_slow, as inet_rtm_getroute drives it. */
function inputRoute(ns: NetNs, inDev: NetDevice, dst: Ip4, src: Ip4): GetRouteAnswer {
  const lo = loopback(ns);
  const flags = new Set<CacheFlag>();
  const answer = (
    type: RouteType,
    dev: NetDevice,
    table: number,
    gateway?: Ip4,
  ): GetRouteAnswer => ({
    type,
    dst,
    from: src || undefined,
    gateway,
    dev,
    table,
    cache: orderFlags(flags),
    iif: inDev,
  });
  if (isMulticast(src) || src === LIMITED_BROADCAST) kfail("EINVAL");
  const localnet = ns.confValue(inDev, "route_localnet") === 1;
  if (dst === LIMITED_BROADCAST || (src === 0 && dst === 0)) {
    return brdInput(ns, inDev, src, flags, () => answer("broadcast", lo, 0));
  }
  if (src >>> 24 === 0) kfail("EINVAL");
  if (dst >>> 24 === 0) kfail("EINVAL");
  if (isLoopback(dst) ? !localnet : isLoopback(src) && !localnet) kfail("EINVAL");
  const forwarding = ns.forwarding(inDev);
  let res: FibResult;
  try {
    res = ns.fib.lookup({ dst, src, iif: inDev });
  } catch (e) {
    if (!forwarding) kfail("EHOSTUNREACH");
    throw e;
  }
  if (res.type === "broadcast")
    return brdInput(ns, inDev, src, flags, () => answer("broadcast", lo, res.table));
  if (res.type === "local") {
    validateSource(ns, inDev, src, 0);
    flags.add("local");
    return answer("local", lo, res.table);
  }
  if (!forwarding) kfail("EHOSTUNREACH");
  if (res.type !== "unicast") kfail("EINVAL");
  // __mkroute_input
  const outDev = res.dev!;
  const onlinkSource = validateSource(ns, inDev, src, outDev === inDev ? outDev.ifindex : 0);
  if (outDev === inDev && onlinkSource && ns.confValue(inDev, "send_redirects") === 1)
    flags.add("redirect");
  const gw = res.route.gateway;
  return answer(
    res.type,
    outDev,
    res.table,
    gw !== undefined && ns.fib.addrType(gw, RT_TABLE.local) !== "local" ? gw : undefined,
  );
}

function brdInput(
  ns: NetNs,
  inDev: NetDevice,
  src: Ip4,
  flags: Set<CacheFlag>,
  make: () => GetRouteAnswer,
): GetRouteAnswer {
  if (src >>> 24 !== 0) validateSource(ns, inDev, src, 0);
  flags.add("brd");
  flags.add("local");
  return make();
}

/**
 * fib_validate_source with rp_filter off: a source that is one of our own addresses is a
 * martian (EINVAL). When the packet would leave by the device it came in on, the full
 * check runs and tells whether the sender is directly connected (the redirect hint).
 */
function validateSource(ns: NetNs, dev: NetDevice, src: Ip4, oif: number): boolean {
  if (dev.ifindex !== oif || ns.confValue(dev, "send_redirects") !== 1) {
    if (!ns.fib.customRules && isOurAddress(ns, src)) kfail("EINVAL");
    if (!ns.fib.customRules) return false;
  }
  // __fib_validate_source: the reverse route.
  let res: FibResult;
  try {
    res = ns.fib.lookup({ dst: src, iif: oif ? dev : loopback(ns) });
  } catch {
    return false;
  }
  if (res.type !== "unicast") kfail("EINVAL");
  if (res.dev === dev) return connectedNexthop(res);
  if (dev.addrs4.length === 0) return false;
  try {
    const again = ns.fib.lookup({ dst: src, iif: dev, oif: dev, ignoreLinkState: true });
    return again.type === "unicast" && connectedNexthop(again);
  } catch {
    return false;
  }
}

/** nhc_scope >= RT_SCOPE_HOST: a route without a gateway (fib_check_nh_nongw). */
function connectedNexthop(res: FibResult): boolean {
  return res.route.gateway === undefined && res.route.scope !== "host";
}

function orderFlags(flags: Set<CacheFlag>): CacheFlag[] {
  return (["local", "mc", "brd", "redirect"] as const).filter((f) => flags.has(f));
}
