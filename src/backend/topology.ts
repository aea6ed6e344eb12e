// What a lab has built, read back from a backend: Backend.inspect() returns one Topology,
// a snapshot of every namespace's devices, routes, rules, neighbours, bridges, iptables,
// conntrack and listening sockets. Both backends fill the same shape (the simulator from
// its objects, the kernel from iproute2's JSON and the netfilter tools), so diagrams,
// lessons and graders read one thing, and the differential tests can hold the two side
// by side (src/compare/topology.ts). Types only: nothing here may need Node.
//
// Values are as the kernel's tools print them (addresses as text, MACs lower-case with
// colons, names of route types and scopes as iproute2 spells them), so a field's meaning
// is the tool's; docs/DESIGN.md ("inspect() and the Topology") names each field's source.
import type { DevRef, NsId } from "./ids.js";

export interface Topology {
  /** The root namespace first, then the named ones by name. */
  namespaces: NamespaceState[];
}

export interface NamespaceState {
  id: NsId;
  /** net.ipv4.ip_forward: whether the namespace routes between its interfaces. */
  ipForward: boolean;
  /** In ifindex order (the order the kernel dumps them). */
  devices: Device[];
  /** IPv4 routes of every table (the simulator models no IPv6 routing). */
  routes: Route[];
  /** IPv4 policy rules, by priority. */
  rules: RouteRule[];
  /** IPv4 neighbour (ARP) entries `ip neigh show` lists. */
  neighbours: Neighbour[];
  /** Tables iptables-nft has created in this namespace (none until a command used one). */
  iptables: IptablesTable[];
  /** Connection tracking entries (none unless some rule made the namespace track). */
  conntrack: ConntrackEntry[];
  /** Listening TCP sockets and unconnected bound UDP sockets (`ss -ltu`). */
  sockets: ListeningSocket[];
}

/** Device kinds (rtnl_link_ops kind); "other" for a kind packetwalk does not model. */
export type DeviceKind = "loopback" | "veth" | "bridge" | "vxlan" | "other";

/** IFLA_OPERSTATE as iproute2 names it (RFC 2863). */
export type OperState =
  "UNKNOWN" | "NOTPRESENT" | "DOWN" | "LOWERLAYERDOWN" | "TESTING" | "DORMANT" | "UP";

export interface Device {
  name: string;
  /** Per namespace; depends on the order devices were made (the comparison ignores it). */
  ifindex: number;
  kind: DeviceKind;
  /** IFF_UP: the administrative state (`ip link set X up`). */
  up: boolean;
  operstate: OperState;
  /** IFF_LOWER_UP: up and the driver reports carrier. */
  carrier: boolean;
  mtu: number;
  /** Link-layer address, lower-case hex with colons. */
  mac: string;
  addresses: Address[];
  /** Name of the bridge this device is a port of (always in the same namespace). */
  master?: string;
  /** veth only: the other end, when it is in a namespace of this snapshot. */
  peer?: DevRef;
  vxlan?: VxlanInfo;
  /** bridge only: its ports and forwarding database. */
  bridge?: BridgeInfo;
}

export interface Address {
  family: "inet" | "inet6";
  /** The address as text (inet_ntop). */
  address: string;
  prefixlen: number;
  /** "global", "link", "host" (iproute2's names; a number as text otherwise). */
  scope: string;
}

export interface VxlanInfo {
  /** VNI. */
  id: number;
  remote?: string;
  local?: string;
  /** Underlay device (same namespace). */
  dev?: string;
  /** UDP destination port. */
  port: number;
  learning: boolean;
  /** The vxlan device's own fdb: remote VTEP per inner MAC; "00:00:00:00:00:00" is the default. */
  fdb: VxlanFdbEntry[];
}

export interface VxlanFdbEntry {
  mac: string;
  dst: string;
  permanent: boolean;
}

export interface BridgeInfo {
  /** In port order (the ports' ifindex order). */
  ports: BridgePort[];
  /** The bridge's forwarding database, as `bridge fdb show` lists it with `master BR`. */
  fdb: BridgeFdbEntry[];
}

export interface BridgePort {
  /** The port device (a device of the same namespace). */
  name: string;
  /** STP port state: "forwarding", "disabled", "listening", "learning", "blocking". */
  state: string;
  hairpin: boolean;
  learning: boolean;
  flood: boolean;
}

export interface BridgeFdbEntry {
  mac: string;
  /** The port the MAC is reached through, or the bridge's own name for its own address. */
  port: string;
  /** Local/permanent (a port's or the bridge's own MAC, or added by hand) versus learned. */
  permanent: boolean;
}

export interface Route {
  /** Table id: 255 local, 254 main, 253 default, or the number given. */
  table: number;
  /** "unicast", "local", "broadcast", "blackhole", "unreachable", "prohibit", ... */
  type: string;
  /** "a.b.c.d/len", always with the prefix length ("0.0.0.0/0" for default). */
  dst: string;
  gateway?: string;
  dev?: string;
  /** "kernel", "boot", "static", ... or the number as text. */
  protocol: string;
  /** "global", "link", "host", ... */
  scope: string;
  prefsrc?: string;
  /** 0 when none was given. */
  metric: number;
  /** Next-hop flags iproute2 prints: "onlink", "linkdown", ... */
  flags: string[];
}

export interface RouteRule {
  priority: number;
  /** `not`: the selector is inverted. */
  not: boolean;
  /** "a.b.c.d/len"; absent for "all". */
  from?: string;
  to?: string;
  iif?: string;
  oif?: string;
  /** "lookup", or the rule type: "unreachable", "prohibit", "blackhole". */
  action: string;
  /** The table a lookup rule consults. */
  table?: number;
}

export interface Neighbour {
  /** The IPv4 address. */
  address: string;
  dev: string;
  lladdr?: string;
  /** NUD state as iproute2 names it: "REACHABLE", "STALE", "FAILED", "PERMANENT", ... */
  state: string;
}

export interface IptablesTable {
  /** "filter", "nat", "mangle", "raw", "security". */
  name: string;
  /** Built-in chains first (hook order), then user chains by name, as iptables-save does. */
  chains: IptablesChain[];
}

export interface IptablesChain {
  name: string;
  /** Built-in chains only: "ACCEPT" or "DROP". */
  policy?: string;
  /** Policy counters of a built-in chain (0 for user chains). */
  packets: number;
  bytes: number;
  rules: IptablesRule[];
}

export interface IptablesRule {
  /** The rule as `iptables -S` prints it, without "-A CHAIN": "-s 10.0.0.0/8 -j DROP". */
  spec: string;
  packets: number;
  bytes: number;
}

export interface ConntrackTuple {
  src: string;
  dst: string;
  /** TCP/UDP ports. */
  sport?: number;
  dport?: number;
  /** ICMP type, code and id. */
  type?: number;
  code?: number;
  id?: number;
}

export interface ConntrackEntry {
  /** "tcp", "udp", "icmp", or "unknown" for other protocols. */
  proto: string;
  protonum: number;
  /** Seconds left; time-dependent (the comparison ignores it). */
  timeout: number;
  /** TCP only: "SYN_SENT", "ESTABLISHED", "TIME_WAIT", ... */
  state?: string;
  original: ConntrackTuple;
  reply: ConntrackTuple;
  /** No reply seen yet ([UNREPLIED]). */
  unreplied: boolean;
  assured: boolean;
  mark: number;
}

export interface ListeningSocket {
  proto: "tcp" | "udp";
  /** Bound address as inet_ntop prints it, without brackets: "0.0.0.0" or "::" for any. */
  address: string;
  port: number;
  /** The program that owns it ("nc"); absent for a kernel socket (a VXLAN device's). */
  program?: string;
}
