// Holding two Topology snapshots (Backend.inspect()) side by side: normalise what the
// kernel makes random or time-dependent, the same list as for command output
// (lab-script.md "What the same means"), then name every field that still differs.
//
// Normalised:
// - MAC addresses other than zero, broadcast and multicast: each becomes MACn, numbered
//   in the order the devices are met (namespaces root first then by name, devices by
//   name), so "the MAC of container/eth0" is compared, not its random value; the same
//   numbering then applies to neighbours and forwarding entries. A bridge that took a
//   port's MAC and all its ports share one name: which port's MAC is lowest is chance.
// - the names a docker daemon draws at random (veth + 7 hex digits, br- + 12 hex digits of
//   a network id): each becomes veth1, br-1, ... in the order of the devices' indexes
//   (root namespace first), wherever it appears (masters, peers, routes, rules), so which
//   veth is on which bridge still compares.
// - interface indexes (0); IPv6 link-local addresses (made from the MAC): fe80::LL.
// - conntrack: timeouts (0), ICMP ids and ephemeral ports (32768-60999) (0).
// - the order of what the kernel keeps in hash tables: neighbours, bridge and VXLAN
//   forwarding entries, conntrack entries, sockets (sorted).
// Counters (iptables packets and bytes) are compared as they are: a lab's traffic is the
// same on both sides.
import {
  nsLabel,
  type ConntrackTuple,
  type Device,
  type NamespaceState,
  type NsId,
  type Topology,
} from "../backend.js";

const KEEP_MACS = new Set(["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"]);
const isMulticastMac = (m: string): boolean => (parseInt(m.slice(0, 2), 16) & 1) === 1;
const EPHEMERAL = { from: 32768, to: 60999 };

const byJson = <T>(a: T, b: T): number => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

const RANDOM_NAME = /\b(?:veth[0-9a-f]{7}|br-[0-9a-f]{12})\b/g;

/** Docker's random device names renamed by the order of the devices' indexes. */
function renameRandomDevices(t: Topology): Topology {
  const names = new Map<string, string>();
  const counts = { veth: 0, br: 0 };
  for (const ns of t.namespaces) {
    for (const d of [...ns.devices].sort((a, b) => a.ifindex - b.ifindex)) {
      for (const m of d.name.match(RANDOM_NAME) ?? []) {
        if (names.has(m)) continue;
        const kind = m.startsWith("veth") ? "veth" : "br";
        names.set(m, kind === "veth" ? `veth${++counts.veth}` : `br-${++counts.br}`);
      }
    }
  }
  if (names.size === 0) return structuredClone(t);
  const json = JSON.stringify(t).replace(RANDOM_NAME, (m) => names.get(m) ?? m);
  return JSON.parse(json) as Topology;
}

export function normaliseTopology(t: Topology): Topology {
  const copy = renameRandomDevices(t);
  const macs = new Map<string, string>();
  let numbered = 0;
  const mac = (m: string): string => {
    if (KEEP_MACS.has(m) || isMulticastMac(m)) return m;
    let n = macs.get(m);
    if (n === undefined) {
      n = `MAC${++numbered}`;
      macs.set(m, n);
    }
    return n;
  };
  // A bridge takes the lowest of its ports' MACs (br_stp_recalculate_bridge_id), and
  // which port has it is chance: the bridge and its ports share one name for their MACs.
  for (const ns of copy.namespaces) {
    for (const br of ns.devices) {
      const ports = ns.devices.filter((d) => d.master === br.name);
      if (!br.bridge || !ports.some((p) => p.mac === br.mac)) continue;
      const name = `MAC(${nsLabel(ns.id)}/${br.name} and ports)`;
      for (const d of [br, ...ports]) if (!KEEP_MACS.has(d.mac)) macs.set(d.mac, name);
    }
  }
  // Then number the devices' own MACs, in a fixed order, so that both sides agree.
  for (const ns of copy.namespaces) {
    for (const d of [...ns.devices].sort((a, b) => (a.name < b.name ? -1 : 1))) mac(d.mac);
  }
  for (const ns of copy.namespaces) normaliseNs(ns, mac);
  return copy;
}

function normaliseNs(ns: NamespaceState, mac: (m: string) => string): void {
  ns.devices.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of ns.devices) normaliseDevice(d, mac);
  for (const n of ns.neighbours) if (n.lladdr !== undefined) n.lladdr = mac(n.lladdr);
  ns.neighbours.sort(byJson);
  for (const c of ns.conntrack) {
    c.timeout = 0;
    normaliseTuple(c.original);
    normaliseTuple(c.reply);
  }
  ns.conntrack.sort(byJson);
  ns.sockets.sort(byJson);
}

function normaliseDevice(d: Device, mac: (m: string) => string): void {
  d.ifindex = 0;
  d.mac = mac(d.mac);
  for (const a of d.addresses) {
    if (a.family === "inet6" && /^fe[89ab][0-9a-f]:/i.test(a.address)) a.address = "fe80::LL";
  }
  if (d.bridge) {
    for (const e of d.bridge.fdb) e.mac = mac(e.mac);
    d.bridge.fdb.sort(byJson);
  }
  if (d.vxlan) {
    for (const e of d.vxlan.fdb) e.mac = mac(e.mac);
    d.vxlan.fdb.sort(byJson);
  }
}

function normaliseTuple(t: ConntrackTuple): void {
  if (t.id !== undefined) t.id = 0;
  const eph = (p: number): boolean => p >= EPHEMERAL.from && p <= EPHEMERAL.to;
  if (t.sport !== undefined && eph(t.sport)) t.sport = 0;
  if (t.dport !== undefined && eph(t.dport)) t.dport = 0;
}

export interface TopologyDifference {
  /** Where: "(root)/devices/br0/operstate", "container/routes", ... */
  path: string;
  /** Lines: "- sim only", "+ kernel only", or "- sim: X" / "+ kernel: Y". */
  lines: string[];
}

/** Arrays whose items are told apart by a field: compared item by item under that key. */
const KEYS: Record<string, string> = {
  namespaces: "id",
  devices: "name",
  iptables: "name",
  chains: "name",
  ports: "name",
};

/** The differences between the two snapshots after normalisation; empty when equal. */
export function diffTopology(sim: Topology, kernel: Topology): TopologyDifference[] {
  const out: TopologyDifference[] = [];
  // Namespaces start the path ("container/devices/eth0/mtu"), not "namespaces/container".
  const a = normaliseTopology(sim).namespaces;
  const b = normaliseTopology(kernel).namespaces;
  walk(a, b, "", "namespaces", out);
  return out;
}

const show = (v: unknown): string => (v === undefined ? "(none)" : JSON.stringify(v));

function walk(
  a: unknown,
  b: unknown,
  path: string,
  field: string,
  out: TopologyDifference[],
): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    const key = KEYS[field];
    if (key !== undefined) return walkKeyed(a, b, key, path, field, out);
    return walkList(a, b, path, out);
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], `${path}/${k}`, k, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ path: path.slice(1), lines: [`- sim: ${show(a)}`, `+ kernel: ${show(b)}`] });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function walkKeyed(
  a: unknown[],
  b: unknown[],
  key: string,
  path: string,
  field: string,
  out: TopologyDifference[],
): void {
  const label = (v: unknown): string => {
    const k = isRecord(v) ? v[key] : undefined;
    const s = typeof k === "string" ? k : String(k);
    // A namespace's id is an NsId (it came from one): its label starts the path.
    return field === "namespaces" ? nsLabel(s as NsId) : s;
  };
  const bm = new Map(b.map((v) => [label(v), v]));
  const am = new Map(a.map((v) => [label(v), v]));
  const at = (k: string): string => `${path}/${k}`;
  for (const [k, v] of am) {
    if (!bm.has(k)) out.push({ path: at(k).slice(1), lines: ["- sim only"] });
    else walk(v, bm.get(k), at(k), "", out);
  }
  for (const k of bm.keys()) {
    if (!am.has(k)) out.push({ path: at(k).slice(1), lines: ["+ kernel only"] });
  }
}

/** Lists compared as multisets (what is on one side only), then for their order. */
function walkList(a: unknown[], b: unknown[], path: string, out: TopologyDifference[]): void {
  const as = a.map((v) => JSON.stringify(v));
  const bs = b.map((v) => JSON.stringify(v));
  const left = [...bs];
  const simOnly: string[] = [];
  for (const s of as) {
    const i = left.indexOf(s);
    if (i >= 0) left.splice(i, 1);
    else simOnly.push(s);
  }
  if (simOnly.length > 0 || left.length > 0) {
    out.push({
      path: path.slice(1),
      lines: [...simOnly.map((s) => `- ${s}`), ...left.map((s) => `+ ${s}`)],
    });
    return;
  }
  if (as.join("\n") !== bs.join("\n")) {
    out.push({
      path: path.slice(1),
      lines: ["order differs:", ...as.map((s) => `- ${s}`), ...bs.map((s) => `+ ${s}`)],
    });
  }
}
