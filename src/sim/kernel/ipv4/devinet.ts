// Interface addresses and the routes the kernel derives from them (net/ipv4/devinet.c,
// fib_frontend.c: fib_add_ifaddr, fib_del_ifaddr, fib_disable_ip, fib_sync_down_dev),
// plus the IPv6 addresses addrconf gives a link (link-local, ::1) that `ip addr` shows.
import type { IfAddr4, NetDevice } from "../core/device.js";
import { kfail } from "../core/errors.js";
import { broadcastOf, inPrefix, network, type Ip4 } from "../core/ip4.js";
import { linkLocalFromMac } from "../core/mac.js";
import type { NetdevEvent, NetNs } from "../core/netns.js";
import { RT_TABLE, type Route } from "./fib.js";

export interface AddrSpec {
  addr: Ip4;
  plen: number;
  broadcast?: Ip4;
  scope?: IfAddr4["scope"];
  label?: string;
  noprefixroute?: boolean;
}

/** inet_insert_ifa: a second address in an existing subnet becomes secondary. */
export function addAddress(dev: NetDevice, spec: AddrSpec): IfAddr4 {
  let secondary = false;
  for (const a of dev.addrs4) {
    if (a.plen === spec.plen && inPrefix(spec.addr, network(a.addr, a.plen), a.plen)) {
      if (a.addr === spec.addr) kfail("EEXIST", "ipv4: Address already assigned");
      secondary = true;
    }
  }
  const ifa: IfAddr4 = {
    addr: spec.addr,
    plen: spec.plen,
    broadcast: spec.broadcast ?? 0,
    scope: spec.scope ?? "global",
    label: spec.label ?? dev.name,
    secondary,
    noprefixroute: spec.noprefixroute ?? false,
  };
  // Primaries go before the first secondary (inet_insert_ifa keeps primaries first).
  if (secondary) dev.addrs4.push(ifa);
  else {
    const firstSecondary = dev.addrs4.findIndex((a) => a.secondary);
    if (firstSecondary < 0) dev.addrs4.push(ifa);
    else dev.addrs4.splice(firstSecondary, 0, ifa);
  }
  syncKernelRoutes(dev.ns, dev);
  return ifa;
}

/** inet_del_ifa: deleting a primary also deletes its secondaries (promote_secondaries=0). */
export function delAddress(dev: NetDevice, addr: Ip4, plen: number | undefined): void {
  const ifa = dev.addrs4.find((a) => a.addr === addr && (plen === undefined || a.plen === plen));
  if (!ifa) kfail("EADDRNOTAVAIL", "ipv4: Address not found");
  dev.addrs4 = dev.addrs4.filter((a) => {
    if (a === ifa) return false;
    if (!ifa.secondary && a.secondary && a.plen === ifa.plen && inPrefix(a.addr, network(ifa.addr, ifa.plen), ifa.plen)) {
      return false;
    }
    return true;
  });
  syncKernelRoutes(dev.ns, dev);
}

export function flushAddresses(dev: NetDevice): void {
  dev.addrs4 = [];
  syncKernelRoutes(dev.ns, dev);
}

/** The primary address a secondary's routes use as their source (fib_add_ifaddr's prim). */
function primaryFor(dev: NetDevice, a: IfAddr4): IfAddr4 {
  if (!a.secondary) return a;
  return (
    dev.addrs4.find((p) => !p.secondary && p.plen === a.plen && inPrefix(a.addr, network(p.addr, p.plen), p.plen)) ?? a
  );
}

type KernelRoute = Omit<Route, "seq">;

/** The routes fib_add_ifaddr installs for the device's addresses in its current state. */
function wantedRoutes(dev: NetDevice): KernelRoute[] {
  const out: KernelRoute[] = [];
  const loopback = dev.kind === "loopback";
  const add = (r: Omit<KernelRoute, "proto" | "onlink" | "dev" | "metric"> & { metric?: number }): void => {
    out.push({ proto: "kernel", onlink: false, dev, metric: 0, ...r });
  };
  for (const a of dev.addrs4) {
    const prim = primaryFor(dev, a);
    const src = prim.addr;
    add({ table: RT_TABLE.local, type: "local", dst: a.addr, plen: 32, scope: "host", prefsrc: src });
    if (!dev.adminUp) {
      // A loopback's prefix route is host-scoped and survives the device going down.
      if (loopback && !a.secondary && a.plen < 32) {
        add({ table: RT_TABLE.local, type: "local", dst: network(a.addr, a.plen), plen: a.plen, scope: "host", prefsrc: src });
      }
      continue;
    }
    if (a.broadcast !== 0 && a.broadcast !== 0xffffffff) {
      add({ table: RT_TABLE.local, type: "broadcast", dst: a.broadcast, plen: 32, scope: "link", prefsrc: src });
    }
    const prefix = network(a.addr, a.plen);
    if (prefix !== 0 && !a.secondary && (prefix !== a.addr || a.plen < 32)) {
      if (!a.noprefixroute) {
        add(
          loopback
            ? { table: RT_TABLE.local, type: "local", dst: prefix, plen: a.plen, scope: "host", prefsrc: src }
            : { table: RT_TABLE.main, type: "unicast", dst: prefix, plen: a.plen, scope: "link", prefsrc: src },
        );
      }
      if (a.plen < 31) {
        add({ table: RT_TABLE.local, type: "broadcast", dst: broadcastOf(a.addr, a.plen), plen: 32, scope: "link", prefsrc: src });
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
  fib.removeWhere((r) => r.dev === dev && r.proto === "kernel" && !wanted.some((w) => sameKernelRoute(w, r)));
  for (const w of wanted) {
    const t = fib.table(w.table);
    if (t.some((r) => sameKernelRoute(r, w))) continue;
    fib.insert(w, "append");
  }
}

/** IPv6 addresses addrconf keeps on a link: ::1 on lo, fe80::EUI-64 once the link is ready. */
function syncIpv6(dev: NetDevice): void {
  if (!dev.adminUp) {
    dev.addrs6 = [];
    return;
  }
  if (dev.kind === "loopback") {
    if (dev.addrs6.length === 0) dev.addrs6 = [{ addr: "::1", plen: 128, scope: "host", tentative: false }];
    return;
  }
  // addrconf_link_ready: operational (UP or UNKNOWN); bridge ports get one too.
  const ready = dev.carrier();
  if (ready && !dev.addrs6.some((a) => a.scope === "link")) {
    dev.addrs6.push({ addr: linkLocalFromMac(dev.mac), plen: 64, scope: "link", tentative: true });
    // DAD: one probe after a random delay of up to rtr_solicit_delay, then retrans_time.
    const ll = dev.addrs6[dev.addrs6.length - 1]!;
    ns(dev).world.scheduler.at(1000 + ns(dev).world.rng.int(0, 999), `dad done ${dev.name}`, () => {
      ll.tentative = false;
    });
  }
}

function ns(dev: NetDevice): NetNs {
  return dev.ns;
}

/** The notifier chain's IPv4/IPv6 part (fib_netdev_event, inetdev_event, addrconf_notify). */
export function onNetdevEvent(netns: NetNs, dev: NetDevice, event: NetdevEvent): void {
  switch (event) {
    case "up":
      // The loopback gets 127.0.0.1/8 when it first comes up (inetdev_event NETDEV_UP).
      if (dev.kind === "loopback" && !dev.addrs4.some((a) => a.addr === 0x7f000001)) {
        dev.addrs4.unshift({
          addr: 0x7f000001,
          plen: 8,
          broadcast: 0,
          scope: "host",
          label: dev.name,
          secondary: false,
          noprefixroute: false,
        });
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
      break;
    case "register":
      break;
  }
}
