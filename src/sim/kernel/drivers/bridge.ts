// A Linux bridge device (net/bridge/br_device.c, br_if.c, br_fdb.c): ports, the
// forwarding database, and the bridge's own MAC that follows its ports.
import { createActor, type Actor } from "xstate";
import { bridgePortMachine } from "../../engine/machines/bridge-port.js";
import { NetDevice } from "../core/device.js";
import { isMulticastMac, ZERO_MAC, type Mac } from "../core/mac.js";
import type { NetNs } from "../core/netns.js";
import type { Frame } from "../core/packet.js";

export interface FdbEntry {
  mac: Mac;
  /** The port the MAC was learned on, or the bridge itself for its own address. */
  dev: NetDevice;
  /** Local entries (the bridge's and its ports' own MACs) are delivered up the stack. */
  local: boolean;
  updated: number;
}

export interface BridgePort {
  dev: NetDevice;
  actor: Actor<typeof bridgePortMachine>;
}

export const AGEING_MS = 300_000;

export class Bridge extends NetDevice {
  readonly kind = "bridge" as const;
  readonly ports: BridgePort[] = [];
  /** Newest first, as the kernel's fdb list is dumped (hlist_add_head). */
  fdb: FdbEntry[] = [];
  hadPorts = false;

  constructor(ns: NetNs, ifindex: number, name: string, mac: Mac) {
    super(ns, ifindex, name, mac);
    this.fdb.unshift({ mac, dev: this, local: true, updated: 0 });
  }

  carrier(): boolean {
    // An empty bridge reports carrier; once it has had ports, only while one forwards.
    if (this.ports.length === 0) return !this.hadPorts;
    return this.ports.some((p) => this.portState(p) === "forwarding");
  }

  override operstate(): "UNKNOWN" | "UP" | "DOWN" {
    if (!this.adminUp) return "DOWN";
    if (!this.hadPorts) return "UNKNOWN";
    return this.carrier() ? "UP" : "DOWN";
  }

  portState(p: BridgePort): "forwarding" | "disabled" {
    return p.actor.getSnapshot().value as "forwarding" | "disabled";
  }

  port(dev: NetDevice): BridgePort | undefined {
    return this.ports.find((p) => p.dev === dev);
  }

  addPort(dev: NetDevice): void {
    const actor = createActor(bridgePortMachine, {
      clock: this.ns.world.scheduler,
      inspect: this.ns.world.trace.inspector(`bridge ${this.name} port ${dev.name}`),
    });
    actor.start();
    this.ports.push({ dev, actor });
    this.hadPorts = true;
    dev.master = this;
    this.fdb.unshift({ mac: dev.mac, dev, local: true, updated: this.ns.world.scheduler.now });
    this.refreshPort(dev);
    this.recalcMac();
  }

  removePort(dev: NetDevice): void {
    const p = this.port(dev);
    if (!p) return;
    p.actor.stop();
    this.ports.splice(this.ports.indexOf(p), 1);
    dev.master = undefined;
    this.fdb = this.fdb.filter((e) => e.dev !== dev);
    this.recalcMac();
  }

  /** br_port_carrier_check: a port forwards while its device is up with carrier. */
  refreshPort(dev: NetDevice): void {
    const p = this.port(dev);
    if (!p) return;
    p.actor.send({ type: dev.adminUp && dev.carrier() ? "ENABLE" : "DISABLE" });
  }

  /** br_stp_recalculate_bridge_id: the lowest port MAC, unless the user set one. */
  recalcMac(): void {
    if (this.macSetByUser) return;
    const macs = this.ports.map((p) => p.dev.mac).sort();
    const next = macs[0] ?? (this.hadPorts ? ZERO_MAC : this.mac);
    this.setOwnMac(next);
  }

  setOwnMac(mac: Mac): void {
    const own = this.fdb.find((e) => e.dev === this && e.local);
    this.mac = mac;
    if (own) own.mac = mac;
  }

  /** Live entries: learned ones age out after ageing_time (br_fdb_cleanup). */
  entries(): FdbEntry[] {
    const now = this.ns.world.scheduler.now;
    this.fdb = this.fdb.filter((e) => e.local || now - e.updated < AGEING_MS);
    return this.fdb;
  }

  lookup(mac: Mac): FdbEntry | undefined {
    return this.entries().find((e) => e.mac === mac);
  }

  /** br_fdb_update: learn or refresh where a source MAC lives. */
  learn(mac: Mac, port: NetDevice): void {
    if (isMulticastMac(mac) || mac === ZERO_MAC) return;
    const e = this.lookup(mac);
    const now = this.ns.world.scheduler.now;
    if (e) {
      if (e.local) return;
      e.dev = port;
      e.updated = now;
      return;
    }
    this.fdb.unshift({ mac, dev: port, local: false, updated: now });
  }

  /** br_dev_xmit: frames the host sends through the bridge. */
  xmit(frame: Frame): void {
    if (!this.adminUp) return;
    this.ns.world.bridgeForward(this, undefined, frame);
  }
}
