// The bridge's part of the netdev notifier chain (br_device_event): a port's state follows
// its device, the bridge's MAC follows its ports' MACs.
import type { NetDevice } from "../core/device.js";
import type { NetdevEvent } from "../core/netns.js";
import { Bridge } from "../drivers/bridge.js";

export function bridgeNetdevEvent(dev: NetDevice, event: NetdevEvent): void {
  // NETDEV_CHANGENAME only renames the port's sysfs entry.
  if (event === "changename") return;
  const br = dev.master;
  if (br instanceof Bridge) {
    if (event === "unregister") br.removePort(dev);
    else br.refreshPort(dev);
  }
  if (dev instanceof Bridge && event === "unregister") {
    for (const p of [...dev.ports]) dev.removePort(p.dev);
  }
}
