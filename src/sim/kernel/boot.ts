// The simulated Linux put together: which subsystems keep state per namespace, who listens
// on the netdev notifier chain and in which order, which device kinds `ip link add` can
// make, and who receives frames. The core (kernel/core) reaches all of them only through
// this table (core/modules.ts); adding a device kind or a subsystem edits this file, not
// the core.
import type { HostProfile } from "../../backend.js";
import { bridgeNetdevEvent } from "./bridge/events.js";
import type { KernelModules, NetdevNotifier } from "./core/modules.js";
import { World } from "./core/world.js";
import { bridgeLinkOps } from "./drivers/bridge.js";
import { vethLinkOps } from "./drivers/veth.js";
import { vxlanLinkOps } from "./drivers/vxlan.js";
import { addrconfNotifier } from "./ipv4/devinet.js";
import { Fib } from "./ipv4/fib.js";
import { PmtuCache } from "./ipv4/pmtu.js";
import { NeighTable } from "./ipv4/neigh.js";
import { Ipv4Stack } from "./ipv4/stack.js";
import { masqueradeCleanup } from "./netfilter/conntrack.js";
import { resetSkb } from "./netfilter/skb.js";
import { PingSockets } from "./sockets/ping.js";
import { TcpTable } from "./sockets/tcp.js";
import { UdpTable } from "./sockets/udp.js";
import { Inet6Wildcards } from "./sockets/inet6.js";

/** The netdev notifier chain, in the order the subsystems registered on it. */
const NETDEV_CHAIN: NetdevNotifier[] = [
  // br_device_event: a port's state follows its device.
  (_ns, dev, event) => bridgeNetdevEvent(dev, event),
  // inetdev_event, fib_netdev_event, addrconf_notify.
  addrconfNotifier,
  (ns, dev, event) => {
    if (event === "change" || event === "up") ns.fib.carrierChanged(dev);
  },
  // neigh_changeaddr / neigh_ifdown (arp_netdev_event).
  (ns, dev, event) => ns.neigh.netdevEvent(dev, event),
  // masq_device_event: MASQUERADE entries through the device go.
  (_ns, dev, event) => {
    if (event === "down" || event === "unregister") masqueradeCleanup(dev);
  },
];

export const LINUX: KernelModules = {
  boot: [(world) => Object.assign(world, { ipv4: new Ipv4Stack(world) })],
  // Exits run in reverse: sockets close before the namespace's devices go.
  pernet: [
    { init: (ns) => Object.assign(ns, { fib: new Fib(ns) }) },
    { init: (ns) => Object.assign(ns, { neigh: new NeighTable(ns) }) },
    { init: (ns) => Object.assign(ns, { pmtu: new PmtuCache() }) },
    { init: (ns) => Object.assign(ns, { pingSockets: new PingSockets(ns) }) },
    // loopback_net_init; default_device_exit unregisters every device.
    {
      init: (ns) => ns.world.ipv4.initNamespace(ns),
      exit: (ns) => ns.world.ipv4.destroyNamespace(ns),
    },
    { init: (ns) => Object.assign(ns, { udp: new UdpTable(ns) }), exit: (ns) => ns.udp.shutdown() },
    { init: (ns) => Object.assign(ns, { tcp: new TcpTable(ns) }), exit: (ns) => ns.tcp.shutdown() },
    {
      init: (ns) => Object.assign(ns, { inet6: new Inet6Wildcards(ns) }),
      exit: (ns) => ns.inet6.shutdown(),
    },
  ],
  netdevChain: NETDEV_CHAIN,
  linkKinds: new Map([vethLinkOps, bridgeLinkOps, vxlanLinkOps].map((k) => [k.kind, k])),
  scrub: (dev, frame) => {
    // What netfilter knew about the packet stays on the sending side.
    if (frame.payload.proto === "ipv4" && dev.ns.netfilter) resetSkb(frame.payload);
  },
  deliver: (dev, frame) => dev.ns.world.ipv4.receive(dev, frame),
};

/** A new simulated machine running this kernel. */
export function bootWorld(profile: HostProfile, seed?: number): World {
  return new World(profile, LINUX, seed);
}
