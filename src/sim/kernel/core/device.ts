// Network devices: what every driver shares (name, index, MAC, flags, addresses) and the
// operational state the kernel derives from admin state and carrier (RFC 2863 operstate).
import type { Ip4 } from "./ip4.js";
import type { Mac } from "./mac.js";
import { wireUnits } from "./frag.js";
import { ipLength, ipv6Length, type Frame } from "./packet.js";
import type { NetNs } from "./netns.js";
import { runTaps } from "./tap.js";

/** IFLA_INFO_KIND; a kind registered later (core/modules.ts) brings its own name. */
export type DeviceKind = "loopback" | "veth" | "bridge" | "vxlan" | (string & {});

export interface IfAddr4 {
  addr: Ip4;
  plen: number;
  /** Broadcast address when set with `brd` or `brd +`; 0 when none. */
  broadcast: Ip4;
  scope: "global" | "host" | "link";
  label: string;
  secondary: boolean;
  noprefixroute: boolean;
}

export interface IfAddr6 {
  /** Canonical text form (inet_ntop). */
  addr: string;
  plen: number;
  scope: "link" | "host" | "global";
  /** DAD not finished yet (addrconf_dad_start): shown as `tentative`. */
  tentative: boolean;
  /** IFA_F_NODAD: the address was added with `nodad` and is never tentative. */
  nodad?: boolean;
  /** IFA_F_NOPREFIXROUTE. */
  noprefixroute?: boolean;
  /** Made by addrconf itself (the EUI-64 link-local, ::1), not by `ip addr add`. */
  auto?: boolean;
  /** A DAD run is scheduled for this address. */
  dadRunning?: boolean;
}

export type OperState = "UNKNOWN" | "UP" | "DOWN" | "LOWERLAYERDOWN";

/** Interface counters (struct rtnl_link_stats64), the ones `ip -s link` prints. */
export interface LinkStats {
  rxPackets: number;
  rxBytes: number;
  rxDropped: number;
  multicast: number;
  txPackets: number;
  txBytes: number;
  txDropped: number;
}

export abstract class NetDevice {
  abstract readonly kind: DeviceKind;
  adminUp = false;
  /** The device has been up once: its root qdisc is attached (dev_activate) and stays. */
  everUp = false;
  mtu = 1500;
  minMtu = 68;
  maxMtu = 65535;
  /** The user set the MTU (a bridge stops following its ports' MTU: BROPT_MTU_SET_BY_USER). */
  mtuSetByUser = false;
  addrs4: IfAddr4[] = [];
  addrs6: IfAddr6[] = [];
  /** addrconf configured the link in this up period (IF_READY): the link-local is made once. */
  ipv6Ready = false;
  /** idev->cnf.addr_gen_mode (`ip link set DEV addrgenmode`): none makes no link-local. */
  addrGenMode: "eui64" | "none" = "eui64";
  /** idev->cnf.disable_ipv6 (net.ipv6.conf.DEV.disable_ipv6): no IPv6 addresses nor routes. */
  ipv6Disabled = false;
  /** Bridge this device is a port of (same namespace). */
  master: NetDevice | undefined;
  /** User set the MAC with `ip link set address` (a bridge stops following its ports). */
  macSetByUser = false;
  /** Per-device IPv4 sysctls (net.ipv4.conf.DEV.*). */
  conf = new Map<string, string>();
  /** `ip link set X type bridge_slave hairpin on`. */
  hairpin = false;
  /** Multicast link-layer addresses joined on this device (shown by bridge fdb as self permanent). */
  mcastMacs: Mac[] = [];
  /** IFF_NOARP (`arp off`), IFF_MULTICAST (`multicast on|off`). */
  noarp = false;
  multicast = true;
  /** Flags the user asked for (dev->gflags): IFF_PROMISC and IFF_ALLMULTI as shown. */
  userPromisc = false;
  userAllmulti = false;
  txqlen = 1000;
  group = 0;
  alias: string | undefined;
  /** dev->operstate as linkwatch last computed it (rfc2863_policy); UNKNOWN until then. */
  linkOper: OperState = "UNKNOWN";
  /** The qdisc is attached (dev_activate); an up device without carrier waits for it. */
  activated = false;
  /** Times the carrier went on or off (IFLA_CARRIER_CHANGES). */
  carrierChanges = 0;
  /** The driver's carrier bit as links.ts last saw it, to count IFLA_CARRIER_CHANGES. */
  carrierBit: boolean | undefined;
  stats: LinkStats = {
    rxPackets: 0,
    rxBytes: 0,
    rxDropped: 0,
    multicast: 0,
    txPackets: 0,
    txBytes: 0,
    txDropped: 0,
  };
  /** Queue counts and offload limits `ip -d link` prints (values the kernel gives each driver). */
  numTxQueues = 1;
  numRxQueues = 1;
  tsoMaxSize = 65536;

  constructor(
    public ns: NetNs,
    public ifindex: number,
    public name: string,
    public mac: Mac,
  ) {}

  /** Physical-layer carrier as the driver reports it (netif_carrier_ok). */
  abstract carrier(): boolean;

  /** dev->qdisc: noop until the device is first opened, then noqueue (IFF_NO_QUEUE drivers). */
  get qdisc(): string {
    return this.everUp ? "noqueue" : "noop";
  }

  /** LOWER_UP is shown when the device is up and has carrier. */
  get lowerUp(): boolean {
    return this.adminUp && this.carrier();
  }

  /** IFLA_OPERSTATE: DOWN while not running, else what linkwatch last stored. */
  operstate(): OperState {
    if (!this.adminUp) return "DOWN";
    return this.linkOper;
  }

  /**
   * default_operstate (net/core/link_watch.c): with carrier UP; without, the device whose
   * index is the iflink in this namespace decides: it has carrier, DOWN; it has not,
   * LOWERLAYERDOWN; there is none (or it is this device), DOWN.
   */
  defaultOperstate(): OperState {
    if (this.carrier()) return "UP";
    const iflink = this.iflink();
    if (iflink === this.ifindex) return "DOWN";
    const other = this.ns.devices.get(iflink);
    if (!other) return "DOWN";
    return other.carrier() ? "DOWN" : "LOWERLAYERDOWN";
  }

  /** netif_oper_up: UP or UNKNOWN. */
  operUp(): boolean {
    const s = this.operstate();
    return s === "UP" || s === "UNKNOWN";
  }

  /** dev_get_iflink: the peer's index for a veth, the device's own index otherwise. */
  iflink(): number {
    return this.ifindex;
  }

  /** rtnl_link_ops->get_link_net: the namespace the link index refers to. */
  linkNet(): NetNs {
    return this.ns;
  }

  /** dev->promiscuity: bridge ports count once, `promisc on` once more. */
  get promiscuity(): number {
    return (this.userPromisc ? 1 : 0) + (this.master ? 1 : 0);
  }

  get allmultiCount(): number {
    return (this.userAllmulti ? 1 : 0) + (this.master ? 1 : 0);
  }

  /** Transmits a frame from the stack (ndo_start_xmit, via dev_queue_xmit). */
  abstract xmit(frame: Frame): void;

  // The rest of the device's operations (net_device_ops, rtnl_link_ops->dellink): what a
  // driver does beyond the common part. Core link code (links.ts) calls only these; it
  // never asks which driver a device has.

  /**
   * netdev_rx_handler_register: who takes the frames arriving on this device before the
   * protocols do (a bridge on its ports). Set and cleared by the owner.
   */
  rxHandler: ((dev: NetDevice, frame: Frame) => void) | undefined = undefined;

  /** NETIF_F_NETNS_LOCAL: the device cannot change namespace (bridge, loopback). */
  get netnsLocal(): boolean {
    return false;
  }

  /** ndo_open, after the device is marked up. */
  open(): void {}

  /** ndo_stop, after the device is marked down. */
  stop(): void {}

  /** ndo_set_mac_address. */
  setMacAddress(mac: Mac): void {
    this.mac = mac;
  }

  /** ndo_change_mtu. */
  changeMtu(mtu: number): void {
    this.mtu = mtu;
  }

  /** The other end of a pair device (a veth's peer): its carrier follows this one's. */
  pairPeer(): NetDevice | undefined {
    return undefined;
  }

  /** rtnl_link_ops->dellink: devices unregistered together with this one (a veth's peer). */
  dellinkAlso(): NetDevice[] {
    return [];
  }

  /** The device this one is stacked on (IFLA_LINK: a VXLAN's underlay); it goes with it. */
  lowerDevice(): NetDevice | undefined {
    return undefined;
  }

  /** Master side (ndo_add_slave, ndo_del_slave): undefined when the device cannot enslave. */
  get masterOps(): MasterOps | undefined {
    return undefined;
  }

  get broadcastMac(): Mac {
    return "ff:ff:ff:ff:ff:ff";
  }
}

/** What a device that takes ports (a bridge) does for them. */
export interface MasterOps {
  /** ndo_add_slave (br_add_if, its checks included). */
  addSlave(dev: NetDevice): void;
  /** ndo_del_slave (br_del_if). */
  delSlave(dev: NetDevice): void;
  /** The ports in port order. */
  slaves(): NetDevice[];
  /** A port's state may follow a change of its device (br_port_carrier_check). */
  slaveChanged(dev: NetDevice): void;
  /** NETDEV_CHANGEADDR of a port (br_fdb_changeaddr, bridge id recalculation). */
  slaveMacChanged(dev: NetDevice, old: Mac): void;
  /** NETDEV_CHANGEMTU of a port (br_mtu_auto_adjust). */
  slaveMtuChanged(): void;
}

/** skb->len of a frame as a driver counts it: Ethernet header plus payload, no padding. */
export function frameBytes(frame: Frame): number {
  const p = frame.payload;
  if (p.proto === "ipv4") return 14 + ipLength(p);
  if (p.proto === "arp") return 14 + 28;
  return 14 + ipv6Length(p);
}

/** Counts a transmitted frame on dev (dev_sw_netstats_tx_add). */
export function countTx(dev: NetDevice, frame: Frame): void {
  const u = wireUnits(frame, frameBytes(frame));
  dev.stats.txPackets += u.packets;
  dev.stats.txBytes += u.bytes;
  runTaps(dev, frame, "out");
}

/** Counts a received frame on dev (dev_sw_netstats_rx_add). */
export function countRx(dev: NetDevice, frame: Frame): void {
  const u = wireUnits(frame, frameBytes(frame));
  dev.stats.rxPackets += u.packets;
  dev.stats.rxBytes += u.bytes;
  runTaps(dev, frame, "in");
}
