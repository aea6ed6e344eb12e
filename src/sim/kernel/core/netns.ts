// A network namespace: its devices, routing tables and rules, neighbour table and sysctls.
import { ROOT_DISPLAY, ROOT_NS, type NsName } from "../../../backend/trace-types.js";
import type { NetDevice } from "./device.js";
import { KernelError, kfail } from "./errors.js";
import { BRIDGE_NF_DEFAULTS, IPV4_CONF_DEFAULTS, IPV4_SCALARS } from "./sysctl.js";
import type { NetdevEvent } from "./modules.js";
import type { World } from "./world.js";

export type { NetdevEvent };

/**
 * A namespace. What subsystems keep per namespace (the FIB, the neighbour table, socket
 * tables, netfilter's tables) they declare on NetNs themselves (declaration merging) and
 * set up from their pernet init (core/modules.ts).
 */
export class NetNs {
  readonly devices = new Map<number, NetDevice>();
  /** Next ifindex to try (dev_index_reserve allocates cyclically per namespace). */
  private nextIndex = 1;
  readonly sysctl = new Map<string, string>();
  readonly confAll = new Map<string, string>();
  readonly confDefault = new Map<string, string>();
  /** net.ipv6.conf.{all,default}.disable_ipv6 (the only IPv6 settings modelled). */
  ipv6DisabledAll = false;
  ipv6DisabledDefault = false;
  /** nsid this namespace gave other namespaces (peernet2id_alloc), in allocation order. */
  readonly nsids: Map<NetNs, number> = new NsidMap();
  /**
   * The devices by name, kept by attach, detach and renamed(): a name is looked up on
   * most lines, and a scan of every device would grow with the world.
   */
  private readonly names = new Map<string, NetDevice>();
  /** Long-lived per-host state (inet_peer): the ICMP error token buckets. */
  readonly inetPeers = new Map<number, { tokens: number; last: number }>();
  /** IP ids for locally generated datagrams. */
  ipId = 0;

  constructor(
    readonly world: World,
    readonly id: number,
    public name: string | undefined,
  ) {
    for (const [k, v] of Object.entries(IPV4_SCALARS)) this.sysctl.set(k, v);
    for (const [k, v] of Object.entries(IPV4_CONF_DEFAULTS)) {
      this.confAll.set(k, v);
      this.confDefault.set(k, v);
    }
    // A new namespace copies the initial namespace's IPv4 settings (devinet.c, devconf_inherit_init_net=0).
    for (const [k, v] of Object.entries(world.profile.ipv4)) this.writeInherited(k, v);
    // br_netfilter's settings exist only where the module is loaded (one set per namespace).
    if (world.profile.brNetfilter) {
      for (const [k, v] of Object.entries({ ...BRIDGE_NF_DEFAULTS, ...world.profile.brNetfilter }))
        this.sysctl.set(k, v);
    }
  }

  private writeInherited(key: string, value: string): void {
    const m = /^net\.ipv4\.conf\.(all|default)\.(.+)$/.exec(key);
    if (m) (m[1] === "all" ? this.confAll : this.confDefault).set(m[2]!, value);
    else this.sysctl.set(key, value);
    if (key === "net.ipv4.ip_forward" || key === "net.ipv4.conf.all.forwarding") {
      this.sysctl.set("net.ipv4.ip_forward", value);
      this.confAll.set("forwarding", value);
      this.confDefault.set("forwarding", value);
    }
  }

  get displayName(): string {
    return this.name ?? this.traceLabel ?? ROOT_DISPLAY;
  }

  /**
   * What traces call a namespace no `ip netns` name points to, other than the root: a
   * container's is "NAME (container)", as diagrams title it (src/diagram/containers.ts).
   */
  traceLabel: string | undefined;

  /** The name as the script gives it, ROOT_NS for the root: how traces name namespaces. */
  get scriptName(): NsName {
    return (this.name ?? this.traceLabel ?? ROOT_NS) as NsName;
  }

  allocIndex(wanted?: number): number {
    if (wanted !== undefined && !this.devices.has(wanted)) return wanted;
    while (this.devices.has(this.nextIndex)) this.nextIndex++;
    return this.nextIndex++;
  }

  /** Devices in ifindex order (the order the kernel dumps them). */
  deviceList(): NetDevice[] {
    return [...this.devices.values()].sort((a, b) => a.ifindex - b.ifindex);
  }

  byName(name: string): NetDevice | undefined {
    const d = this.names.get(name);
    if (d === undefined || (d.name === name && this.devices.get(d.ifindex) === d)) return d;
    // A stale entry (a rename not reported): look the slow way and mend the index.
    this.names.delete(name);
    for (const x of this.devices.values()) {
      if (x.name === name) {
        this.names.set(name, x);
        return x;
      }
    }
    return undefined;
  }

  /** dev_change_name: the name index follows (call after dev.name changed). */
  renamed(dev: NetDevice, old: string): void {
    if (this.names.get(old) === dev) this.names.delete(old);
    this.names.set(dev.name, dev);
  }

  mustGet(name: string): NetDevice {
    const d = this.byName(name);
    if (!d) throw new KernelError("ENODEV");
    return d;
  }

  attach(dev: NetDevice): void {
    if (this.byName(dev.name)) kfail("EEXIST");
    this.devices.set(dev.ifindex, dev);
    this.names.set(dev.name, dev);
    dev.ns = this;
    for (const [k, v] of this.confDefault) dev.conf.set(k, v);
    // The inet6_dev is made here (register, or a move into this namespace): ipv6_add_dev
    // copies devconf_dflt.
    dev.ipv6Disabled = this.ipv6DisabledDefault;
  }

  detach(dev: NetDevice): void {
    this.devices.delete(dev.ifindex);
    if (this.names.get(dev.name) === dev) this.names.delete(dev.name);
  }

  /** nsid of another namespace as seen from here, allocated on first use (peernet2id_alloc: lowest free id). */
  nsidOf(other: NetNs): number {
    let id = this.nsids.get(other);
    if (id === undefined) {
      id = (this.nsids as NsidMap).lowestFree();
      this.nsids.set(other, id);
    }
    return id;
  }

  forwarding(dev: NetDevice): boolean {
    return dev.conf.get("forwarding") === "1";
  }

  confValue(dev: NetDevice, key: string): number {
    // Most IPv4 conf values are the max of all and the device (IN_DEV_MAXCONF), some are OR-ed.
    return Math.max(Number(this.confAll.get(key) ?? "0"), Number(dev.conf.get(key) ?? "0"));
  }

  /** Dispatches a device event to the subsystems that listen (call_netdevice_notifiers). */
  notify(dev: NetDevice, event: NetdevEvent): void {
    this.world.netdevNotifier(this, dev, event);
  }
}

/**
 * The nsids a namespace gave (a Map to its users) that also knows which ids are taken, so
 * the lowest free one is found without looking at every id (1,000 namespaces: 1,000 ids).
 */
class NsidMap extends Map<NetNs, number> {
  /** How many namespaces hold each id (one, unless set() was given a taken id). */
  private readonly used = new Map<number, number>();
  /** Every id below this one is taken. */
  private freeFrom = 0;

  override set(ns: NetNs, id: number): this {
    const old = super.get(ns);
    if (old !== undefined) this.release(old);
    super.set(ns, id);
    // Map's constructor calls set() before the fields exist (it is given no entries here).
    if (this.used === undefined) return this;
    this.used.set(id, (this.used.get(id) ?? 0) + 1);
    return this;
  }

  override delete(ns: NetNs): boolean {
    const id = super.get(ns);
    if (id === undefined) return false;
    this.release(id);
    return super.delete(ns);
  }

  override clear(): void {
    this.used.clear();
    this.freeFrom = 0;
    super.clear();
  }

  /** peernet2id_alloc's idr_alloc from 0: the lowest id no namespace holds. */
  lowestFree(): number {
    while (this.used.has(this.freeFrom)) this.freeFrom++;
    return this.freeFrom;
  }

  private release(id: number): void {
    const n = this.used.get(id) ?? 0;
    if (n > 1) this.used.set(id, n - 1);
    else {
      this.used.delete(id);
      if (id < this.freeFrom) this.freeFrom = id;
    }
  }
}
