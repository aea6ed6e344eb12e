// br_if.c port_cost: a new port's STP path cost from its ethtool link speed.
import type { NetDevice } from "../core/device.js";
import type { Vxlan } from "../drivers/vxlan.js";

/**
 * __ethtool_get_link_ksettings: veth reports 10000 Mb/s; a vxlan device reports its lower
 * device's settings (vxlan_get_link_ksettings) and SPEED_UNKNOWN without one.
 */
function linkSpeed(dev: NetDevice): number | undefined {
  if (dev.kind === "veth") return 10000;
  if (dev.kind === "vxlan") {
    const lower = (dev as Vxlan).params.lower;
    return lower ? linkSpeed(lower) : undefined;
  }
  return undefined;
}

/** port_cost: 10 Gb/s is 2, 1 Gb/s 4, 100 Mb/s 19; unknown speed "assumes old 10Mbps" (100). */
export function portCost(dev: NetDevice): number {
  const speed = linkSpeed(dev);
  if (speed === undefined) return 100;
  if (speed > 10000) return 1;
  const bySpeed: Record<number, number> = { 10000: 2, 5000: 3, 2500: 4, 1000: 4, 100: 19, 10: 100 };
  return bySpeed[speed] ?? 100;
}
