// Network devices: what every driver shares (name, index, MAC, flags, addresses) and the
// operational state the kernel derives from admin state and carrier (RFC 2863 operstate).
import type { Ip4 } from "./ip4.js";
import type { Mac } from "./mac.js";
import type { Frame } from "./packet.js";
import type { NetNs } from "./netns.js";

export type DeviceKind = "loopback" | "veth" | "bridge" | "vxlan";

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
  addr: string;
  plen: number;
  scope: "link" | "host" | "global";
  /** DAD not finished yet (addrconf_dad_start): shown as `tentative`. */
  tentative: boolean;
}

export type OperState = "UNKNOWN" | "UP" | "DOWN" | "LOWERLAYERDOWN";

export abstract class NetDevice {
  abstract readonly kind: DeviceKind;
  adminUp = false;
  mtu = 1500;
  minMtu = 68;
  maxMtu = 65535;
  addrs4: IfAddr4[] = [];
  addrs6: IfAddr6[] = [];
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

  constructor(
    public ns: NetNs,
    public ifindex: number,
    public name: string,
    public mac: Mac,
  ) {}

  /** Physical-layer carrier as the driver reports it (netif_carrier_ok). */
  abstract carrier(): boolean;

  get qdisc(): string {
    return this.adminUp ? "noqueue" : "noop";
  }

  /** LOWER_UP is shown when the device is up and has carrier. */
  get lowerUp(): boolean {
    return this.adminUp && this.carrier();
  }

  operstate(): OperState {
    if (!this.adminUp) return "DOWN";
    return this.carrier() ? "UP" : "LOWERLAYERDOWN";
  }

  /** Transmits a frame from the stack (dev_queue_xmit). */
  abstract xmit(frame: Frame): void;

  get broadcastMac(): Mac {
    return "ff:ff:ff:ff:ff:ff";
  }
}
