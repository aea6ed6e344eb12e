// Link operations as rtnetlink performs them (net/core/rtnetlink.c, dev.c): create,
// delete, up/down, enslave, move between namespaces, rename, MAC and MTU.
import { Bridge } from "../drivers/bridge.js";
import { Veth } from "../drivers/veth.js";
import { Vxlan, type VxlanParams } from "../drivers/vxlan.js";
import type { NetDevice } from "./device.js";
import { kfail } from "./errors.js";
import { randomMac, type Mac } from "./mac.js";
import type { NetNs } from "./netns.js";

const carrierSeen = new WeakMap<NetDevice, boolean>();

function macFor(ns: NetNs): Mac {
  return randomMac(() => ns.world.randomMacByte());
}

/** dev_get_valid_name with a %d template: the first free index. */
export function freeName(ns: NetNs, template: string): string {
  for (let i = 0; ; i++) {
    const n = template.replace("%d", String(i));
    if (!ns.byName(n)) return n;
  }
}

export function validName(name: string): boolean {
  return name.length > 0 && name.length < 16 && !/[\s/:]/.test(name) && name !== "." && name !== "..";
}

function register(ns: NetNs, dev: NetDevice): NetDevice {
  ns.attach(dev);
  carrierSeen.set(dev, dev.lowerUp);
  ns.notify(dev, "register");
  return dev;
}

export function addVeth(ns: NetNs, name: string | undefined, peerName: string | undefined, peerNs: NetNs): Veth {
  const n = name ?? freeName(ns, "veth%d");
  const pn = peerName ?? freeName(peerNs, peerNs === ns ? `veth${Number(n.replace(/\D/g, "") || 0) + 1}` : "veth%d");
  if (ns.byName(n) || peerNs.byName(pn) || (ns === peerNs && n === pn)) kfail("EEXIST");
  // The peer is registered first (veth_newlink), so it gets the lower index.
  const peer = new Veth(peerNs, peerNs.allocIndex(), pn, macFor(ns));
  register(peerNs, peer);
  const dev = new Veth(ns, ns.allocIndex(), n, macFor(ns));
  dev.peer = peer;
  peer.peer = dev;
  register(ns, dev);
  return dev;
}

export function addBridge(ns: NetNs, name: string): Bridge {
  if (ns.byName(name)) kfail("EEXIST");
  return register(ns, new Bridge(ns, ns.allocIndex(), name, macFor(ns))) as Bridge;
}

export function addVxlan(ns: NetNs, name: string, params: VxlanParams): Vxlan {
  if (ns.byName(name)) kfail("EEXIST");
  for (const d of ns.deviceList()) {
    if (d instanceof Vxlan && d.params.vni === params.vni && d.params.dstport === params.dstport) {
      kfail("EEXIST", "A VXLAN device with the specified VNI already exists");
    }
  }
  return register(ns, new Vxlan(ns, ns.allocIndex(), name, macFor(ns), params)) as Vxlan;
}

export function deleteLink(dev: NetDevice): void {
  if (dev.kind === "loopback") kfail("EOPNOTSUPP");
  const affected = neighbours(dev);
  if (dev.adminUp) setAdmin(dev, false);
  dev.ns.world.unregister(dev);
  refreshCarriers(affected);
}

/** Devices whose carrier may change with dev's. */
function neighbours(dev: NetDevice): NetDevice[] {
  const out = [dev];
  if (dev instanceof Veth) out.push(dev.peer);
  if (dev.master) out.push(dev.master);
  if (dev instanceof Bridge) out.push(...dev.ports.map((p) => p.dev));
  if (dev instanceof Veth && dev.peer.master) out.push(dev.peer.master);
  return out;
}

/** Notifies NETDEV_CHANGE where carrier flipped (linkwatch), bridges after their ports. */
export function refreshCarriers(devs: NetDevice[]): void {
  const ordered = [...devs.filter((d) => !(d instanceof Bridge)), ...devs.filter((d) => d instanceof Bridge)];
  for (const d of ordered) {
    if (d.master instanceof Bridge) d.master.refreshPort(d);
    const now = d.lowerUp;
    if (carrierSeen.get(d) !== now) {
      carrierSeen.set(d, now);
      if (d.ns.devices.get(d.ifindex) === d) d.ns.notify(d, "change");
    }
    if (d instanceof Bridge) {
      const b = d.lowerUp;
      if (carrierSeen.get(d) !== b) {
        carrierSeen.set(d, b);
        d.ns.notify(d, "change");
      }
    }
  }
}

export function setAdmin(dev: NetDevice, up: boolean): void {
  if (dev.adminUp === up) return;
  dev.adminUp = up;
  dev.ns.notify(dev, up ? "up" : "down");
  carrierSeen.set(dev, dev.lowerUp);
  refreshCarriers(neighbours(dev));
}

export function setMaster(dev: NetDevice, master: NetDevice | undefined): void {
  if (master === undefined) {
    const old = dev.master;
    if (old instanceof Bridge) {
      old.removePort(dev);
      refreshCarriers([dev, old]);
    }
    return;
  }
  if (!(master instanceof Bridge)) kfail("EOPNOTSUPP");
  if (master === dev) kfail("ELOOP" as never);
  if (dev instanceof Bridge) kfail("ELOOP" as never);
  if (dev.kind === "loopback") kfail("EINVAL", "Can not enslave loopback device");
  if (dev.master === master) return;
  if (dev.master instanceof Bridge) dev.master.removePort(dev);
  master.addPort(dev);
  refreshCarriers([dev, master]);
}

export function moveToNetns(dev: NetDevice, target: NetNs): void {
  if (dev.ns === target) return;
  if (dev instanceof Bridge || dev.kind === "loopback") kfail("EINVAL");
  if (target.byName(dev.name)) kfail("EEXIST");
  const affected = neighbours(dev);
  if (dev.adminUp) setAdmin(dev, false);
  if (dev.master) setMaster(dev, undefined);
  const old = dev.ns;
  old.notify(dev, "unregister");
  old.detach(dev);
  dev.ifindex = target.allocIndex(dev.ifindex);
  target.attach(dev);
  target.notify(dev, "register");
  refreshCarriers(affected.filter((d) => d.ns.devices.get(d.ifindex) === d));
}

export function rename(dev: NetDevice, name: string): void {
  if (dev.name === name) return;
  if (dev.adminUp) kfail("EBUSY");
  if (dev.ns.byName(name)) kfail("EEXIST");
  for (const a of dev.addrs4) if (a.label === dev.name) a.label = name;
  dev.name = name;
}

export function setMac(dev: NetDevice, mac: Mac): void {
  if (dev.kind === "loopback") kfail("EOPNOTSUPP");
  const old = dev.mac;
  dev.mac = mac;
  if (dev instanceof Bridge) {
    dev.macSetByUser = true;
    dev.setOwnMac(mac);
  }
  const br = dev.master;
  if (br instanceof Bridge) {
    for (const e of br.fdb) if (e.dev === dev && e.local && e.mac === old) e.mac = mac;
    br.recalcMac();
  }
}

export function setMtu(dev: NetDevice, mtu: number): void {
  if (dev.maxMtu && mtu > dev.maxMtu) kfail("EINVAL", "mtu greater than device maximum");
  if (mtu < dev.minMtu) kfail("EINVAL", "mtu less than device minimum");
  dev.mtu = mtu;
}
