// Which devices and links a walk's packets went through, read from its steps and the
// topology (a veth hop lands on a device; the device it left is that device's peer).
import type { Topology } from "../backend/topology.js";
import type { WalkPacket } from "../walk/types.js";
import { devKey, linkKey, type PathMarks } from "./topology-chart.js";

/** The devices and links the probe's packets (not ARP) went through, and where one was dropped. */
export function walkPath(packets: readonly WalkPacket[], topo: Topology): PathMarks {
  const marks: PathMarks = { devices: new Set(), links: new Set(), drops: new Set() };
  const device = (ns: string, name: string) =>
    topo.namespaces.find((n) => n.id === ns)?.devices.find((d) => d.name === name);
  // The probe's own packets: an ARP request is flooded everywhere and would light up
  // every port of a bridge, which is not the path.
  for (const p of packets.filter((x) => x.protocol !== "arp")) {
    let at: string | undefined;
    for (const s of p.steps) {
      if (s.kind === "wire" && s.dev) {
        const to = devKey(s.ns, s.dev);
        const peer = device(s.ns, s.dev)?.peer;
        if (peer) {
          const from = devKey(peer.ns, peer.name);
          marks.devices.add(from);
          marks.links.add(linkKey(from, to));
          // Out through a bridge port: the bridge sent it there.
          const master = device(peer.ns, peer.name)?.master;
          if (master) marks.links.add(linkKey(devKey(peer.ns, master), from));
        }
        marks.devices.add(to);
        at = to;
      } else if (s.kind === "up" && s.dev) {
        const br = devKey(s.ns, s.dev);
        if (at) marks.links.add(linkKey(at, br));
        marks.devices.add(br);
        at = br;
      } else if ((s.kind === "route" || s.kind === "local") && s.dev) {
        if (s.kind === "local" && s.ignored) continue;
        at = devKey(s.ns, s.dev);
        marks.devices.add(at);
      } else if (s.kind === "bridge" && s.dev) {
        at = devKey(s.ns, s.dev);
        marks.devices.add(at);
      } else if (s.kind === "drop" && at) {
        marks.drops.add(at);
      }
    }
  }
  return marks;
}
