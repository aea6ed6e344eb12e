// Link operations as rtnetlink performs them (net/core/rtnetlink.c, dev.c): create,
// delete, up/down, enslave, move between namespaces, rename, MAC and MTU. What differs by
// kind is the driver's: its newlink (a LinkKind, link-kinds.ts) and its device operations
// (NetDevice's ops in device.ts); nothing here names a driver.
import type { NetDevice } from "./device.js";
import { kfail } from "./errors.js";
import { linkwatchFire, rtnlRequest } from "./linkwatch.js";
import { isMulticastMac, randomMac, ZERO_MAC, type Mac } from "./mac.js";
import type { NetNs } from "./netns.js";
import { announce } from "./rtmsg.js";

export { announce };

/** Counts a carrier change (and tells linkwatch) when the device's carrier moved. */
export function countCarrier(d: NetDevice): void {
  const c = d.carrier();
  const was = d.carrierBit;
  if (was !== undefined && was !== c) {
    d.carrierChanges++;
    linkwatchFire(d);
  }
  d.carrierBit = c;
}

export function macFor(ns: NetNs): Mac {
  return randomMac(() => ns.world.randomMacByte());
}

/** __dev_alloc_name with a %d template: the first free index. */
export function freeName(ns: NetNs, template: string): string {
  for (let i = 0; ; i++) {
    const n = template.replace("%d", String(i));
    if (!ns.byName(n)) return n;
  }
}

/** dev_valid_name: 1..15 bytes, not "." or "..", no '/', ':' or whitespace. */
export function validName(name: string): boolean {
  return (
    name.length > 0 && name.length < 16 && !/[\s/:]/.test(name) && name !== "." && name !== ".."
  );
}

/** dev_prep_valid_name: a name with %d takes the first free number; otherwise it must be free. */
export function claimName(ns: NetNs, name: string): string {
  // ifla_policy: IFLA_IFNAME is at most IFNAMSIZ-1 bytes (checked before the request runs).
  if (name.length >= 16) kfail("EINVAL", "Attribute failed policy validation");
  if (!validName(name)) kfail("EINVAL");
  if (name.includes("%")) {
    if (!/^[^%]*%d[^%]*$/.test(name)) kfail("EINVAL");
    return freeName(ns, name);
  }
  if (ns.byName(name)) kfail("EEXIST");
  return name;
}

/** register_netdevice: the device joins its namespace; NETDEV_REGISTER. */
export function register(ns: NetNs, dev: NetDevice): NetDevice {
  ns.attach(dev);
  dev.carrierBit = dev.carrier();
  ns.notify(dev, "register");
  return dev;
}

export interface LinkAttrs {
  mac?: Mac;
  mtu?: number;
  up?: boolean;
  txqlen?: number;
}

/** Applies create-time attributes the way rtnl_create_link and rtnl_configure_link do. */
export function configure(dev: NetDevice, attrs: LinkAttrs): void {
  if (attrs.mac !== undefined) dev.mac = attrs.mac;
  if (attrs.mtu !== undefined) {
    checkMtu(dev, attrs.mtu);
    dev.mtu = attrs.mtu;
    dev.mtuSetByUser = true;
  }
  if (attrs.txqlen !== undefined) dev.txqlen = attrs.txqlen;
}

export function deleteLink(dev: NetDevice): void {
  rtnlRequest(dev.ns.world, () => {
    if (dev.kind === "loopback") kfail("EOPNOTSUPP");
    const affected = neighbours(dev);
    if (dev.adminUp) setAdmin(dev, false);
    dev.ns.world.unregister(dev);
    refreshCarriers(affected.filter((d) => d.ns.devices.get(d.ifindex) === d));
  });
}

/** Devices whose carrier may change with dev's. */
function neighbours(dev: NetDevice): NetDevice[] {
  const out = [dev];
  const peer = dev.pairPeer();
  if (peer) out.push(peer);
  if (dev.master) out.push(dev.master);
  if (dev.masterOps) out.push(...dev.masterOps.slaves());
  if (peer?.master) out.push(peer.master);
  return out;
}

/** Notifies NETDEV_CHANGE where carrier flipped (linkwatch), bridges after their ports. */
export function refreshCarriers(devs: NetDevice[]): void {
  const ordered = [...devs.filter((d) => !d.masterOps), ...devs.filter((d) => d.masterOps)];
  for (const d of ordered) {
    d.master?.masterOps?.slaveChanged(d);
    // A bridge's own state change (up/down) re-evaluates every port; a port's change
    // re-evaluates that port only (above).
    const m = d.masterOps;
    if (m && d === devs[0]) for (const p of m.slaves()) m.slaveChanged(p);
    countCarrier(d);
    // NETDEV_CHANGE itself comes later, from linkwatch (linkwatch.ts).
  }
}

/** dev_change_flags(IFF_UP): dev_open / dev_close. */
export function setAdmin(dev: NetDevice, up: boolean): void {
  rtnlRequest(dev.ns.world, () => {
    if (dev.adminUp === up) return;
    dev.adminUp = up;
    // __dev_open's dev_activate attaches the qdisc only with carrier; dev_close deactivates.
    dev.activated = up && dev.carrier();
    if (up) {
      dev.everUp = true;
      dev.open();
    } else dev.stop();
    dev.ns.notify(dev, up ? "up" : "down");
    countCarrier(dev);
    announce(dev);
    refreshCarriers(neighbours(dev));
  });
}

/**
 * do_set_master: leave the old master first, then join the new one (br_add_if's checks:
 * only Ethernet devices with a valid MAC, never a bridge, never loopback).
 */
export function setMaster(dev: NetDevice, master: NetDevice | undefined): void {
  rtnlRequest(dev.ns.world, () => {
    const leave = (): void => {
      const old = dev.master;
      if (!old?.masterOps) return;
      old.masterOps.delSlave(dev);
      refreshCarriers([dev, old]);
    };
    if (master === undefined) return leave();
    if (dev.master === master) return;
    const ops = master.masterOps;
    if (!ops) kfail("EOPNOTSUPP");
    leave();
    ops.addSlave(dev);
    refreshCarriers([dev, master]);
  });
}

/**
 * __dev_change_net_namespace: the device is closed, unregistered from the old namespace
 * (addresses, routes and bridge membership go), keeps its index when it is free in the
 * new one, and is registered there. `newName` is the IFLA_IFNAME pattern sent with it.
 */
export function moveToNetns(dev: NetDevice, target: NetNs, newName?: string): void {
  rtnlRequest(dev.ns.world, () => {
    if (dev.ns === target) return;
    if (dev.netnsLocal) kfail("EINVAL", "The interface netns is immutable");
    let name = dev.name;
    if (target.byName(dev.name)) {
      if (newName === undefined)
        kfail("EINVAL", "An interface with the same name exists in the target netns");
      name = claimName(target, newName);
    }
    const affected = neighbours(dev);
    if (dev.adminUp) setAdmin(dev, false);
    if (dev.master) setMaster(dev, undefined);
    const old = dev.ns;
    // The RTM_DELLINK sent to the old namespace names the new one (new_nsid).
    old.nsidOf(target);
    old.notify(dev, "unregister");
    old.detach(dev);
    dev.ifindex = target.allocIndex(dev.ifindex);
    dev.name = name;
    dev.ipv6Ready = false;
    // The inet6_dev is made afresh in the new namespace, with its default addr_gen_mode.
    dev.addrGenMode = "eui64";
    // dev_shutdown on the way out: the qdisc is gone until the device is opened again.
    dev.everUp = false;
    target.attach(dev);
    target.notify(dev, "register");
    announce(dev);
    refreshCarriers(affected.filter((d) => d.ns.devices.get(d.ifindex) === d));
  });
}

/** dev_change_name: allowed while up on this kernel; IPv4 labels follow (inetdev_changename). */
export function rename(dev: NetDevice, name: string): void {
  rtnlRequest(dev.ns.world, () => {
    if (dev.name === name) return;
    const n = claimName(dev.ns, name);
    const old = dev.name;
    dev.name = n;
    dev.ns.renamed(dev, old);
    dev.ns.notify(dev, "changename");
  });
}

/** dev_set_mac_address: Ethernet drivers refuse multicast and all-zero addresses. */
export function setMac(dev: NetDevice, mac: Mac): void {
  rtnlRequest(dev.ns.world, () => {
    // eth_prepare_mac_addr_change (loopback uses eth_mac_addr too).
    if (isMulticastMac(mac) || mac === ZERO_MAC) kfail("EADDRNOTAVAIL");
    const old = dev.mac;
    dev.setMacAddress(mac);
    dev.master?.masterOps?.slaveMacChanged(dev, old);
  });
}

/** dev_validate_mtu. */
function checkMtu(dev: NetDevice, mtu: number): void {
  if (mtu < 0 || mtu < dev.minMtu) kfail("EINVAL", "mtu less than device minimum");
  if (dev.maxMtu > 0 && mtu > dev.maxMtu) kfail("EINVAL", "mtu greater than device maximum");
}

/** dev_set_mtu_ext; a bridge port's change makes its bridge recompute (br_mtu_auto_adjust). */
export function setMtu(dev: NetDevice, mtu: number): void {
  rtnlRequest(dev.ns.world, () => {
    checkMtu(dev, mtu);
    dev.changeMtu(mtu);
    dev.master?.masterOps?.slaveMtuChanged();
  });
}

/** IFF_PROMISC, IFF_ALLMULTI, IFF_MULTICAST, IFF_NOARP as `ip link set` changes them. */
export function setFlags(
  dev: NetDevice,
  f: { promisc?: boolean; allmulti?: boolean; multicast?: boolean; noarp?: boolean },
): void {
  if (f.promisc !== undefined) dev.userPromisc = f.promisc;
  if (f.allmulti !== undefined) dev.userAllmulti = f.allmulti;
  if (f.multicast !== undefined) dev.multicast = f.multicast;
  if (f.noarp !== undefined) dev.noarp = f.noarp;
}
