// Interface addresses and the routes the kernel derives from them (net/ipv4/devinet.c,
// fib_frontend.c: fib_add_ifaddr, fib_del_ifaddr, fib_disable_ip, fib_sync_down_dev),
// plus the IPv6 addresses addrconf gives a link (link-local, ::1) that `ip addr` shows.
import type { IfAddr4, IfAddr6, NetDevice } from "../core/device.js";
import { KernelError, kfail } from "../core/errors.js";
import { canonicalIp6, formatIp6, ip6Scope, isIp6Loopback, parseIp6 } from "../core/ip6.js";
import { broadcastOf, inPrefix, network, type Ip4 } from "../core/ip4.js";
import { linkLocalFromMac } from "../core/mac.js";
import type { NetdevEvent, NetNs } from "../core/netns.js";
import { chatterDadDone, chatterDadProbe, chatterOnLinkLocal } from "./addrconf-chatter.js";
import { RT_TABLE, type Route } from "./fib.js";
import { masqueradeCleanup } from "../netfilter/conntrack.js";

export interface AddrSpec {
  addr: Ip4;
  plen: number;
  broadcast?: Ip4;
  scope?: IfAddr4["scope"];
  label?: string;
  noprefixroute?: boolean;
}

const SCOPE_NUM: Record<IfAddr4["scope"], number> = { global: 0, link: 253, host: 254 };

/**
 * __inet_insert_ifa: an address in the subnet (same mask) of an existing one becomes
 * secondary and goes to the end of the list; a primary goes after the last primary whose
 * scope is at least its own (so host before link before global, each in insertion order).
 */
export function addAddress(dev: NetDevice, spec: AddrSpec): IfAddr4 {
  const ifa: IfAddr4 = {
    addr: spec.addr,
    plen: spec.plen,
    broadcast: spec.broadcast ?? 0,
    scope: spec.scope ?? "global",
    label: spec.label ?? dev.name,
    secondary: false,
    noprefixroute: spec.noprefixroute ?? false,
  };
  let lastPrimary = 0;
  dev.addrs4.forEach((a, i) => {
    if (!a.secondary && SCOPE_NUM[ifa.scope] <= SCOPE_NUM[a.scope]) lastPrimary = i + 1;
    if (a.plen === ifa.plen && inPrefix(ifa.addr, network(a.addr, a.plen), a.plen)) {
      if (a.addr === ifa.addr) kfail("EEXIST", "ipv4: Address already assigned");
      if (a.scope !== ifa.scope) kfail("EINVAL", "ipv4: Invalid scope value");
      ifa.secondary = true;
    }
  });
  if (ifa.secondary) dev.addrs4.push(ifa);
  else dev.addrs4.splice(lastPrimary, 0, ifa);
  syncKernelRoutes(dev.ns, dev);
  return ifa;
}

/**
 * inet_rtm_deladdr: the first address with this local address (and prefix length and
 * label, when given); deleting a primary also deletes its secondaries
 * (promote_secondaries=0).
 */
export function delAddress(
  dev: NetDevice,
  addr: Ip4,
  plen: number | undefined,
  label?: string,
): void {
  const ifa = dev.addrs4.find(
    (a) =>
      a.addr === addr &&
      (plen === undefined || a.plen === plen) &&
      (label === undefined || a.label === label),
  );
  if (!ifa) kfail("EADDRNOTAVAIL", "ipv4: Address not found");
  const before = dev.addrs4;
  dev.addrs4 = dev.addrs4.filter((a) => {
    if (a === ifa) return false;
    if (
      !ifa.secondary &&
      a.secondary &&
      a.plen === ifa.plen &&
      inPrefix(a.addr, network(ifa.addr, ifa.plen), ifa.plen)
    ) {
      return false;
    }
    return true;
  });
  for (const gone of before) if (!dev.addrs4.includes(gone)) masqueradeCleanup(dev, gone.addr);
  syncKernelRoutes(dev.ns, dev);
  if (dev.addrs4.length === 0) lastAddressGone(dev);
}

/**
 * fib_inetaddr_event: the device's last IPv4 address went, so IP is disabled on it
 * (fib_disable_ip -> arp_ifdown): its ARP entries are flushed.
 */
function lastAddressGone(dev: NetDevice): void {
  dev.ns.neigh.flushDev(dev);
}

export function flushAddresses(dev: NetDevice): void {
  const had = dev.addrs4.length > 0;
  for (const gone of dev.addrs4) masqueradeCleanup(dev, gone.addr);
  dev.addrs4 = [];
  syncKernelRoutes(dev.ns, dev);
  if (had) lastAddressGone(dev);
}

/**
 * inetdev_changename: after a rename the first address takes the new name; the others
 * keep their ":suffix" (or get ":N", N their position) after it, cut to fit IFNAMSIZ.
 */
export function inetdevChangename(dev: NetDevice): void {
  dev.addrs4.forEach((a, i) => {
    if (i === 0) {
      a.label = dev.name;
      return;
    }
    const colon = a.label.indexOf(":");
    const dot = colon >= 0 ? a.label.slice(colon) : `:${i + 1}`;
    a.label =
      dot.length + dev.name.length < 16
        ? dev.name + dot
        : dev.name.slice(0, 16 - dot.length - 1) + dot;
  });
}

/** The primary address a secondary's routes use as their source (fib_add_ifaddr's prim). */
function primaryFor(dev: NetDevice, a: IfAddr4): IfAddr4 {
  if (!a.secondary) return a;
  return (
    dev.addrs4.find(
      (p) => !p.secondary && p.plen === a.plen && inPrefix(a.addr, network(p.addr, p.plen), p.plen),
    ) ?? a
  );
}

type KernelRoute = Omit<Route, "seq">;

/** The routes fib_add_ifaddr installs for the device's addresses in its current state. */
function wantedRoutes(dev: NetDevice): KernelRoute[] {
  const out: KernelRoute[] = [];
  const loopback = dev.kind === "loopback";
  const add = (
    r: Omit<KernelRoute, "proto" | "onlink" | "dev" | "metric"> & { metric?: number },
  ): void => {
    out.push({ proto: "kernel", onlink: false, dev, metric: 0, ...r });
  };
  for (const a of dev.addrs4) {
    const prim = primaryFor(dev, a);
    const src = prim.addr;
    add({
      table: RT_TABLE.local,
      type: "local",
      dst: a.addr,
      plen: 32,
      scope: "host",
      prefsrc: src,
    });
    if (!dev.adminUp) {
      // A loopback's prefix route is host-scoped and survives the device going down.
      if (loopback && !a.secondary && a.plen < 32) {
        add({
          table: RT_TABLE.local,
          type: "local",
          dst: network(a.addr, a.plen),
          plen: a.plen,
          scope: "host",
          prefsrc: src,
        });
      }
      continue;
    }
    if (a.broadcast !== 0 && a.broadcast !== 0xffffffff) {
      add({
        table: RT_TABLE.local,
        type: "broadcast",
        dst: a.broadcast,
        plen: 32,
        scope: "link",
        prefsrc: src,
      });
    }
    const prefix = network(a.addr, a.plen);
    if (prefix !== 0 && !a.secondary && (prefix !== a.addr || a.plen < 32)) {
      if (!a.noprefixroute) {
        add(
          loopback
            ? {
                table: RT_TABLE.local,
                type: "local",
                dst: prefix,
                plen: a.plen,
                scope: "host",
                prefsrc: src,
              }
            : {
                table: RT_TABLE.main,
                type: "unicast",
                dst: prefix,
                plen: a.plen,
                scope: "link",
                prefsrc: src,
              },
        );
      }
      if (a.plen < 31) {
        add({
          table: RT_TABLE.local,
          type: "broadcast",
          dst: broadcastOf(a.addr, a.plen),
          plen: 32,
          scope: "link",
          prefsrc: src,
        });
      }
    }
  }
  return out;
}

function sameKernelRoute(a: KernelRoute, b: KernelRoute): boolean {
  return (
    a.table === b.table &&
    a.type === b.type &&
    a.dst === b.dst &&
    a.plen === b.plen &&
    a.prefsrc === b.prefsrc &&
    a.scope === b.scope &&
    a.dev === b.dev
  );
}

/**
 * Brings the kernel (proto kernel) routes of a device in line with its addresses and admin
 * state, touching only what changed, so surviving routes keep their place in the
 * insertion order that breaks ties between equal routes.
 */
export function syncKernelRoutes(ns: NetNs, dev: NetDevice): void {
  const wanted = wantedRoutes(dev);
  const fib = ns.fib;
  // A local/broadcast route is shared by all devices that own that address (fib_magic is
  // idempotent per table/type/dst/src); keep one where another device still wants it.
  fib.removeWhere(
    (r) => r.dev === dev && r.proto === "kernel" && !wanted.some((w) => sameKernelRoute(w, r)),
  );
  for (const w of wanted) {
    const t = fib.table(w.table);
    if (t.some((r) => sameKernelRoute(r, w))) continue;
    fib.insert(w, "append");
  }
}

const SCOPE6_RANK: Record<IfAddr6["scope"], number> = { global: 0xe0, link: 0x20, host: 0x10 };

/** ipv6_link_dev_addr: the list is kept by scope (global, link, host), newest first within one. */
function linkAddr6(dev: NetDevice, ifa: IfAddr6): void {
  const i = dev.addrs6.findIndex((a) => SCOPE6_RANK[ifa.scope] >= SCOPE6_RANK[a.scope]);
  if (i < 0) dev.addrs6.push(ifa);
  else dev.addrs6.splice(i, 0, ifa);
}

/**
 * addrconf_dad_start: one probe after a random delay below rtr_solicit_delay (1 s), done
 * one retrans_time (1 s) later if nobody answered; only while the link is ready.
 */
function startDad(dev: NetDevice, ifa: IfAddr6): void {
  if (!ifa.tentative || ifa.dadRunning || !dev.ipv6Ready) return;
  ifa.dadRunning = true;
  const world = dev.ns.world;
  const probe = world.rng.int(0, 999);
  world.scheduler.at(probe, `dad probe ${dev.name}`, () => chatterDadProbe(dev, ifa));
  world.scheduler.at(1000 + probe, `dad done ${dev.name}`, () => {
    ifa.dadRunning = false;
    if (!dev.addrs6.includes(ifa)) return;
    ifa.tentative = false;
    chatterDadDone(dev, ifa);
  });
}

export interface Addr6Spec {
  addr: string;
  plen: number;
  nodad?: boolean;
}

/** inet6_addr_add (ip addr add for IPv6): scope from the address, DAD unless nodad. */
export function addAddress6(dev: NetDevice, spec: Addr6Spec): IfAddr6 {
  const g = parseIp6(spec.addr);
  if (!g) return kfail("EINVAL");
  // addrconf_add_dev: no inet6_dev to add to while IPv6 is disabled on the device.
  if (dev.ipv6Disabled) return kfail("EACCES", "ipv6: IPv6 is disabled on this device");
  if (isIp6Loopback(g) && dev.kind !== "loopback")
    kfail("EINVAL", "ipv6: Cannot assign loopback address on this device");
  const addr = formatIp6(g);
  if (dev.addrs6.some((a) => a.addr === addr)) kfail("EEXIST", "ipv6: address already assigned");
  const ifa: IfAddr6 = {
    addr,
    plen: spec.plen,
    scope: ip6Scope(g),
    tentative: !spec.nodad,
    nodad: spec.nodad ?? false,
  };
  linkAddr6(dev, ifa);
  startDad(dev, ifa);
  return ifa;
}

/** inet6_addr_del: address and prefix length must both match. */
export function delAddress6(dev: NetDevice, addr: string, plen: number): void {
  const canon = canonicalIp6(addr) ?? addr;
  const ifa = dev.addrs6.find((a) => a.addr === canon && a.plen === plen);
  if (!ifa) kfail("EADDRNOTAVAIL", "ipv6: address not found");
  dev.addrs6 = dev.addrs6.filter((a) => a !== ifa);
}

/**
 * addrconf_notify: a link that is down has no IPv6 addresses (addrconf_ifdown,
 * keep_addr_on_down=0); once it is up and operational (addrconf_link_ready) it is
 * configured once per up period: ::1 on lo, the EUI-64 link-local elsewhere, and DAD
 * starts for every tentative address.
 */
function syncIpv6(dev: NetDevice): void {
  if (!dev.adminUp || dev.ipv6Disabled) {
    dev.addrs6 = [];
    dev.ipv6Ready = false;
    return;
  }
  if (dev.ipv6Ready || !dev.operUp()) return;
  dev.ipv6Ready = true;
  if (dev.kind === "loopback") {
    if (!dev.addrs6.some((a) => a.addr === "::1"))
      linkAddr6(dev, { addr: "::1", plen: 128, scope: "host", tentative: false, auto: true });
    return;
  }
  const ll = canonicalIp6(linkLocalFromMac(dev.mac)) ?? linkLocalFromMac(dev.mac);
  if (dev.addrGenMode === "eui64" && !dev.addrs6.some((a) => a.addr === ll))
    linkAddr6(dev, { addr: ll, plen: 64, scope: "link", tentative: true, auto: true });
  for (const a of dev.addrs6) startDad(dev, a);
}

/**
 * addrconf_disable_ipv6 for one device (dev_disable_change): disabling drops its IPv6
 * addresses and routes (NETDEV_DOWN to addrconf); enabling configures it again if it is up.
 */
export function setIpv6Disabled(dev: NetDevice, disabled: boolean): void {
  if (dev.ipv6Disabled === disabled) return;
  dev.ipv6Disabled = disabled;
  dev.ipv6Ready = false;
  syncIpv6(dev);
}

/** The notifier chain's IPv4/IPv6 part (fib_netdev_event, inetdev_event, addrconf_notify). */
export function onNetdevEvent(netns: NetNs, dev: NetDevice, event: NetdevEvent): void {
  switch (event) {
    case "up":
      // inetdev_event NETDEV_UP: the loopback gets 127.0.0.1/8 (inet_insert_ifa; a no-op if there).
      if (dev.kind === "loopback") {
        try {
          addAddress(dev, { addr: 0x7f000001, plen: 8, scope: "host" });
        } catch (e) {
          if (!(e instanceof KernelError)) throw e;
        }
      }
      syncKernelRoutes(netns, dev);
      syncIpv6(dev);
      break;
    case "down":
      // fib_disable_ip: every route through the device goes, static ones too; host-scope
      // local routes stay.
      netns.fib.removeWhere((r) => r.dev === dev && r.proto !== "kernel" && r.scope !== "host");
      syncKernelRoutes(netns, dev);
      netns.neigh.flushDev(dev);
      syncIpv6(dev);
      break;
    case "change":
      syncIpv6(dev);
      break;
    case "unregister":
      netns.fib.removeWhere((r) => r.dev === dev);
      netns.neigh.flushDev(dev);
      dev.addrs4 = [];
      dev.addrs6 = [];
      dev.ipv6Ready = false;
      break;
    case "changename":
      inetdevChangename(dev);
      break;
    case "register":
      break;
  }
}

/**
 * addrconf's place in the netdev notifier chain: the IPv4/IPv6 part above, and a link that
 * just got its IPv6 link-local address speaks up (addrconf-chatter.ts): MLD reports, the
 * DAD probe, router solicitations. Bridges and VXLAN devices learn the sender's MAC from
 * them before any ping.
 */
export function addrconfNotifier(ns: NetNs, dev: NetDevice, event: NetdevEvent): void {
  const hadLinkLocal = dev.addrs6.some((a) => a.scope === "link");
  onNetdevEvent(ns, dev, event);
  const ll = hadLinkLocal ? undefined : dev.addrs6.find((a) => a.scope === "link");
  if (ll !== undefined) chatterOnLinkLocal(dev, ll, dev.ns.world.rng.int(0, 999));
}
