// What the core calls without knowing who answers: the kernel's registration points.
// Subsystems and drivers fill a KernelModules (kernel/boot.ts puts Linux together); the
// core reaches them only through it, so a new device kind or subsystem registers itself
// there and the core stays as it is. The core imports nothing from them (lint checks it).
import type { NetDevice } from "./device.js";
import type { LinkAttrs } from "./links.js";
import type { NetNs } from "./netns.js";
import type { Frame } from "./packet.js";
import type { World } from "./world.js";

export type NetdevEvent = "up" | "down" | "change" | "register" | "unregister" | "changename";

/** One subscriber of the netdev notifier chain (register_netdevice_notifier). */
export type NetdevNotifier = (ns: NetNs, dev: NetDevice, event: NetdevEvent) => void;

/** pernet_operations: state a subsystem keeps per namespace. */
export interface PernetOps {
  /** When a namespace is made (setup_net), in registration order. */
  init(ns: NetNs): void;
  /** When it dies (cleanup_net), in reverse registration order. */
  exit?(ns: NetNs): void;
}

/**
 * IFLA_INFO_DATA: a kind's own attributes of a new link. Each driver declares its part
 * (declaration merging), so the core names none of them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by each driver's declaration merging
export interface LinkInfoData {}

/** rtnl_link_ops: how a kind of device is made (`ip link add ... type KIND`). */
export interface LinkKindOps {
  readonly kind: string;
  /** newlink: make, configure and register the device (rtnl_newlink's part for the kind). */
  newlink(ns: NetNs, name: string | undefined, attrs: LinkAttrs, data: LinkInfoData): NetDevice;
}

export interface KernelModules {
  /** Whole-machine subsystems, set up before the first namespace (the IPv4 stack). */
  readonly boot: readonly ((world: World) => void)[];
  readonly pernet: readonly PernetOps[];
  /** The netdev notifier chain, called in order. */
  readonly netdevChain: readonly NetdevNotifier[];
  /** rtnl_link_register: the kinds `ip link add` can make. */
  readonly linkKinds: ReadonlyMap<string, LinkKindOps>;
  /** skb_scrub_packet: what a frame forgets as it enters another device (netfilter's state). */
  scrub(dev: NetDevice, frame: Frame): void;
  /** The protocol handlers (ptype_base: ip_rcv, arp_rcv) for frames no rx handler took. */
  deliver(dev: NetDevice, frame: Frame): void;
}
