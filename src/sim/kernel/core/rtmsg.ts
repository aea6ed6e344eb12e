// RTM_NEWLINK notifications (rtmsg_ifinfo): what building one does to the namespaces'
// state. Its own module so that linkwatch (which sends them) and the link operations
// (which also do) share it without importing each other.
import type { NetDevice } from "./device.js";
import type { NetNs } from "./netns.js";

/**
 * rtmsg_ifinfo: every RTM_NEWLINK built for dev (notifications included) carries the
 * link's namespace as an nsid, allocated on first use (rtnl_fill_link_netnsid ->
 * peernet2id_alloc), in the namespace the message is for.
 */
export function announce(dev: NetDevice, viewer: NetNs = dev.ns): void {
  const link = dev.linkNet();
  if (link !== viewer) viewer.nsidOf(link);
}
