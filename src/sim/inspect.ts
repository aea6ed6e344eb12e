// SimBackend.inspect(): the simulated world read straight from its objects (namespaces,
// devices, FIB, neighbour table, bridge FDB, netfilter state, conntrack, sockets) into
// the Topology both backends share. Nothing here parses what the simulated programs
// print; where a value has one printed form (an iptables rule, a route's flags) the
// builder the programs use for it is reused, so the two cannot drift apart.
import {
  compareNsId,
  devRef,
  nsId,
  type NsId,
  type Address,
  type BridgeInfo,
  type ConntrackEntry,
  type ConntrackTuple,
  type Device,
  type IptablesTable,
  type ListeningSocket,
  type NamespaceState,
  type Neighbour,
  type Route,
  type RouteRule,
  type Topology,
  type VxlanInfo,
} from "../backend.js";
import type { NetDevice } from "./kernel/core/device.js";
import { formatIp4 } from "./kernel/core/ip4.js";
import type { NetNs } from "./kernel/core/netns.js";
import type { World } from "./kernel/core/world.js";
import { Bridge } from "./kernel/drivers/bridge.js";
import { Veth } from "./kernel/drivers/veth.js";
import { Vxlan } from "./kernel/drivers/vxlan.js";
import { TABLE_ORDER } from "./kernel/netfilter/builtin.js";
import { peekConntrack, type CtTuple } from "./kernel/netfilter/conntrack.js";
import { listedChains } from "./kernel/netfilter/state.js";
import { fromFib } from "./userland/ip/route-print.js";
import { ruleSpec } from "./userland/iptables/save-rule.js";

export function inspectWorld(world: World): Topology {
  world.scheduler.settle();
  const ids = new Map<NetNs, NsId>([[world.root, nsId(undefined)]]);
  for (const [name, ns] of world.named) ids.set(ns, nsId(name));
  const namespaces = [...ids].map(([ns, id]) => namespace(ns, id, ids));
  namespaces.sort((a, b) => compareNsId(a.id, b.id));
  return { namespaces };
}

function namespace(ns: NetNs, id: NsId, ids: Map<NetNs, NsId>): NamespaceState {
  return {
    id,
    ipForward: ns.sysctl.get("net.ipv4.ip_forward") === "1",
    devices: ns.deviceList().map((d) => device(d, ids)),
    routes: routes(ns),
    rules: rules(ns),
    neighbours: neighbours(ns),
    iptables: iptables(ns),
    conntrack: conntrack(ns),
    sockets: sockets(ns),
  };
}

/** The kinds a Topology names; any other registered kind is "other". */
const KNOWN_KINDS = new Set<string>(["loopback", "veth", "bridge", "vxlan"]);

function device(d: NetDevice, ids: Map<NetNs, NsId>): Device {
  const out: Device = {
    name: d.name,
    ifindex: d.ifindex,
    kind: KNOWN_KINDS.has(d.kind) ? (d.kind as Device["kind"]) : "other",
    up: d.adminUp,
    operstate: d.operstate(),
    carrier: d.lowerUp,
    mtu: d.mtu,
    mac: d.mac,
    addresses: addresses(d),
  };
  if (d.master) out.master = d.master.name;
  if (d instanceof Veth) {
    // A peer in a namespace that lost its name (kept alive by a process) is not listed.
    const peerNs = ids.get(d.peer.ns);
    if (peerNs !== undefined) out.peer = devRef(peerNs, d.peer.name);
  }
  if (d instanceof Vxlan) out.vxlan = vxlan(d);
  if (d instanceof Bridge) out.bridge = bridgeInfo(d);
  return out;
}

function addresses(d: NetDevice): Address[] {
  return [
    ...d.addrs4.map((a): Address => ({
      family: "inet",
      address: formatIp4(a.addr),
      prefixlen: a.plen,
      scope: a.scope,
    })),
    ...d.addrs6.map((a): Address => ({
      family: "inet6",
      address: a.addr,
      prefixlen: a.plen,
      scope: a.scope,
    })),
  ];
}

function vxlan(d: Vxlan): VxlanInfo {
  const p = d.params;
  const out: VxlanInfo = { id: p.vni, port: p.dstport, learning: p.learning, fdb: [] };
  if (p.remote !== undefined) out.remote = formatIp4(p.remote);
  if (p.local !== undefined) out.local = formatIp4(p.local);
  if (p.lower) out.dev = p.lower.name;
  // vxlan_fdb_dump: learned remotes (newest first), then the default entry.
  for (const [mac, ip] of [...d.fdb].reverse())
    out.fdb.push({ mac, dst: formatIp4(ip), permanent: false });
  if (p.remote !== undefined)
    out.fdb.push({ mac: "00:00:00:00:00:00", dst: formatIp4(p.remote), permanent: true });
  return out;
}

function bridgeInfo(br: Bridge): BridgeInfo {
  const ports = [...br.ports].sort((a, b) => a.dev.ifindex - b.dev.ifindex);
  const entries = br.entries();
  return {
    ports: ports.map((p) => ({
      name: p.dev.name,
      state: br.portState(p),
      hairpin: p.dev.hairpin,
      learning: p.options.learning,
      flood: p.options.flood,
    })),
    // rtnl_fdb_dump: per port in ifindex order, then the bridge's own entries.
    fdb: [...ports.map((p) => p.dev), br].flatMap((dev) =>
      entries
        .filter((e) => e.dev === dev)
        .map((e) => ({ mac: e.mac, port: dev.name, permanent: e.local })),
    ),
  };
}

function routes(ns: NetNs): Route[] {
  const out: Route[] = [];
  for (const id of ns.fib.dumpOrder()) {
    for (const r of ns.fib.list(id)) {
      const m = fromFib(r);
      const route: Route = {
        table: m.table,
        type: m.type,
        dst: `${formatIp4(r.dst)}/${r.plen}`,
        protocol: m.proto,
        scope: m.scope,
        metric: m.metric ?? 0,
        flags: m.flags,
      };
      if (m.gateway !== undefined) route.gateway = formatIp4(m.gateway);
      if (m.dev) route.dev = m.dev.name;
      if (m.prefsrc !== undefined) route.prefsrc = formatIp4(m.prefsrc);
      out.push(route);
    }
  }
  return out;
}

function rules(ns: NetNs): RouteRule[] {
  return ns.fib.rules.map((r) => {
    const out: RouteRule = { priority: r.priority, not: r.not, action: r.action };
    if (r.from) out.from = `${formatIp4(r.from.addr)}/${r.from.plen}`;
    if (r.to) out.to = `${formatIp4(r.to.addr)}/${r.to.plen}`;
    if (r.iif !== undefined) out.iif = r.iif;
    if (r.oif !== undefined) out.oif = r.oif;
    // FRA_TABLE is sent only when set (a blackhole/unreachable rule has none).
    if (r.table) out.table = r.table;
    return out;
  });
}

function neighbours(ns: NetNs): Neighbour[] {
  const t = ns.neigh;
  return t.list().map((e) => {
    const out: Neighbour = { address: formatIp4(e.ip), dev: e.dev.name, state: t.state(e) };
    if (t.isValid(e) && e.lladdr) out.lladdr = e.lladdr;
    return out;
  });
}

function iptables(ns: NetNs): IptablesTable[] {
  const st = ns.netfilter;
  if (!st) return [];
  return TABLE_ORDER.filter((t) => st.tables.has(t)).map((t) => ({
    name: t,
    chains: listedChains(st, t).map((c) => ({
      name: c.name,
      ...(c.builtin ? { policy: c.policy ?? "ACCEPT" } : {}),
      packets: c.builtin ? c.packets : 0,
      bytes: c.builtin ? c.bytes : 0,
      rules: c.rules.map((r) => ({ spec: ruleSpec(r).trim(), packets: r.packets, bytes: r.bytes })),
    })),
  }));
}

const PROTO_NAME: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp" };

function tuple(t: CtTuple): ConntrackTuple {
  const base = { src: formatIp4(t.src), dst: formatIp4(t.dst) };
  if (t.proto === 1) return { ...base, type: t.dport >> 8, code: t.dport & 255, id: t.sport };
  return { ...base, sport: t.sport, dport: t.dport };
}

function conntrack(ns: NetNs): ConntrackEntry[] {
  const table = peekConntrack(ns);
  if (!table) return [];
  return table.list().map((ct) => {
    const out: ConntrackEntry = {
      proto: PROTO_NAME[ct.proto] ?? "unknown",
      protonum: ct.proto,
      timeout: table.timeoutSeconds(ct),
      original: tuple(ct.tuple[0]),
      reply: tuple(ct.tuple[1]),
      unreplied: !ct.seenReply,
      assured: ct.assured,
      mark: ct.mark,
    };
    if (ct.tcpState) out.state = ct.tcpState;
    return out;
  });
}

function sockets(ns: NetNs): ListeningSocket[] {
  // A lab line's listener is nc (the one program that binds); a docker daemon's sockets
  // name their owner (docker-proxy, or dockerd with the proxy off).
  const out: ListeningSocket[] = ns.tcp
    .diag()
    .filter((s) => s.state === "LISTEN")
    .map((s) => ({
      proto: "tcp",
      address: formatIp4(s.laddr),
      port: s.lport,
      program: s.owner?.comm ?? "nc",
    }));
  for (const s of ns.udp.list()) {
    if (s.closed || s.connected || s.lport === 0) continue;
    const program = s.owner?.comm ?? "nc";
    out.push({ proto: "udp", address: formatIp4(s.laddr), port: s.lport, program });
  }
  // docker-proxy's [::] sockets (no IPv6 stack behind them), as ss names their address.
  for (const s of ns.inet6.list())
    out.push({ proto: s.proto, address: "::", port: s.port, program: s.owner?.comm ?? "nc" });
  // vxlan_sock_add: an up VXLAN device holds a kernel UDP socket on its port, on any
  // address, shared by the devices that use the port.
  const ports = new Set<number>();
  for (const d of ns.deviceList()) {
    if (d instanceof Vxlan && d.adminUp) ports.add(d.params.dstport);
  }
  for (const port of ports) out.push({ proto: "udp", address: "0.0.0.0", port });
  return out;
}
