// The link flags iproute2 prints between < and > (print_link_flags), shared by ip and bridge.
import type { NetDevice } from "../kernel/core/device.js";

export function linkFlags(dev: NetDevice, peerDown: boolean): string[] {
  const f: string[] = [];
  if (dev.adminUp && !dev.lowerUp) f.push("NO-CARRIER");
  if (dev.kind === "loopback") f.push("LOOPBACK");
  else f.push("BROADCAST", "MULTICAST");
  if (dev.adminUp) f.push("UP");
  if (dev.lowerUp) f.push("LOWER_UP");
  if (peerDown) f.push("M-DOWN");
  return f;
}
