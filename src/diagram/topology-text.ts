// The topology as a few lines of text, for a terminal (`packetwalk learn` shows it beside
// the SVG's path): one block per namespace in the picture's order, each drawn device with
// its addresses and state, a veth's other end, a bridge's ports, the default route.
// Plain text, no colour: the caller styles it.
import { nsLabel } from "../backend/ids.js";
import type { Device, Topology } from "../backend/topology.js";
import { drawnDevices, namespaceOrder } from "./topology-chart.js";

export function topologyText(topo: Topology, order: readonly string[] = []): string {
  const out: string[] = [];
  for (const n of namespaceOrder(topo, order)) {
    const fwd = n.ipForward ? ", forwarding" : "";
    out.push(`${nsLabel(n.id)}${fwd}`);
    for (const d of drawnDevices(n)) out.push(`  ${deviceLine(d)}`);
    const def = n.routes.find((r) => r.table === 254 && r.dst === "0.0.0.0/0");
    if (def) out.push(`  default${def.gateway ? ` via ${def.gateway}` : ""} dev ${def.dev ?? "?"}`);
  }
  return `${out.join("\n")}\n`;
}

function deviceLine(d: Device): string {
  const parts = [d.name];
  if (d.kind === "bridge") parts.push("(bridge)");
  if (d.kind === "vxlan" && d.vxlan) parts.push(`(vxlan ${d.vxlan.id})`);
  for (const a of d.addresses) if (a.family === "inet") parts.push(`${a.address}/${a.prefixlen}`);
  // As the picture: an MTU other than 1500 (unknown, 0, for a container's devices).
  if (d.kind !== "loopback" && d.mtu > 0 && d.mtu !== 1500) parts.push(`mtu ${d.mtu}`);
  parts.push(!d.up ? "DOWN" : !d.carrier ? "NO-CARRIER" : "UP");
  if (d.peer) parts.push(`<-> ${d.peer.name} in ${nsLabel(d.peer.ns)}`);
  else if (d.kind === "veth") parts.push("<-> (peer not in a named namespace)");
  if (d.master) parts.push(`port of ${d.master}`);
  if (d.bridge) parts.push(`ports: ${d.bridge.ports.map((p) => p.name).join(" ") || "none"}`);
  return parts.join(" ");
}
