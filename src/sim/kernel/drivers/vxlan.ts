// A VXLAN device (drivers/net/vxlan): Ethernet frames carried in UDP to a remote VTEP.
import { countTx, NetDevice } from "../core/device.js";
import type { Ip4 } from "../core/ip4.js";
import type { Mac } from "../core/mac.js";
import type { NetNs } from "../core/netns.js";
import type { Frame } from "../core/packet.js";

export interface VxlanParams {
  vni: number;
  remote?: Ip4;
  local?: Ip4;
  dstport: number;
  /** Underlay device (ifindex in the same namespace). */
  lower?: NetDevice;
  learning: boolean;
  /** 0 is "auto" (the route's default TTL). */
  ttl: number;
  /** FDB ageing in seconds (default 300). */
  ageing?: number;
}

export class Vxlan extends NetDevice {
  readonly kind = "vxlan" as const;
  /** The vxlan fdb: remote VTEP per inner MAC, learned from received frames. */
  readonly fdb = new Map<Mac, Ip4>();

  constructor(
    ns: NetNs,
    ifindex: number,
    name: string,
    mac: Mac,
    readonly params: VxlanParams,
  ) {
    super(ns, ifindex, name, mac);
    // vxlan_config_apply: the lower device's MTU minus VXLAN_HEADROOM (50), else ETH_DATA_LEN.
    this.mtu = params.lower ? Math.max(68, params.lower.mtu - 50) : 1500;
    this.tsoMaxSize = params.lower ? params.lower.tsoMaxSize : 65536;
  }

  carrier(): boolean {
    return true;
  }

  override operstate(): "UNKNOWN" | "DOWN" {
    return this.adminUp ? "UNKNOWN" : "DOWN";
  }

  xmit(frame: Frame): void {
    if (!this.adminUp) return;
    const remote = this.fdb.get(frame.dst) ?? this.params.remote;
    if (remote === undefined) return;
    countTx(this, frame);
    this.ns.world.vxlanSend(this, remote, frame);
  }
}
