// KernelBackend.inspect(): the sandbox's namespaces read with the tools' machine-readable
// output, per namespace:
//   ip -j -d addr show          devices (kind, flags, operstate, MTU, MAC, master, veth
//                               link index and netnsid, vxlan parameters, bridge port
//                               state) and their addresses
//   ip -4 -j route show table all, ip -4 -j rule show, ip -4 -j neigh show
//   bridge -j fdb show          the bridges' and the VXLAN devices' forwarding databases
//   iptables-save -c            tables, chains, policies, rules and their counters
//   conntrack -L                connection tracking entries
//   ss -H -ltunp                listening sockets and their programs
//   cat /proc/sys/net/ipv4/ip_forward
// These are packetwalk's own argv, run in the sandbox (never a learner's line). They
// only read: no table, module or tracking is created by looking.
import {
  compareNsId,
  devRef,
  nsId,
  nsName,
  ROOT_NS,
  type Address,
  type BridgeFdbEntry,
  type BridgePort,
  type ConntrackEntry,
  type ConntrackTuple,
  type Device,
  type DeviceKind,
  type IptablesChain,
  type IptablesTable,
  type ListeningSocket,
  type NamespaceState,
  type Neighbour,
  type NsId,
  type OperState,
  type Route,
  type RouteRule,
  type Topology,
  type VxlanFdbEntry,
} from "../backend.js";
import { listNamespaces } from "./nf-trace.js";
import type { Sandbox } from "./sandbox.js";

export async function inspectSandbox(sandbox: Sandbox): Promise<Topology> {
  const ids = [ROOT_NS, ...(await listNamespaces(sandbox)).map((n) => nsId(n))];
  ids.sort(compareNsId);
  const raw = await Promise.all(ids.map((id) => readNamespace(sandbox, id)));
  await resolvePeers(raw);
  return { namespaces: raw.map((r) => r.state) };
}

/** One namespace as read, with what peer resolution needs. */
interface RawNs {
  state: NamespaceState;
  /** veth devices: the peer's ifindex and, when in another namespace, the nsid it has here. */
  veth: Map<string, { ifindex: number; linkIndex?: number; netnsid?: number }>;
  /** nsid -> namespace name, as `ip netns list-id` tells it here (read only when needed). */
  listIds: () => Promise<Map<number, string>>;
}

async function readNamespace(sandbox: Sandbox, id: NsId): Promise<RawNs> {
  const name = nsName(id);
  const ipArgs = (args: string[]): string[] =>
    name === undefined ? ["ip", ...args] : ["ip", "-n", name, ...args];
  const inNs = (argv: string[]): string[] =>
    name === undefined ? argv : ["ip", "netns", "exec", name, ...argv];
  const run = async (argv: string[]): Promise<string> => {
    const r = await sandbox.exec({ argv, background: false });
    if (r.exit !== 0) {
      throw new Error(`inspect: ${argv.join(" ")}: ${r.stderr.trim() || `exit ${r.exit}`}`);
    }
    return r.stdout;
  };
  // The reads are independent: the sandbox runs them side by side, so the snapshot is
  // taken within a few tens of milliseconds.
  const [links, routes, rules, neigh, fdb, save, ct, ss, fwd] = await Promise.all([
    run(ipArgs(["-j", "-d", "addr", "show"])),
    run(ipArgs(["-4", "-j", "route", "show", "table", "all"])),
    run(ipArgs(["-4", "-j", "rule", "show"])),
    run(ipArgs(["-4", "-j", "neigh", "show"])),
    run(
      name === undefined
        ? ["bridge", "-j", "fdb", "show"]
        : ["bridge", "-n", name, "-j", "fdb", "show"],
    ),
    run(inNs(["iptables-save", "-c"])),
    run(inNs(["conntrack", "-L"])),
    run(inNs(["ss", "-H", "-ltunp"])),
    run(inNs(["cat", "/proc/sys/net/ipv4/ip_forward"])),
  ]);
  const veth = new Map<string, { ifindex: number; linkIndex?: number; netnsid?: number }>();
  const devices = parseLinks(links, id, veth);
  attachFdb(devices, parseJsonArray(fdb, "bridge fdb"));
  let ids: Promise<Map<number, string>> | undefined;
  return {
    state: {
      id,
      ipForward: fwd.trim() === "1",
      devices,
      routes: parseRoutes(routes),
      rules: parseRules(rules),
      neighbours: parseNeighbours(neigh),
      iptables: parseIptablesSave(save),
      conntrack: parseConntrack(ct),
      sockets: parseSs(ss),
    },
    veth,
    listIds: () => (ids ??= run(ipArgs(["-j", "netns", "list-id"])).then(parseListIds)),
  };
}

// ---- typed access to parsed JSON (no `any`) ----

type Json = Record<string, unknown>;

function parseJsonArray(text: string, what: string): Json[] {
  const t = text.trim();
  if (t === "") return [];
  const v: unknown = JSON.parse(t);
  if (!Array.isArray(v)) throw new Error(`inspect: ${what}: expected a JSON array`);
  return v.filter(isObject);
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const str = (o: Json, k: string): string | undefined =>
  typeof o[k] === "string" ? (o[k] as string) : undefined;
const num = (o: Json, k: string): number | undefined =>
  typeof o[k] === "number" ? (o[k] as number) : undefined;
const bool = (o: Json, k: string): boolean | undefined =>
  typeof o[k] === "boolean" ? (o[k] as boolean) : undefined;
const obj = (o: Json, k: string): Json | undefined => (isObject(o[k]) ? (o[k] as Json) : undefined);
const strings = (o: Json, k: string): string[] =>
  Array.isArray(o[k]) ? (o[k] as unknown[]).filter((x): x is string => typeof x === "string") : [];

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`inspect: missing ${what}`);
  return v;
}

// ---- devices ----

const KINDS: ReadonlySet<string> = new Set(["veth", "bridge", "vxlan"]);

function parseLinks(
  text: string,
  id: NsId,
  veth: Map<string, { ifindex: number; linkIndex?: number; netnsid?: number }>,
): Device[] {
  const ports: BridgePort[] = [];
  const sameNsPeer = new Map<Device, string>();
  const devices = parseJsonArray(text, "ip addr").map((l) => {
    const name = need(str(l, "ifname"), "ifname");
    const flags = strings(l, "flags");
    const info = obj(l, "linkinfo");
    const infoKind = info && str(info, "info_kind");
    const kind: DeviceKind =
      infoKind !== undefined && KINDS.has(infoKind)
        ? (infoKind as DeviceKind)
        : str(l, "link_type") === "loopback"
          ? "loopback"
          : "other";
    const ifindex = need(num(l, "ifindex"), "ifindex");
    const d: Device = {
      name,
      ifindex,
      kind,
      up: flags.includes("UP"),
      operstate: (str(l, "operstate") ?? "UNKNOWN") as OperState,
      carrier: flags.includes("LOWER_UP"),
      mtu: need(num(l, "mtu"), "mtu"),
      mac: str(l, "address") ?? "",
      addresses: (Array.isArray(l["addr_info"]) ? (l["addr_info"] as unknown[]) : [])
        .filter(isObject)
        .map((a): Address => ({
          family: str(a, "family") === "inet6" ? "inet6" : "inet",
          address: need(str(a, "local"), "address"),
          prefixlen: need(num(a, "prefixlen"), "prefixlen"),
          scope: String(a["scope"] ?? "global"),
        })),
    };
    const master = str(l, "master");
    if (master !== undefined) d.master = master;
    if (kind === "veth") {
      // iproute2 names the peer ("link") when it resolves its index here, and gives the
      // index ("link_index", with "link_netnsid" when it is in another namespace) when not.
      const link = str(l, "link");
      const linkIndex = num(l, "link_index");
      const netnsid = num(l, "link_netnsid");
      if (link !== undefined && netnsid === undefined) sameNsPeer.set(d, link);
      veth.set(name, {
        ifindex,
        ...(linkIndex !== undefined ? { linkIndex } : {}),
        ...(netnsid !== undefined ? { netnsid } : {}),
      });
    }
    const data = info && obj(info, "info_data");
    if (kind === "vxlan" && data) {
      d.vxlan = {
        id: need(num(data, "id"), "vxlan id"),
        port: num(data, "port") ?? 8472,
        learning: bool(data, "learning") ?? true,
        fdb: [],
      };
      const remote = str(data, "remote");
      const local = str(data, "local");
      const dev = str(data, "link");
      if (remote !== undefined) d.vxlan.remote = remote;
      if (local !== undefined) d.vxlan.local = local;
      if (dev !== undefined) d.vxlan.dev = dev;
    }
    if (kind === "bridge") d.bridge = { ports: [], fdb: [] };
    const slave = info && str(info, "info_slave_kind") === "bridge" && obj(info, "info_slave_data");
    if (slave) {
      const port: BridgePort = {
        name,
        state: str(slave, "state") ?? "",
        hairpin: bool(slave, "hairpin") ?? false,
        learning: bool(slave, "learning") ?? true,
        flood: bool(slave, "flood") ?? true,
      };
      ports.push(port);
    }
    return d;
  });
  for (const [d, peer] of sameNsPeer) d.peer = devRef(id, peer);
  // Ports in ifindex order, on the bridge they belong to.
  for (const p of ports) {
    const master = devices.find((x) => x.name === p.name)?.master;
    devices.find((x) => x.name === master)?.bridge?.ports.push(p);
  }
  return devices;
}

/**
 * `bridge fdb show`: entries with `master BR` are the bridge's forwarding database; a
 * VXLAN device's own entries carry `dst`. The other `self` entries are the devices'
 * multicast address lists, not forwarding state, and are left out.
 */
function attachFdb(devices: Device[], entries: Json[]): void {
  const byName = new Map(devices.map((d) => [d.name, d]));
  for (const e of entries) {
    const mac = str(e, "mac");
    const ifname = str(e, "ifname");
    if (mac === undefined || ifname === undefined) continue;
    const state = str(e, "state") ?? "";
    const permanent = state === "permanent" || state === "static";
    const master = str(e, "master");
    const br = master === undefined ? undefined : byName.get(master)?.bridge;
    if (br) {
      const entry: BridgeFdbEntry = { mac, port: ifname, permanent };
      br.fdb.push(entry);
      continue;
    }
    const vx = byName.get(ifname)?.vxlan;
    const dst = str(e, "dst");
    if (vx && dst !== undefined) {
      const entry: VxlanFdbEntry = { mac, dst, permanent };
      vx.fdb.push(entry);
    }
  }
}

/** Fills each veth's peer: the device with the peer index in the namespace its nsid names. */
async function resolvePeers(raw: RawNs[]): Promise<void> {
  for (const ns of raw) {
    for (const d of ns.state.devices) {
      const v = ns.veth.get(d.name);
      if (!v || d.peer) continue;
      if (v.linkIndex === undefined) continue; // the peer is gone (or not yet known)
      if (v.netnsid === undefined) {
        const peer = ns.state.devices.find((x) => x.ifindex === v.linkIndex);
        if (peer) d.peer = devRef(ns.state.id, peer.name);
        continue;
      }
      // In another namespace: the veth there whose index and link index mirror ours.
      const candidates: { ns: NsId; name: string }[] = [];
      for (const other of raw) {
        if (other === ns) continue;
        for (const [name, w] of other.veth) {
          if (w.ifindex === v.linkIndex && w.linkIndex === v.ifindex)
            candidates.push({ ns: other.state.id, name });
        }
      }
      if (candidates.length === 1) {
        d.peer = devRef(candidates[0]!.ns, candidates[0]!.name);
        continue;
      }
      if (candidates.length === 0) continue;
      // Ambiguous (the same index pair in several namespaces): ask which name the nsid
      // has here; the root namespace has none.
      const names = await ns.listIds();
      const there = names.get(v.netnsid);
      const pick = candidates.find((c) => c.ns === (there === undefined ? ROOT_NS : nsId(there)));
      if (pick) d.peer = devRef(pick.ns, pick.name);
    }
  }
}

function parseListIds(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const e of parseJsonArray(text, "ip netns list-id")) {
    const id = num(e, "nsid");
    const name = str(e, "name");
    if (id !== undefined && name !== undefined) out.set(id, name);
  }
  return out;
}

// ---- routes, rules, neighbours ----

const TABLE_IDS: Record<string, number> = { local: 255, main: 254, default: 253, unspec: 0 };

function tableId(v: unknown): number {
  if (v === undefined) return 254;
  const s = String(v);
  return TABLE_IDS[s] ?? Number(s);
}

/** "default" and host routes (printed without "/32") as "a.b.c.d/len". */
function prefix(dst: string): string {
  if (dst === "default") return "0.0.0.0/0";
  return dst.includes("/") ? dst : `${dst}/32`;
}

function parseRoutes(text: string): Route[] {
  return parseJsonArray(text, "ip route").map((r) => {
    const out: Route = {
      table: tableId(r["table"]),
      type: str(r, "type") ?? "unicast",
      dst: prefix(need(str(r, "dst"), "route dst")),
      // iproute2 hides proto boot unless asked (print_route).
      protocol:
        str(r, "protocol") ?? (r["protocol"] !== undefined ? String(r["protocol"]) : "boot"),
      scope: str(r, "scope") ?? "global",
      metric: num(r, "metric") ?? 0,
      flags: strings(r, "flags"),
    };
    const gateway = str(r, "gateway");
    const dev = str(r, "dev");
    const prefsrc = str(r, "prefsrc");
    if (gateway !== undefined) out.gateway = gateway;
    if (dev !== undefined) out.dev = dev;
    if (prefsrc !== undefined) out.prefsrc = prefsrc;
    return out;
  });
}

function parseRules(text: string): RouteRule[] {
  return parseJsonArray(text, "ip rule").map((r) => {
    const out: RouteRule = {
      priority: num(r, "priority") ?? 0,
      not: "not" in r,
      action: str(r, "action") ?? "lookup",
    };
    const src = str(r, "src");
    if (src !== undefined && src !== "all") out.from = `${src}/${num(r, "srclen") ?? 32}`;
    const dst = str(r, "dst");
    if (dst !== undefined && dst !== "all") out.to = `${dst}/${num(r, "dstlen") ?? 32}`;
    const iif = str(r, "iif");
    const oif = str(r, "oif");
    if (iif !== undefined) out.iif = iif;
    if (oif !== undefined) out.oif = oif;
    if (r["table"] !== undefined) out.table = tableId(r["table"]);
    return out;
  });
}

function parseNeighbours(text: string): Neighbour[] {
  return parseJsonArray(text, "ip neigh").map((n) => {
    const out: Neighbour = {
      address: need(str(n, "dst"), "neighbour dst"),
      dev: need(str(n, "dev"), "neighbour dev"),
      state: strings(n, "state").join(","),
    };
    const lladdr = str(n, "lladdr");
    if (lladdr !== undefined) out.lladdr = lladdr;
    return out;
  });
}

// ---- netfilter ----

/** `iptables-save -c`: "*table", ":CHAIN POLICY [p:b]", "[p:b] -A CHAIN spec", "COMMIT". */
export function parseIptablesSave(text: string): IptablesTable[] {
  const tables: IptablesTable[] = [];
  let table: IptablesTable | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    if (line.startsWith("*")) {
      table = { name: line.slice(1).trim(), chains: [] };
      tables.push(table);
      continue;
    }
    if (!table || line === "COMMIT") continue;
    const chain = /^:(\S+) (\S+) \[(\d+):(\d+)\]$/.exec(line);
    if (chain) {
      const c: IptablesChain = {
        name: chain[1]!,
        packets: Number(chain[3]),
        bytes: Number(chain[4]),
        rules: [],
      };
      if (chain[2] !== "-") c.policy = chain[2]!;
      table.chains.push(c);
      continue;
    }
    const rule = /^\[(\d+):(\d+)\] -A (\S+) ?(.*)$/.exec(line);
    if (!rule) throw new Error(`inspect: iptables-save: unexpected line: ${line}`);
    const c = table.chains.find((x) => x.name === rule[3]);
    if (!c) throw new Error(`inspect: iptables-save: rule of an unknown chain: ${line}`);
    c.rules.push({ spec: rule[4]!, packets: Number(rule[1]), bytes: Number(rule[2]) });
  }
  return tables;
}

/** `conntrack -L` lines (libnetfilter_conntrack's default format). */
export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split("\n")) {
    const w = line.trim().split(/\s+/);
    if (w.length < 4 || !/^\d+$/.test(w[1] ?? "")) continue;
    const tuples: ConntrackTuple[] = [];
    let cur: ConntrackTuple | undefined;
    const e: ConntrackEntry = {
      proto: w[0]!,
      protonum: Number(w[1]),
      timeout: Number(w[2]),
      original: { src: "", dst: "" },
      reply: { src: "", dst: "" },
      unreplied: false,
      assured: false,
      mark: 0,
    };
    for (const tok of w.slice(3)) {
      if (tok === "[UNREPLIED]") e.unreplied = true;
      else if (tok === "[ASSURED]") e.assured = true;
      else if (/^[A-Z_]+$/.test(tok)) e.state = tok;
      const kv = /^(\w+)=(.*)$/.exec(tok);
      if (!kv) continue;
      const [, k, v] = kv;
      if (k === "src") {
        cur = { src: v!, dst: "" };
        tuples.push(cur);
      } else if (k === "mark") e.mark = Number(v);
      else if (cur && tuples.length <= 2) {
        if (k === "dst") cur.dst = v!;
        else if (k === "sport" || k === "dport" || k === "type" || k === "code" || k === "id")
          cur[k] = Number(v);
      }
    }
    if (tuples[0]) e.original = tuples[0];
    if (tuples[1]) e.reply = tuples[1];
    out.push(e);
  }
  return out;
}

// ---- sockets ----

/** `ss -H -ltunp`: "tcp LISTEN 0 1 0.0.0.0:80 0.0.0.0:* users:(("nc",pid=29,fd=3))". */
export function parseSs(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split("\n")) {
    const w = line.trim().split(/\s+/);
    const proto = w[0];
    const local = w[4];
    if ((proto !== "tcp" && proto !== "udp") || local === undefined) continue;
    const colon = local.lastIndexOf(":");
    let address = local.slice(0, colon).replace(/%\S+$/, "");
    if (address.startsWith("[") && address.endsWith("]")) address = address.slice(1, -1);
    const s: ListeningSocket = { proto, address, port: Number(local.slice(colon + 1)) };
    const program = /users:\(\("([^"]*)"/.exec(line)?.[1];
    if (program !== undefined) s.program = program;
    out.push(s);
  }
  return out;
}
