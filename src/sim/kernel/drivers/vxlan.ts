// A VXLAN device (drivers/net/vxlan): Ethernet frames carried in UDP to a remote VTEP.
import { countTx, NetDevice } from "../core/device.js";
import { kfail } from "../core/errors.js";
import type { Ip4 } from "../core/ip4.js";
import { claimName, configure, macFor, register, setAdmin, type LinkAttrs } from "../core/links.js";
import { rtnlRequest } from "../core/linkwatch.js";
import type { Mac } from "../core/mac.js";
import type { LinkKindOps } from "../core/modules.js";
import type { NetNs } from "../core/netns.js";
import type { Frame, Ipv4Packet, Udp } from "../core/packet.js";

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

declare module "../core/modules.js" {
  interface LinkInfoData {
    /** IFLA_VXLAN_*. */
    vxlan?: VxlanParams;
  }
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
    vxlanXmitOne(this, remote, frame);
  }

  /** The underlay device: the VXLAN device goes when it does (vxlan_netdevice_event). */
  override lowerDevice(): NetDevice | undefined {
    return this.params.lower;
  }
}

/** vxlan_xmit_one: wrap the frame in UDP and route it in the device's namespace. */
function vxlanXmitOne(dev: Vxlan, remote: Ip4, frame: Frame): void {
  const ns = dev.ns;
  const world = ns.world;
  let rt;
  try {
    rt = world.ipv4.routeOutput(ns, remote, { src: dev.params.local, oif: undefined });
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
      sport: 32768 + (world.rng.u32() % 28000),
      dport: dev.params.dstport,
      payload: { kind: "vxlan", vni: dev.params.vni, frame },
    },
  };
  world.ipv4.sendRouted(ns, pkt, rt);
}

/** vxlan_rcv: a VXLAN datagram for a local VTEP; the inner frame arrives on the device. */
export function vxlanRcv(ns: NetNs, pkt: Ipv4Packet, udp: Udp): void {
  if (udp.payload.kind !== "vxlan") return;
  const { vni, frame } = udp.payload;
  for (const d of ns.deviceList()) {
    if (!(d instanceof Vxlan) || !d.adminUp) continue;
    if (d.params.vni !== vni || d.params.dstport !== udp.dport) continue;
    if (d.params.learning) d.fdb.set(frame.src, pkt.src);
    ns.world.scheduler.at(0, `vxlan ${d.name} rx`, () => ns.world.rx(d, frame));
    return;
  }
  // vxlan_vs_find_vni finds no device: dropped. The walk says so (a silent overlay is the
  // usual VXLAN mistake). No device on the port at all: the kernel has no socket there.
  const mine = ns.deviceList().filter((d): d is Vxlan => d instanceof Vxlan && d.adminUp);
  const onPort = mine.filter((d) => d.params.dstport === udp.dport);
  const has = (ds: Vxlan[]): string =>
    ds.map((d) => `${d.name} has VNI ${d.params.vni} on port ${d.params.dstport}`).join(", ");
  ns.world.trace.point(pkt, {
    kind: "drop",
    ns: ns.scriptName,
    reason: onPort.length > 0 ? "no VXLAN device for this VNI" : "no socket listening",
    why:
      `it carries VNI ${vni} to UDP port ${udp.dport}` +
      (mine.length > 0 ? `; here ${has(mine)}` : "; no VXLAN device is up here"),
  });
}

function vxlanNewlink(
  ns: NetNs,
  name: string | undefined,
  attrs: LinkAttrs,
  { vxlan: params }: { vxlan?: VxlanParams },
): Vxlan {
  if (!params) kfail("EINVAL");
  return rtnlRequest(ns.world, () => {
    if (name !== undefined && ns.byName(name)) kfail("EEXIST");
    // vxlan_vni_in_use: one device per VNI and destination port.
    for (const d of ns.deviceList()) {
      if (
        d instanceof Vxlan &&
        d.params.vni === params.vni &&
        d.params.dstport === params.dstport
      ) {
        kfail("EEXIST", "A VXLAN device with the specified VNI already exists");
      }
    }
    const n = claimName(ns, name ?? "vxlan%d");
    const dev = new Vxlan(ns, ns.allocIndex(), n, macFor(ns), params);
    configure(dev, attrs);
    register(ns, dev);
    if (attrs.up) setAdmin(dev, true);
    return dev;
  });
}

export const vxlanLinkOps: LinkKindOps = { kind: "vxlan", newlink: vxlanNewlink };
