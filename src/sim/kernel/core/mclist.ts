// A device's multicast link-layer list, as `bridge fdb show` prints it ("self permanent").
// Derived from state in the order the kernel joins the groups: ff02::1 at registration
// (ipv6_add_dev), the bridge's snooping groups 224.0.0.106/ff02::6a when it opens
// (br_multicast_open), 224.0.0.1 on NETDEV_UP (ip_mc_up), and the solicited-node group
// of each IPv6 address once addrconf configures it.
import type { NetDevice } from "./device.js";
import type { Mac } from "./mac.js";

export function multicastList(dev: NetDevice): Mac[] {
  if (dev.kind === "loopback") return [];
  const out: Mac[] = ["33:33:00:00:00:01"];
  if (dev.adminUp && dev.kind === "bridge") out.push("01:00:5e:00:00:6a", "33:33:00:00:00:6a");
  if (dev.adminUp) out.push("01:00:5e:00:00:01");
  for (const a of dev.addrs6) {
    if (a.scope === "host") continue;
    const groups = a.addr.split(":");
    const last = groups[groups.length - 1]!.padStart(4, "0");
    const prev = groups[groups.length - 2]!.padStart(4, "0");
    const mac = `33:33:ff:${prev.slice(2, 4)}:${last.slice(0, 2)}:${last.slice(2, 4)}`;
    if (!out.includes(mac)) out.push(mac);
  }
  return out;
}
