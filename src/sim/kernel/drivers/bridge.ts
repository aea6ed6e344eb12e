// A Linux bridge device (net/bridge/br_device.c, br_if.c, br_fdb.c): ports, the
// forwarding database, and the bridge's own MAC that follows its ports.
import { createActor, type Actor } from "xstate";
import { bridgePortMachine, type BridgePortState } from "../../engine/machines/bridge-port.js";
import { countTx, NetDevice, type MasterOps } from "../core/device.js";
import { kfail } from "../core/errors.js";
import {
  claimName,
  configure,
  countCarrier,
  macFor,
  register,
  setAdmin,
  type LinkAttrs,
} from "../core/links.js";
import { linkwatchFire, rtnlRequest } from "../core/linkwatch.js";
import { portCost } from "../bridge/port-cost.js";
import { isMulticastMac, ZERO_MAC, type Mac } from "../core/mac.js";
import type { LinkKindOps } from "../core/modules.js";
import type { NetNs } from "../core/netns.js";
import type { Frame } from "../core/packet.js";
import { bridgeForward, bridgeInput, resumeBridgedDnat } from "../bridge/input.js";

declare module "../core/modules.js" {
  interface LinkInfoData {
    /** IFLA_BR_*. */
    bridge?: Partial<BridgeOptions>;
  }
}

export interface FdbEntry {
  mac: Mac;
  /** The port the MAC was learned on, or the bridge itself for its own address. */
  dev: NetDevice;
  /** Local entries (the bridge's and its ports' own MACs) are delivered up the stack. */
  local: boolean;
  updated: number;
}

/** Per-port options `ip link set X type bridge_slave ...` changes (hairpin lives on the device). */
export interface PortOptions {
  learning: boolean;
  flood: boolean;
  mcastFlood: boolean;
  bcastFlood: boolean;
  proxyArp: boolean;
  neighSuppress: boolean;
  isolated: boolean;
}

export interface BridgePort {
  dev: NetDevice;
  actor: Actor<typeof bridgePortMachine>;
  /** port_no: the lowest free number from 1 (find_portno). */
  no: number;
  /** STP priority (default 32) and path cost (from the link speed: 2 for veth, 100 unknown). */
  priority: number;
  cost: number;
  options: PortOptions;
}

/** IFLA_BR_* values `ip link add type bridge ...` sets (times in centiseconds, as iproute2 takes them). */
export interface BridgeOptions {
  forwardDelay: number;
  helloTime: number;
  maxAge: number;
  ageingTime: number;
  stpState: number;
  priority: number;
  vlanFiltering: number;
  mcastSnooping: number;
  nfCallIptables: number;
  nfCallIp6tables: number;
  nfCallArptables: number;
}

export const BRIDGE_DEFAULTS: BridgeOptions = {
  forwardDelay: 1500,
  helloTime: 200,
  maxAge: 2000,
  ageingTime: 30000,
  stpState: 0,
  priority: 32768,
  vlanFiltering: 0,
  mcastSnooping: 1,
  nfCallIptables: 0,
  nfCallIp6tables: 0,
  nfCallArptables: 0,
};

export const AGEING_MS = 300_000;

/** TSO_MAX_SIZE: a bridge's tso limit once it has had ports (br_set_gso_limits). */
const TSO_MAX_SIZE = 524280;

export class Bridge extends NetDevice implements MasterOps {
  readonly kind = "bridge" as const;
  readonly ports: BridgePort[] = [];
  /** The ports by device, so a frame's port is found in constant time at any bridge size. */
  private readonly portByDev = new Map<NetDevice, BridgePort>();
  /** Every port number below this one is taken (find_portno's search starts here). */
  private freePortNo = 1;
  private readonly usedPortNos = new Set<number>();
  /**
   * Newest first, as the kernel's fdb list is dumped (hlist_add_head). Only this class
   * changes it (through fdbAdd and fdbKeep, which keep fdbIndex in step).
   */
  fdb: FdbEntry[] = [];
  /** The first entry of `fdb` for each MAC (what a lookup finds), kept in step with it. */
  private fdbIndex = new Map<Mac, FdbEntry>();
  hadPorts = false;
  /**
   * br_port_state_selection has run (a port came or went, or br_stp_change_bridge_id ran
   * when an address was set): from then on, without a forwarding port, no carrier.
   */
  stateSelected = false;
  readonly options: BridgeOptions;
  /** Bridge id MAC: zero until the first port recalculates it (br_stp_recalculate_bridge_id). */
  bridgeIdMac: Mac = ZERO_MAC;
  /** When the bridge was last opened: gc_work first runs HZ/10 later (br_stp_enable_bridge). */
  openedAt = 0;

  constructor(
    ns: NetNs,
    ifindex: number,
    name: string,
    mac: Mac,
    options: Partial<BridgeOptions> = {},
  ) {
    super(ns, ifindex, name, mac);
    this.options = { ...BRIDGE_DEFAULTS, ...options };
    this.fdbAdd({ mac, dev: this, local: true, updated: 0 });
  }

  override get masterOps(): MasterOps {
    return this;
  }

  override get netnsLocal(): boolean {
    return true;
  }

  /** br_dev_open: the fdb's garbage collection starts counting from here. */
  override open(): void {
    this.openedAt = this.ns.world.scheduler.now;
  }

  /** br_set_mac_address: the user's MAC sticks; the bridge id follows it. */
  override setMacAddress(mac: Mac): void {
    this.mac = mac;
    this.macSetByUser = true;
    this.setOwnMac(mac);
    this.bridgeIdMac = mac;
    // br_stp_change_bridge_id -> br_port_state_selection: with no port, no carrier.
    this.stateSelected = true;
    countCarrier(this);
  }

  /** br_change_mtu: the bridge stops following its ports' MTU. */
  override changeMtu(mtu: number): void {
    this.mtu = mtu;
    this.mtuSetByUser = true;
  }

  /** br_add_if's checks: only Ethernet devices with a valid MAC, never a bridge, never loopback. */
  addSlave(dev: NetDevice): void {
    if (dev.kind === "loopback" || dev.mac === ZERO_MAC || isMulticastMac(dev.mac)) kfail("EINVAL");
    if (dev instanceof Bridge) kfail("ELOOP", "Can not enslave a bridge to a bridge");
    this.addPort(dev);
  }

  delSlave(dev: NetDevice): void {
    this.removePort(dev);
  }

  slaves(): NetDevice[] {
    return this.ports.map((p) => p.dev);
  }

  slaveChanged(dev: NetDevice): void {
    this.refreshPort(dev);
  }

  /** br_device_event NETDEV_CHANGEADDR: the port's own fdb entry follows, then the bridge id. */
  slaveMacChanged(dev: NetDevice, old: Mac): void {
    for (const e of this.fdb) if (e.dev === dev && e.local && e.mac === old) e.mac = dev.mac;
    this.fdbKeep(() => true);
    this.recalcMac();
  }

  slaveMtuChanged(): void {
    this.adjustMtu();
  }

  get ageingMs(): number {
    return this.options.ageingTime * 10;
  }

  carrier(): boolean {
    // An empty bridge reports carrier; once it has had ports, only while one forwards.
    if (this.ports.length === 0) return !this.hadPorts && !this.stateSelected;
    return this.ports.some((p) => this.portState(p) === "forwarding");
  }

  portState(p: BridgePort): BridgePortState {
    return p.actor.getSnapshot().value as BridgePortState;
  }

  port(dev: NetDevice): BridgePort | undefined {
    return this.portByDev.get(dev);
  }

  addPort(dev: NetDevice): void {
    const actor = createActor(bridgePortMachine, {
      clock: this.ns.world.scheduler,
      inspect: this.ns.world.trace.inspector({
        ns: this.ns.scriptName,
        kind: "bridge",
        key: `${this.name} port ${dev.name}`,
      }),
    });
    actor.start();
    let no = this.freePortNo;
    while (this.usedPortNos.has(no)) no++;
    this.freePortNo = no + 1;
    this.usedPortNos.add(no);
    const port: BridgePort = {
      dev,
      actor,
      no,
      priority: 32,
      cost: portCost(dev),
      options: {
        learning: true,
        flood: true,
        mcastFlood: true,
        bcastFlood: true,
        proxyArp: false,
        neighSuppress: false,
        isolated: false,
      },
    };
    this.ports.push(port);
    this.portByDev.set(dev, port);
    this.hadPorts = true;
    dev.master = this;
    // netdev_rx_handler_register: the port's frames come to the bridge (br_handle_frame).
    dev.rxHandler = (port, frame) => bridgeInput(this, port, frame);
    this.fdbAdd({ mac: dev.mac, dev, local: true, updated: this.ns.world.scheduler.now });
    this.refreshPort(dev);
    this.recalcMac();
    this.portsChanged();
    // br_add_if: the bridge's link state is re-evaluated (an empty bridge that was UNKNOWN
    // becomes UP or DOWN) when linkwatch next looks at it.
    if (this.adminUp) linkwatchFire(this);
  }

  removePort(dev: NetDevice): void {
    const p = this.port(dev);
    if (!p) return;
    p.actor.stop();
    this.ports.splice(this.ports.indexOf(p), 1);
    this.portByDev.delete(dev);
    this.usedPortNos.delete(p.no);
    this.freePortNo = Math.min(this.freePortNo, p.no);
    dev.master = undefined;
    dev.rxHandler = undefined;
    dev.hairpin = false;
    this.fdbKeep((e) => e.dev !== dev);
    this.recalcMac();
    this.portsChanged();
  }

  /** br_mtu_auto_adjust and br_set_gso_limits after a port joins or leaves. */
  private portsChanged(): void {
    this.adjustMtu();
    let tso = TSO_MAX_SIZE;
    for (const p of this.ports) tso = Math.min(tso, p.dev.tsoMaxSize);
    this.tsoMaxSize = tso;
  }

  /** br_mtu_auto_adjust: the smallest port MTU (1500 without ports), unless the user set one. */
  adjustMtu(): void {
    if (this.mtuSetByUser) return;
    let mtu = Infinity;
    for (const p of this.ports) mtu = Math.min(mtu, p.dev.mtu);
    this.mtu = this.ports.length > 0 ? mtu : 1500;
  }

  /**
   * br_port_carrier_check, br_stp_enable_port/br_stp_disable_port: a port forwards while
   * the bridge is up and its device is up with carrier (STP off: no listening/learning).
   */
  refreshPort(dev: NetDevice): void {
    const p = this.port(dev);
    if (!p) return;
    const enable = this.adminUp && dev.adminUp && dev.carrier();
    const wasEnabled = this.portState(p) !== "disabled";
    p.actor.send(
      enable ? { type: "ENABLE", at: this.ns.world.scheduler.now } : { type: "DISABLE" },
    );
    // br_stp_disable_port -> br_fdb_delete_by_port(do_all 0): what the port learned goes.
    if (wasEnabled && !enable) this.fdbKeep((e) => e.dev !== dev || e.local);
  }

  /** br_stp_recalculate_bridge_id: the lowest port MAC, unless the user set one. */
  recalcMac(): void {
    // The lowest MAC in one pass (no sort: this runs for every port added).
    let lowest: Mac | undefined;
    for (const p of this.ports) if (lowest === undefined || p.dev.mac < lowest) lowest = p.dev.mac;
    if (lowest !== undefined || this.hadPorts) this.bridgeIdMac = lowest ?? ZERO_MAC;
    if (this.macSetByUser) {
      this.bridgeIdMac = this.mac;
      return;
    }
    const next = lowest ?? (this.hadPorts ? ZERO_MAC : this.mac);
    this.setOwnMac(next);
  }

  /**
   * br_fdb_change_mac_address: the old own entry goes; the new one is added only when no
   * entry holds that MAC yet (a port's own entry keeps it when the bridge takes its MAC).
   */
  setOwnMac(mac: Mac): void {
    this.mac = mac;
    for (const e of this.fdb.filter((x) => x.dev === this && x.local)) this.fdbRemove(e);
    if (mac !== ZERO_MAC && !this.fdbIndex.has(mac)) {
      this.fdbAdd({ mac, dev: this, local: true, updated: this.ns.world.scheduler.now });
    }
  }

  /** hlist_add_head: a new entry goes first, so a lookup of its MAC finds it. */
  private fdbAdd(e: FdbEntry): void {
    this.fdb.unshift(e);
    this.fdbIndex.set(e.mac, e);
  }

  /** Removes one entry; the next one with its MAC, if any, is what a lookup finds now. */
  private fdbRemove(e: FdbEntry): void {
    const i = this.fdb.indexOf(e);
    if (i < 0) return;
    this.fdb.splice(i, 1);
    if (this.fdbIndex.get(e.mac) !== e) return;
    const next = this.fdb.find((x) => x.mac === e.mac);
    if (next) this.fdbIndex.set(e.mac, next);
    else this.fdbIndex.delete(e.mac);
  }

  /** Keeps the entries `keep` accepts, and the index with them. */
  private fdbKeep(keep: (e: FdbEntry) => boolean): void {
    this.fdb = this.fdb.filter(keep);
    this.fdbIndex = new Map();
    for (let i = this.fdb.length - 1; i >= 0; i--)
      this.fdbIndex.set(this.fdb[i]!.mac, this.fdb[i]!);
  }

  /** Live entries: learned ones age out after ageing_time (br_fdb_cleanup). */
  entries(): FdbEntry[] {
    const now = this.ns.world.scheduler.now;
    if (this.fdb.some((e) => !e.local && now - e.updated >= this.ageingMs))
      this.fdbKeep((e) => e.local || now - e.updated < this.ageingMs);
    return this.fdb;
  }

  /** The first live entry for `mac`, as a lookup after br_fdb_cleanup finds it. */
  lookup(mac: Mac): FdbEntry | undefined {
    const e = this.fdbIndex.get(mac);
    if (!e || e.local || this.ns.world.scheduler.now - e.updated < this.ageingMs) return e;
    // The first one has aged out: clean up as entries() does, then look again.
    return this.entries().find((x) => x.mac === mac);
  }

  /** br_fdb_update: learn or refresh where a source MAC lives. */
  /** Returns whether the entry is new or moved to this port. */
  learn(mac: Mac, port: NetDevice): boolean {
    if (isMulticastMac(mac) || mac === ZERO_MAC) return false;
    const p = this.port(port);
    if (p && !p.options.learning) return false;
    const e = this.lookup(mac);
    const now = this.ns.world.scheduler.now;
    if (e) {
      if (e.local) return false;
      const moved = e.dev !== port;
      e.dev = port;
      e.updated = now;
      return moved;
    }
    this.fdbAdd({ mac, dev: port, local: false, updated: now });
    return true;
  }

  /** Remaining time of the fdb garbage collector (gc_work), in ms; 0 while the bridge is down. */
  gcTimerMs(): number {
    if (!this.adminUp) return 0;
    const first = this.openedAt + 100;
    const now = this.ns.world.scheduler.now;
    if (now < first) return first - now;
    const period = Math.max(10, this.ageingMs);
    return period - ((now - first) % period);
  }

  /** Remaining time of a port's forward_delay timer, armed when it started forwarding. */
  forwardDelayTimerMs(p: BridgePort): number {
    if (this.portState(p) !== "forwarding" || this.options.forwardDelay === 0) return 0;
    const left =
      p.actor.getSnapshot().context.since +
      this.options.forwardDelay * 10 -
      this.ns.world.scheduler.now;
    return Math.max(0, left);
  }

  /** br_dev_xmit: frames the host sends through the bridge. */
  xmit(frame: Frame): void {
    if (!this.adminUp) return;
    if (resumeBridgedDnat(this, frame)) return;
    countTx(this, frame);
    bridgeForward(this, undefined, frame);
  }
}

function bridgeNewlink(
  ns: NetNs,
  name: string | undefined,
  attrs: LinkAttrs,
  { bridge: options = {} }: { bridge?: Partial<BridgeOptions> },
): Bridge {
  return rtnlRequest(ns.world, () => {
    const n = claimName(ns, name ?? "bridge%d");
    const br = new Bridge(ns, ns.allocIndex(), n, macFor(ns), options);
    configure(br, attrs);
    if (attrs.mac !== undefined) {
      br.macSetByUser = true;
      br.setOwnMac(attrs.mac);
      br.bridgeIdMac = attrs.mac;
    }
    register(ns, br);
    if (attrs.mac !== undefined) {
      // br_dev_newlink with IFLA_ADDRESS, after register_netdevice: br_stp_change_bridge_id,
      // whose br_port_state_selection finds no port and turns the carrier off.
      br.stateSelected = true;
      countCarrier(br);
    }
    if (attrs.up) setAdmin(br, true);
    return br;
  });
}

export const bridgeLinkOps: LinkKindOps = { kind: "bridge", newlink: bridgeNewlink };
