// The simulated machine: every namespace of the lab, the scheduler that owns time, the
// seeded random source, and the host profile new namespaces inherit from.
import type { HostProfile } from "../../../backend.js";
import { Scheduler } from "../../engine/scheduler.js";
import { SeededRandom } from "../../engine/random.js";
import { Trace } from "../../engine/trace.js";
import type { Frame } from "./packet.js";
import type { NetDevice } from "./device.js";
import type { Tap } from "./tap.js";
import { kfail } from "./errors.js";
import type { KernelModules } from "./modules.js";
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
  /**
   * Userland's own tables (processes, the shell's jobs, nsfs mounts, the pid counter),
   * kept here so that a world holds all of its state; src/sim/userland/world-slot.ts types
   * each slot (the kernel may not import userland).
   */
  readonly userland = new Map<string, unknown>();
  /** Open packet sockets (tap.ts): what tcpdump captures with. */
  readonly taps = new Set<Tap>();

  constructor(
    readonly profile: HostProfile,
    /** The subsystems and drivers this kernel is built with (kernel/boot.ts). */
    readonly modules: KernelModules,
    seed = 1,
  ) {
    this.rng = new SeededRandom(seed);
    this.trace = new Trace(this.scheduler);
    for (const init of modules.boot) init(this);
    this.root = this.newNs(undefined);
  }

  private newNs(name: string | undefined): NetNs {
    const ns = new NetNs(this, this.nsCounter++, name);
    for (const ops of this.modules.pernet) ops.init(ns);
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

  /**
   * ip netns attach: a name for the namespace a process lives in (a container's). The
   * name's bind mount holds it, as `ip netns add`'s does.
   */
  attachNetns(name: string, ns: NetNs): void {
    if (this.named.has(name)) kfail("EEXIST");
    this.named.set(name, ns);
    this.orphans.delete(ns);
  }

  /** The end of an unnamed namespace whose processes were all killed (docker stop). */
  killUnnamedNetns(ns: NetNs): void {
    this.holders.delete(ns);
    // A name given it since (ip netns attach) keeps it alive.
    if ([...this.named.values()].includes(ns)) return;
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
    // The init (PID 1) lives in the root namespace: a name given it (ip netns attach) goes alone.
    if (ns === this.root) return;
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
    for (const ops of [...this.modules.pernet].reverse()) ops.exit?.(ns);
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

  /** call_netdevice_notifiers: every subscriber of the chain, in order. */
  netdevNotifier(ns: NetNs, dev: NetDevice, event: NetdevEvent): void {
    for (const n of this.modules.netdevChain) n(ns, dev, event);
  }

  /**
   * A frame arrives on dev (__netif_receive_skb): scrubbed of what the sending side knew,
   * then the device's rx handler takes it (a bridge port's) or the protocols do.
   */
  rx(dev: NetDevice, frame: Frame): void {
    if (!dev.adminUp) return;
    this.modules.scrub(dev, frame);
    const handler = dev.rxHandler;
    if (handler) return handler(dev, frame);
    this.modules.deliver(dev, frame);
  }

  /**
   * unregister_netdevice: the kind's dellink takes its companions (a veth's peer), and
   * devices stacked on this one (a VXLAN on its underlay) go with it.
   */
  unregister(dev: NetDevice): void {
    const ns = dev.ns;
    if (!ns.devices.has(dev.ifindex)) return;
    ns.notify(dev, "unregister");
    ns.detach(dev);
    for (const other of dev.dellinkAlso()) {
      if (other.ns.devices.get(other.ifindex) === other) this.unregister(other);
    }
    for (const other of ns.deviceList()) {
      if (other.lowerDevice() === dev) this.unregister(other);
    }
  }
}
