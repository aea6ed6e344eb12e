// The topology as a Mermaid flowchart, from Backend.inspect()'s Topology (so both backends
// draw it). Layout rules (docs/diagrams.md says them to people):
// - one subgraph per namespace; the root first, then the others by hop distance from the
//   root (veth pairs and VXLAN tunnels are hops), ties by creation order (the order the
//   script made them), then by name, top to bottom within a column. Mermaid's layered
//   layout (dagre) keeps a column in the order its clusters are written (reversed), so
//   namespaces stay where they were when the script adds more;
// - every edge is written from the side nearer the root to the side further away, and
//   from a bridge to its ports, so `flowchart LR` puts the root on the left and each hop
//   one column further right: adding a veth adds a column or a row, it does not move what
//   was drawn;
// - devices in ifindex (creation) order; the loopback only while it is a namespace's only
//   device (a new namespace is never an empty box);
// - veth pairs are thick lines, bridge ports plain lines, VXLAN tunnels and underlays
//   dotted; a default route whose gateway no drawn device owns leads to "outside world".
import type { NsId } from "../backend/ids.js";
import type { Device, NamespaceState, Topology } from "../backend/topology.js";
import { label, safeId } from "./mermaid-text.js";

/** A device on the probe's path, or a link between two (drawn highlighted). */
export interface PathMarks {
  devices: Set<string>;
  /** Links as devKey(a) + "|" + devKey(b), either order. */
  links: Set<string>;
  /** Devices where a packet was dropped. */
  drops: Set<string>;
}

export interface TopologyChartOptions {
  /** Namespace names in the order the script made them (later ones go after). */
  order?: readonly string[];
  /** Title line written as a Mermaid comment and as the chart's accessible title. */
  title?: string;
  /** The probe's path to draw. */
  path?: PathMarks;
}

/** A device's key, for PathMarks: "ns/dev" ("/dev" for the root namespace). */
export function devKey(ns: string, dev: string): string {
  return `${ns}/${dev}`;
}

export function linkKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

const ROOT_LABEL = "(root)";

function nodeId(ns: NsId, dev: string): string {
  return `${ns === "" ? "r" : `n_${safeId(ns)}`}__${safeId(dev)}`;
}

function subgraphId(ns: NsId): string {
  return ns === "" ? "ns_root" : `ns_${safeId(ns)}`;
}

/** Namespaces in drawing order: by hop distance from the root, then creation, then name. */
export function namespaceOrder(topo: Topology, created: readonly string[] = []): NamespaceState[] {
  return rankedNamespaces(topo, created).map((x) => x.n);
}

/** namespaceOrder, with each namespace's hop distance from the root (its column). */
export function rankedNamespaces(
  topo: Topology,
  created: readonly string[] = [],
): { n: NamespaceState; d: number }[] {
  const byId = new Map(topo.namespaces.map((n) => [n.id as string, n]));
  const creation = (id: string): number => {
    if (id === "") return -1;
    const i = created.indexOf(id);
    return i < 0 ? created.length : i;
  };
  const base = [...topo.namespaces].sort(
    (a, b) => creation(a.id) - creation(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string): void => {
    if (a === b) return;
    neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
    neighbours.set(b, [...(neighbours.get(b) ?? []), a]);
  };
  for (const n of topo.namespaces) {
    for (const d of n.devices) {
      if (d.peer && byId.has(d.peer.ns)) link(n.id, d.peer.ns);
      const remote = d.vxlan?.remote;
      if (remote) {
        const owner = ownerOf(topo, remote);
        if (owner) link(n.id, owner.ns);
      }
    }
  }
  // Breadth first from the root; a group not connected to it starts one column right.
  const dist = new Map<string, number>();
  for (const start of base) {
    if (dist.has(start.id)) continue;
    dist.set(start.id, start.id === "" ? 0 : 1);
    const queue = [start.id as string];
    while (queue.length > 0) {
      const cur = queue.shift()!;
      for (const nb of neighbours.get(cur) ?? []) {
        if (dist.has(nb)) continue;
        dist.set(nb, dist.get(cur)! + 1);
        queue.push(nb);
      }
    }
  }
  return base
    .map((n, i) => ({ n, i, d: dist.get(n.id) ?? 1 }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map(({ n, d }) => ({ n, d }));
}

/** More namespaces than this in one column: the column wraps into several. */
export const WRAP_AFTER = 8;
/** A wrapped column's namespaces go in sub-columns of this many, top to bottom. */
export const WRAP_ROWS = 6;

interface Wrapping {
  /** Sub-column (0, 1, ...) of each namespace of a wrapped column. */
  group: Map<string, number>;
  /** Host ends of veths to wrapped namespaces that are bare bridge ports: drawn outside
   *  their namespace's box, beside the namespace they lead to: their sub-column, their
   *  place in it, and whether a sub-column follows. */
  freePorts: Map<string, { g: number; i: number; size: number; more: boolean }>;
}

/**
 * A column of many namespaces (30 containers on one bridge) would be one tall column:
 * it is cut into sub-columns of WRAP_ROWS, each one rank further right (a longer Mermaid
 * link adds ranks). The bridge's bare ports to them leave the host's box, or the host's
 * box would still stack them all.
 */
function wrapping(
  ranked: readonly { n: NamespaceState; d: number }[],
  drawn: Set<string>,
): Wrapping {
  const group = new Map<string, number>();
  const freePorts: Wrapping["freePorts"] = new Map();
  const byRank = new Map<number, NamespaceState[]>();
  for (const { n, d } of ranked) byRank.set(d, [...(byRank.get(d) ?? []), n]);
  const rankOf = new Map(ranked.map(({ n, d }) => [n.id as string, d]));
  for (const [d, list] of byRank) {
    if (d === 0 || list.length <= WRAP_AFTER) continue;
    list.forEach((n, i) => {
      const g = Math.floor(i / WRAP_ROWS);
      const size = Math.min(WRAP_ROWS, list.length - g * WRAP_ROWS);
      const more = (g + 1) * WRAP_ROWS < list.length;
      group.set(n.id, g);
      for (const dev of drawnDevices(n)) {
        const peer = dev.peer;
        if (!peer || (rankOf.get(peer.ns) ?? d) >= d) continue;
        const pns = ranked.find((x) => x.n.id === peer.ns)?.n;
        const pd = pns?.devices.find((x) => x.name === peer.name);
        const bare =
          pd?.master !== undefined &&
          drawn.has(devKey(peer.ns, pd.master)) &&
          pd.addresses.every((a) => a.family !== "inet" && a.scope === "link");
        if (bare) freePorts.set(devKey(peer.ns, peer.name), { g, i: i % WRAP_ROWS, size, more });
      }
    });
  }
  return { group, freePorts };
}

/**
 * The node standing for a bridge again, for its ports to sub-column g of a wrapped column:
 * a chain br0 - br0 (g 1) - br0 (g 2) ..., two ranks apart, so that one line, not one per
 * port, passes the sub-columns before it (each line through a rank takes a row there).
 */
function busId(
  ns: NsId,
  bridge: string,
  g: number,
  buses: string[],
  edges: { from: string; to: string; style: string }[],
): string {
  const id = (k: number): string =>
    k === 0 ? nodeId(ns, bridge) : `${nodeId(ns, bridge)}__cont${k}`;
  for (let k = 1; k <= g; k++) {
    if (buses.some((b) => b.startsWith(`${id(k)}[`))) continue;
    buses.push(`${id(k)}[["${label(`${bridge} (bridge), continued`)}"]]`);
    edges.push({ from: id(k - 1), to: id(k), style: stretched("---", 2) });
  }
  return id(g);
}

/** A Mermaid link of `len` ranks: "---" is one, each more dash (or =) one more. */
function stretched(style: string, len: number): string {
  if (len <= 1 || (style !== "---" && style !== "===")) return style;
  return style[0]!.repeat(3 + len - 1);
}

/** The device that owns an IPv4 address, if a drawn one does. */
function ownerOf(topo: Topology, addr: string): { ns: NsId; dev: Device } | undefined {
  for (const n of topo.namespaces) {
    for (const d of n.devices) {
      if (d.addresses.some((a) => a.family === "inet" && a.address === addr))
        return { ns: n.id, dev: d };
    }
  }
  return undefined;
}

/** The devices drawn for a namespace (the loopback only when it is alone). */
export function drawnDevices(n: NamespaceState): Device[] {
  const others = n.devices.filter((d) => d.kind !== "loopback");
  return others.length > 0 ? others : n.devices;
}

function deviceLines(n: NamespaceState, d: Device): string[] {
  const head =
    d.kind === "bridge"
      ? `${d.name} (bridge)`
      : d.kind === "vxlan" && d.vxlan
        ? `${d.name} (vxlan ${d.vxlan.id}, udp/${d.vxlan.port})`
        : d.name;
  const lines = [head];
  for (const a of d.addresses) {
    if (a.family === "inet" || a.scope !== "link") lines.push(`${a.address}/${a.prefixlen}`);
  }
  // An MTU other than Ethernet's 1500 matters to what fits (a VXLAN device's 1450, a narrow link).
  if (d.kind !== "loopback" && d.mtu > 0 && d.mtu !== 1500) lines.push(`mtu ${d.mtu}`);
  if (!d.up) lines.push("DOWN");
  else if (!d.carrier) lines.push("NO-CARRIER");
  for (const r of n.routes) {
    if (r.table === 254 && r.dst === "0.0.0.0/0" && r.dev === d.name && r.type === "unicast")
      lines.push(r.gateway ? `default via ${r.gateway}` : "default");
  }
  return lines;
}

function nodeShape(d: Device, text: string): string {
  const q = `"${text}"`;
  if (d.kind === "bridge") return `[[${q}]]`;
  if (d.kind === "vxlan") return `[/${q}/]`;
  if (d.kind === "loopback") return `(${q})`;
  return `[${q}]`;
}

export function topologyChart(topo: Topology, opts: TopologyChartOptions = {}): string {
  const out: string[] = [];
  const edges: { from: string; to: string; style: string; text?: string; key?: string }[] = [];
  const classes = new Map<string, string[]>();
  const addClass = (cls: string, id: string): void => {
    classes.set(cls, [...(classes.get(cls) ?? []), id]);
  };
  // The root is left out while it holds nothing but its loopback and others exist.
  const ranked = rankedNamespaces(topo, opts.order).filter(
    ({ n }, _i, all) =>
      n.id !== "" || all.length === 1 || n.devices.some((d) => d.kind !== "loopback"),
  );
  const order = ranked.map((x) => x.n);
  const drawn = new Set<string>();
  const seen = new Set<string>();
  for (const n of order) for (const d of drawnDevices(n)) drawn.add(devKey(n.id, d.name));
  const wrap = wrapping(ranked, drawn);
  const free: string[] = [];
  const ports: string[] = [];
  const buses: string[] = [];

  out.push("flowchart LR");
  if (opts.title) out.push(`  %% ${opts.title.replace(/[\r\n]+/g, " ")}`);
  // Written last to first: dagre (Mermaid's layout) stacks the clusters of one column in
  // the reverse of the order they are written, so this draws them top to bottom in order.
  for (const n of [...order].reverse()) {
    const name = n.id === "" ? ROOT_LABEL : n.id;
    const title = n.ipForward ? `${name} · ip_forward` : name;
    // In a wrapped column a namespace of one device is one node titled with both: dagre
    // stacks the boxes of subgraphs that have links out into one column whatever the ranks.
    const single = wrap.group.has(n.id) && drawnDevices(n).length === 1;
    if (!single) out.push(`  subgraph ${subgraphId(n.id)} ["${label(title)}"]`);
    for (const d of drawnDevices(n)) {
      const id = nodeId(n.id, d.name);
      const lines = deviceLines(n, d);
      if (single) lines[0] = `${title}: ${lines[0]}`;
      const node = `${id}${nodeShape(d, lines.map(label).join("<br/>"))}`;
      if (single) {
        free.push(`  ${node}`);
      } else if (wrap.freePorts.has(devKey(n.id, d.name))) ports.push(`  ${node}`);
      else out.push(`    ${node}`);
      if (!d.up || !d.carrier) addClass("down", id);
      // One fill per node: a drop, else the path, else its kind.
      const k = devKey(n.id, d.name);
      if (opts.path?.drops.has(k)) addClass("drop", id);
      else if (opts.path?.devices.has(k)) addClass("path", id);
      else if (single) addClass("netns", id);
      else if (d.kind === "bridge") addClass("bridge", id);
      else if (d.kind === "vxlan") addClass("vxlan", id);
    }
    if (!single) out.push("  end");
  }
  // Last to first, as the namespaces: dagre stacks them in the reverse of written order.
  out.push(...free, ...ports.reverse());

  let outside = false;
  for (const n of order) {
    for (const d of drawnDevices(n)) {
      const me = devKey(n.id, d.name);
      // Bridge to port: the bridge is nearer the root than the veths hung on it.
      if (d.master && drawn.has(devKey(n.id, d.master))) {
        const fp = wrap.freePorts.get(me);
        const g = fp?.g ?? 0;
        // The chain to the next sub-column leaves from the middle of this one's ports, so
        // that dagre keeps it level with the bridge: the sub-columns then stand side by side.
        if (fp?.more && fp.i === Math.floor(fp.size / 2))
          busId(n.id, d.master, g + 1, buses, edges);
        edges.push({
          // A free port of sub-column g > 0 hangs off the bridge's g-th continuation.
          from: g > 0 ? busId(n.id, d.master, g, buses, edges) : nodeId(n.id, d.master),
          to: nodeId(n.id, d.name),
          style: "---",
          key: linkKey(devKey(n.id, d.master), me),
        });
      }
      if (d.peer && drawn.has(devKey(d.peer.ns, d.peer.name))) {
        // Namespaces go in rank order and devices in ifindex order: the end met first is
        // the one nearer the root.
        const key = linkKey(me, devKey(d.peer.ns, d.peer.name));
        if (!seen.has(key)) {
          seen.add(key);
          // Into a wrapped namespace not behind a free port: one rank per sub-column.
          const g = wrap.freePorts.has(me) ? undefined : wrap.group.get(d.peer.ns);
          edges.push({
            from: nodeId(n.id, d.name),
            to: nodeId(d.peer.ns, d.peer.name),
            style: stretched("===", g === undefined ? 1 : 1 + g),
            key,
          });
        }
      }
      if (d.vxlan) {
        if (d.vxlan.dev && drawn.has(devKey(n.id, d.vxlan.dev))) {
          edges.push({ from: nodeId(n.id, d.vxlan.dev), to: nodeId(n.id, d.name), style: "-.-" });
        }
        const remote = d.vxlan.remote ? ownerOf(topo, d.vxlan.remote) : undefined;
        if (remote) {
          // The tunnel ends at the remote VTEP's vxlan device of the same VNI, if drawn.
          const peerNs = topo.namespaces.find((x) => x.id === remote.ns)!;
          const far = peerNs.devices.find((x) => x.vxlan?.id === d.vxlan!.id) ?? remote.dev;
          const key = linkKey(me, devKey(remote.ns, far.name));
          if (!seen.has(key) && drawn.has(devKey(remote.ns, far.name))) {
            seen.add(key);
            edges.push({
              from: nodeId(n.id, d.name),
              to: nodeId(remote.ns, far.name),
              style: "-.-",
              key,
            });
          }
        }
      }
    }
    for (const r of n.routes) {
      if (r.table !== 254 || r.dst !== "0.0.0.0/0" || !r.dev || r.type !== "unicast") continue;
      if (!drawn.has(devKey(n.id, r.dev))) continue;
      const known = r.gateway !== undefined && ownerOf(topo, r.gateway) !== undefined;
      const dev = n.devices.find((x) => x.name === r.dev);
      if (known || (r.gateway === undefined && dev?.peer)) continue;
      outside = true;
      edges.push({
        from: nodeId(n.id, r.dev),
        to: "outside",
        style: "-->",
        text: r.gateway ? `default via ${r.gateway}` : "default",
      });
    }
  }
  for (const b of buses) {
    out.push(`  ${b}`);
    addClass("bridge", b.replace(/\[.*$/, ""));
  }
  if (outside) out.push(`  outside(("outside world"))`);
  edges.forEach((e) => {
    const text = e.text ? `|"${label(e.text)}"|` : "";
    out.push(`  ${e.from} ${e.style}${text} ${e.to}`);
  });
  out.push("  classDef down stroke-dasharray:4 3,color:#777777");
  out.push("  classDef bridge fill:#e3ecfa,stroke:#3f6ab0");
  out.push("  classDef vxlan fill:#efe6f7,stroke:#7a4fa8");
  out.push("  classDef path fill:#ffe0b2,stroke:#e65100,stroke-width:3px");
  out.push("  classDef drop fill:#ffd6d6,stroke:#cc0000,stroke-width:3px");
  if (classes.has("netns")) out.push("  classDef netns fill:#ffffde,stroke:#aaaa33");
  for (const [cls, ids] of classes) out.push(`  class ${ids.join(",")} ${cls}`);
  const onPath = edges
    .map((e, i) => (e.key && opts.path?.links.has(e.key) ? i : -1))
    .filter((i) => i >= 0);
  if (onPath.length > 0)
    out.push(`  linkStyle ${onPath.join(",")} stroke:#e65100,stroke-width:4px`);
  return out.join("\n") + "\n";
}
