// The simulated machine: every namespace of the lab, the scheduler that owns time, the
// seeded random source, and the host profile new namespaces inherit from.
import type { HostProfile } from "../../../backend.js";
import { Scheduler } from "../../engine/scheduler.js";
import { SeededRandom } from "../../engine/random.js";
import { Trace } from "../../engine/trace.js";
import { Ipv4Stack } from "../ipv4/stack.js";
import { onNetdevEvent } from "../ipv4/devinet.js";
import { bridgeNetdevEvent } from "../bridge/events.js";
import { bridgeForward, bridgeInput } from "../bridge/input.js";
import { Bridge } from "../drivers/bridge.js";
import { Veth } from "../drivers/veth.js";
import { Vxlan } from "../drivers/vxlan.js";
import type { Ip4 } from "./ip4.js";
import type { Frame, Ipv4Packet, Udp } from "./packet.js";
import type { NetDevice } from "./device.js";
import { kfail } from "./errors.js";
import { resetSkb } from "../netfilter/skb.js";
import { masqueradeCleanup } from "../netfilter/conntrack.js";
import { NetNs, type NetdevEvent } from "./netns.js";
import { newLinkwatchState, type LinkwatchState } from "./linkwatch.js";

export class World {
  readonly scheduler = new Scheduler();
  readonly rng: SeededRandom;
  readonly trace: Trace;
  /**
   * How long a program takes to run after a peer's FIN wakes it (read() returns 0). The
   * simulator's programs run at once; on a real machine the scheduler decides, and when
   * one is late by more than a delayed ACK (40 ms) its kernel acknowledges the FIN on its
   * own before the program's FIN follows. A traced probe on the kernel shows which
   * happened, and the simulator then follows it (walk/traced-probe.ts).
   */
  eofWakeupDelayMs = 0;
  readonly ipv4: Ipv4Stack;
  /** The script's root namespace (the sandbox's own in the kernel backend). */
  readonly root: NetNs;
  /** Named namespaces, as /run/netns lists them (readdir order: creation order on tmpfs is reversed). */
  readonly named = new Map<string, NetNs>();
  private nsCounter = 0;
  /** Devices waiting for linkwatch, its deferred run, RTNL nesting (linkwatch.ts). */
  readonly linkwatch: LinkwatchState = newLinkwatchState();
  /**
   * The docker daemon's state (src/sim/docker/daemon.ts, which types it: the kernel may
   * not import the daemon), made by the first docker line.
   */
  dockerd: unknown = undefined;

  constructor(
    readonly profile: HostProfile,
    seed = 1,
  ) {
    this.rng = new SeededRandom(seed);
    this.trace = new Trace(this.scheduler);
    this.ipv4 = new Ipv4Stack(this);
    this.root = this.newNs(undefined);
  }

  private newNs(name: string | undefined): NetNs {
    const ns = new NetNs(this, this.nsCounter++, name);
    this.ipv4.initNamespace(ns);
    return ns;
  }

  addNetns(name: string): NetNs {
    if (this.named.has(name)) kfail("EEXIST");
    const ns = this.newNs(name);
    this.named.set(name, ns);
    return ns;
  }

  /** A namespace no /run/netns name points to: a container's (docker's sandbox). */
  addUnnamedNetns(): NetNs {
    return this.newNs(undefined);
  }

  /** The end of an unnamed namespace whose processes were all killed (docker stop). */
  killUnnamedNetns(ns: NetNs): void {
    this.holders.delete(ns);
    this.orphans.delete(ns);
    this.destroy(ns);
  }

  /**
   * ip netns del: the name goes. The namespace dies with its devices unless a process
   * still lives in it (a background nc): then it lives on, nameless (other namespaces
   * show its nsid), until that process ends.
   */
  delNetns(name: string): void {
    const ns = this.named.get(name);
    if (!ns) kfail("ENOENT");
    this.named.delete(name);
    if (this.holders.has(ns)) this.orphans.add(ns);
    else this.destroy(ns);
  }

  /** Processes living in a namespace (get_net by a task's nsproxy): each holds it alive. */
  private holders = new Map<NetNs, number>();
  /** Namespaces without a name that only their processes keep alive. */
  private orphans = new Set<NetNs>();

  /** A background process starts living in ns; the function returned is its exit. */
  hold(ns: NetNs): () => void {
    this.holders.set(ns, (this.holders.get(ns) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.holders.get(ns) ?? 1) - 1;
      if (n > 0) return void this.holders.set(ns, n);
      this.holders.delete(ns);
      if (this.orphans.delete(ns)) this.destroy(ns);
    };
  }

  /** cleanup_net: sockets, devices and the nsid others gave it go. */
  private destroy(ns: NetNs): void {
    ns.tcp.shutdown();
    ns.udp.shutdown();
    this.ipv4.destroyNamespace(ns);
    // unhash_nsid: every namespace forgets the id it gave the dead one.
    for (const other of [...this.allNamespaces(), ...this.orphans]) other.nsids.delete(ns);
  }

  netns(name: string | undefined): NetNs | undefined {
    return name === undefined ? this.root : this.named.get(name);
  }

  allNamespaces(): NetNs[] {
    return [this.root, ...this.named.values()];
  }

  randomMacByte(): number {
    return this.rng.int(0, 255);
  }

  netdevNotifier(ns: NetNs, dev: NetDevice, event: NetdevEvent): void {
    const hadLinkLocal = dev.addrs6.some((a) => a.scope === "link");
    bridgeNetdevEvent(dev, event);
    onNetdevEvent(ns, dev, event);
    if (event === "change" || event === "up") ns.fib.carrierChanged(dev);
    ns.neigh.netdevEvent(dev, event);
    if (event === "down" || event === "unregister") masqueradeCleanup(dev);
    if (!hadLinkLocal && dev.addrs6.some((a) => a.scope === "link")) this.ipv6Chatter(dev);
  }

  /**
   * A link that just got its IPv6 link-local address speaks up: an MLD report at once
   * (igmp6_join_group sends one when joining the solicited-node group) and the DAD
   * neighbour solicitation after a random delay of up to a second (addrconf_dad_kick).
   * Bridges and VXLAN devices learn the sender's MAC from them before any ping.
   */
  private ipv6Chatter(dev: NetDevice): void {
    const send = (what: "mld-report" | "dad-ns", dst: string): void => {
      if (!dev.adminUp || !dev.lowerUp) return;
      dev.xmit({ src: dev.mac, dst, payload: { proto: "ipv6", what } });
    };
    this.scheduler.at(0, `ipv6 mld report ${dev.name}`, () =>
      send("mld-report", "33:33:00:00:00:16"),
    );
    this.scheduler.at(this.rng.int(0, 999), `ipv6 dad ${dev.name}`, () =>
      send("dad-ns", "33:33:ff:00:00:01"),
    );
  }

  /** A frame arrives on dev: the bridge's rx handler takes its ports' frames (netif_receive_skb). */
  rx(dev: NetDevice, frame: Frame): void {
    if (!dev.adminUp) return;
    // skb_scrub_packet: what netfilter knew about the packet stays on the sending side.
    if (frame.payload.proto === "ipv4" && dev.ns.netfilter) resetSkb(frame.payload);
    if (dev.master instanceof Bridge) return bridgeInput(dev.master, dev, frame);
    this.ipv4.receive(dev, frame);
  }

  bridgeForward(br: Bridge, ingress: NetDevice | undefined, frame: Frame): void {
    bridgeForward(br, ingress, frame);
  }

  /** unregister_netdevice: a veth takes its peer with it. */
  unregister(dev: NetDevice): void {
    const ns = dev.ns;
    if (!ns.devices.has(dev.ifindex)) return;
    ns.notify(dev, "unregister");
    ns.detach(dev);
    if (dev instanceof Veth && dev.peer.ns.devices.get(dev.peer.ifindex) === dev.peer) {
      this.unregister(dev.peer);
    }
    for (const other of ns.deviceList()) {
      if (other instanceof Vxlan && other.params.lower === dev) this.unregister(other);
    }
  }

  /** vxlan_xmit_one: wrap the frame in UDP and route it in the device's namespace. */
  vxlanSend(dev: Vxlan, remote: Ip4, frame: Frame): void {
    const ns = dev.ns;
    let rt;
    try {
      rt = this.ipv4.routeOutput(ns, remote, { src: dev.params.local, oif: undefined });
    } catch {
      return;
    }
    const pkt: Ipv4Packet = {
      proto: "ipv4",
      src: dev.params.local ?? rt.src,
      dst: remote,
      ttl: dev.params.ttl,
      id: ns.ipId++,
      l4: {
        proto: "udp",
        sport: 32768 + (this.rng.u32() % 28000),
        dport: dev.params.dstport,
        payload: { kind: "vxlan", vni: dev.params.vni, frame },
      },
    };
    this.ipv4.sendRouted(ns, pkt, rt);
  }

  /** vxlan_rcv: a VXLAN datagram for a local VTEP; the inner frame arrives on the device. */
  vxlanReceive(ns: NetNs, pkt: Ipv4Packet, udp: Udp): void {
    if (udp.payload.kind !== "vxlan") return;
    const { vni, frame } = udp.payload;
    for (const d of ns.deviceList()) {
      if (!(d instanceof Vxlan) || !d.adminUp) continue;
      if (d.params.vni !== vni || d.params.dstport !== udp.dport) continue;
      if (d.params.learning) d.fdb.set(frame.src, pkt.src);
      this.scheduler.at(0, `vxlan ${d.name} rx`, () => this.rx(d, frame));
      return;
    }
  }
}
