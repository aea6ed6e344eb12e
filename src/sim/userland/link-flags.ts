// The link flags iproute2 prints between < and > (print_link_flags over dev_get_flags),
// shared by ip and bridge.
import { type NetDevice } from "../kernel/netlink/index.js";

/**
 * dev_get_flags in print_link_flags' order: IFF_RUNNING is "operationally up" (UP or
 * UNKNOWN), shown as NO-CARRIER when missing on an up device; LOWER_UP is the carrier.
 */
export function linkFlags(dev: NetDevice, peerDown: boolean): string[] {
  const running = dev.adminUp && dev.operUp();
  const f: string[] = [];
  if (dev.adminUp && !running) f.push("NO-CARRIER");
  if (dev.kind === "loopback") f.push("LOOPBACK");
  else f.push("BROADCAST");
  if (dev.multicast) f.push("MULTICAST");
  if (dev.noarp) f.push("NOARP");
  if (dev.userAllmulti) f.push("ALLMULTI");
  if (dev.userPromisc) f.push("PROMISC");
  if (dev.adminUp) f.push("UP");
  if (dev.adminUp && dev.carrier()) f.push("LOWER_UP");
  if (peerDown) f.push("M-DOWN");
  return f;
}
