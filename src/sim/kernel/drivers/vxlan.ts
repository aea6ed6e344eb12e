// A VXLAN device (drivers/net/vxlan): Ethernet frames carried in UDP to a remote VTEP.
import { NetDevice } from "../core/device.js";
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
  ttl: number;
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
    this.mtu = params.lower ? params.lower.mtu - 50 : 1450;
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
    this.ns.world.vxlanSend(this, remote, frame);
  }
}
