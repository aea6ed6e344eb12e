// The one door from userland into the simulated kernel, shaped like netlink: each call is
// one request (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, ..., an nftables batch, a write to
// /proc/sys) that the kernel applies in its own order and answers with nothing or with a
// KernelError carrying an errno (and the extack message the kernel would attach). Programs
// in src/sim/userland and the Docker daemon in src/sim/docker import only this module
// (dependency-cruiser checks it): they never write a kernel object's fields themselves, so
// the simulator's tools, the Docker model and lessons all change the world the same way.
//
// Dumps are not copies: a request that lists (devices, routes, entries) gives the kernel's
// own objects to read, typed through ./uapi.ts.
import type { NetDevice } from "../core/device.js";
import { kfail } from "../core/errors.js";
import type { Ip4 } from "../core/ip4.js";
import {
  deleteLink,
  moveToNetns,
  rename,
  setAdmin,
  setFlags,
  setMac,
  setMaster,
  setMtu,
  type LinkAttrs,
} from "../core/links.js";
import { linkwatchSync } from "../core/linkwatch.js";
import type { Mac } from "../core/mac.js";
import type { NetNs } from "../core/netns.js";
import { announce } from "../core/rtmsg.js";
import type { World } from "../core/world.js";
import { addTap, type Tap } from "../core/tap.js";
import { Bridge, type BridgeOptions, type PortOptions } from "../drivers/bridge.js";
import type { VxlanParams } from "../drivers/vxlan.js";
import {
  addAddress,
  addAddress6,
  delAddress,
  delAddress6,
  type Addr6Spec,
  type AddrSpec,
} from "../ipv4/devinet.js";
import type { InsertMode, Route, RouteConfig, RouteMatch, Rule } from "../ipv4/fib.js";
import type { NeighEntry } from "../ipv4/neigh.js";
import { getRoute, type GetRouteAnswer, type GetRouteRequest } from "../ipv4/route-get.js";
import { peekConntrack } from "../netfilter/conntrack.js";
import { atomically, netfilterOf } from "../netfilter/state.js";
import type { NetfilterState } from "../netfilter/types.js";

export * from "./uapi.js";
export { readSysctl, sysctlExists, sysctlKey, writeSysctl } from "./sysctl.js";
export type { SysctlRead, SysctlWrite } from "./sysctl.js";

// ---------------------------------------------------------------------------------------
// The sender's capability (rtnetlink_rcv_msg: a request other than a GET needs CAP_NET_ADMIN)

let withoutCap = 0;

/**
 * Runs fn as a process without CAP_NET_ADMIN (a Docker container's: docker exec): every
 * change request fails with EPERM before its handler looks at it, as netlink_net_capable
 * refuses it in rtnetlink_rcv_msg; dumps and gets still answer. Programs are synchronous,
 * so the scope is exactly the program's run.
 */
export function withoutNetAdmin<T>(fn: () => T): T {
  withoutCap++;
  try {
    return fn();
  } finally {
    withoutCap--;
  }
}

function requireNetAdmin(): void {
  if (withoutCap > 0) kfail("EPERM");
}

// ---------------------------------------------------------------------------------------
// Namespaces (the netns side of `ip netns`: a bind mount and RTM_NEWNSID)

/** unshare(CLONE_NEWNET) and the bind mount `ip netns add` makes. */
export function netnsAdd(world: World, name: string): NetNs {
  return world.addNetns(name);
}

/** ip netns attach: /run/netns/NAME bind-mounted from /proc/PID/ns/net (ns: PID's). */
export function netnsAttach(world: World, name: string, ns: NetNs): void {
  world.attachNetns(name, ns);
}

/** umount and unlink of /run/netns/NAME (the namespace lives on while a process holds it). */
export function netnsDel(world: World, name: string): void {
  world.delNetns(name);
}

/**
 * unshare(CLONE_NEWNET) by a process that bind-mounts the namespace outside /run/netns
 * (dockerd's /run/docker/netns/ID), so `ip netns` does not list it. `label` is what walks
 * call it: a name for people, which the kernel itself does not keep.
 */
export function netnsAddUnnamed(world: World, label?: string): NetNs {
  const ns = world.addUnnamedNetns();
  if (label !== undefined) ns.traceLabel = label;
  return ns;
}

/**
 * An unnamed namespace's bind mount is gone and its last process has ended (docker stop):
 * the namespace dies with its devices.
 */
export function netnsRelease(world: World, ns: NetNs): void {
  world.killUnnamedNetns(ns);
}

/** RTM_NEWNSID: give `peer` an id as seen from ns, `id` or the lowest free one. */
export function nsidSet(ns: NetNs, peer: NetNs, id: number | undefined): void {
  if (ns.nsids.has(peer)) kfail("EEXIST", "Peer netns already has a nsid assigned");
  if (id === undefined) {
    ns.nsidOf(peer);
    return;
  }
  if ([...ns.nsids.values()].includes(id)) kfail("EEXIST", "The specified nsid is already used");
  ns.nsids.set(peer, id);
}

// ---------------------------------------------------------------------------------------
// Links (RTM_NEWLINK, RTM_SETLINK, RTM_DELLINK, RTM_GETLINK)

/** IFLA_NET_NS_FD (a namespace) or IFLA_NET_NS_PID (only pid 1, the root, lives here). */
export type NetnsRef = NetNs | { pid: number };

/** Attributes of a link request that do_setlink / rtnl_create_link apply. */
export interface LinkRequest {
  /** IFLA_IFNAME: the name (a %d template when creating), or the new name. */
  name?: string;
  /** IFLA_ADDRESS as bytes (the kernel checks the length and the kind of address). */
  mac?: readonly number[];
  mtu?: number;
  txqlen?: number;
  group?: number;
  /** IFLA_IFALIAS; "" removes it. */
  alias?: string;
  netns?: NetnsRef;
  /** IFLA_MASTER: a bridge, or null for nomaster. */
  master?: NetDevice | null;
  up?: boolean;
  promisc?: boolean;
  allmulti?: boolean;
  multicast?: boolean;
  noarp?: boolean;
  /** IFLA_AF_SPEC's IFLA_INET6_ADDR_GEN_MODE (ip link set DEV addrgenmode eui64|none). */
  addrGenMode?: "eui64" | "none";
}

/** Bridge port options (IFLA_BRPORT_*), set with `ip link ... type bridge_slave` or `bridge link`. */
export interface BrportRequest extends Partial<PortOptions> {
  hairpin?: boolean;
}

/** IFLA_LINKINFO of a new link: its kind and the kind's own data. */
export type NewLinkKind =
  | { kind: "veth"; peer?: LinkRequest }
  | { kind: "bridge"; bridge?: Partial<BridgeOptions> }
  | { kind: "vxlan"; vxlan: VxlanParams };

/** IFLA_LINKINFO of a change: the kind's changelink or the master's slave_changelink. */
export interface LinkKindChange {
  bridge?: Partial<BridgeOptions>;
  brport?: BrportRequest;
}

/** IFLA_ADDRESS bytes as the kernel stores them. */
function macText(bytes: readonly number[]): Mac {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

function targetNs(ns: NetNs, ref: NetnsRef | undefined): NetNs {
  if (ref === undefined) return ns;
  if ("pid" in ref) return ref.pid === 1 ? ns.world.root : kfail("ESRCH");
  return ref;
}

/** validate_linkmsg / eth_prepare_mac_addr_change for a new link's address. */
function checkNewMac(mac: readonly number[] | undefined): void {
  if (mac && (mac.length !== 6 || (mac[0]! & 1) === 1 || mac.every((b) => b === 0))) {
    kfail(mac.length !== 6 ? "EINVAL" : "EADDRNOTAVAIL");
  }
}

function attrsOf(r: LinkRequest): LinkAttrs {
  const at: LinkAttrs = {};
  if (r.mac) at.mac = macText(r.mac);
  if (r.mtu !== undefined) at.mtu = r.mtu;
  if (r.txqlen !== undefined) at.txqlen = r.txqlen;
  return at;
}

function flagsOf(r: LinkRequest): Parameters<typeof setFlags>[1] {
  return { promisc: r.promisc, allmulti: r.allmulti, multicast: r.multicast, noarp: r.noarp };
}

/**
 * RTM_NEWLINK with NLM_F_CREATE, sent in ns: the kind's newlink in the target namespace,
 * then rtnl_configure_link (flags, up) and the master (a failed enslave deletes the link).
 */
export function linkAdd(ns: NetNs, r: LinkRequest & NewLinkKind): NetDevice {
  requireNetAdmin();
  checkNewMac(r.mac);
  const ops = ns.world.modules.linkKinds.get(r.kind);
  if (!ops) kfail("EOPNOTSUPP", "Unknown device type");
  let dev: NetDevice;
  if (r.kind === "veth") {
    const peer = r.peer ?? {};
    checkNewMac(peer.mac);
    const target = targetNs(ns, r.netns);
    // veth_newlink: the peer goes where its own netns says, else where the request came from.
    const peerNs = targetNs(ns, peer.netns);
    dev = ops.newlink(target, r.name, attrsOf(r), {
      peer: {
        ...attrsOf(peer),
        ...(peer.name !== undefined ? { name: peer.name } : {}),
        ns: peerNs,
        up: peer.up === true,
      },
    });
    const other = dev.pairPeer()!;
    if (peer.alias !== undefined) other.alias = peer.alias;
    setFlags(other, flagsOf(peer));
  } else {
    const target = targetNs(ns, r.netns);
    dev = ops.newlink(
      target,
      r.name,
      attrsOf(r),
      r.kind === "bridge" ? { bridge: r.bridge ?? {} } : { vxlan: r.vxlan },
    );
  }
  if (r.alias !== undefined) dev.alias = r.alias;
  if (r.group !== undefined) dev.group = r.group;
  setFlags(dev, flagsOf(r));
  if (r.up) setAdmin(dev, true);
  if (r.master) {
    try {
      setMaster(dev, r.master);
    } catch (e) {
      deleteLink(dev);
      throw e;
    }
  }
  return dev;
}

/**
 * RTM_NEWLINK on an existing device (rtnl_changelink): the kind's changelink or the
 * master's slave_changelink first, then do_setlink in its order: namespace, address, MTU,
 * group, name, alias, flags, master, txqueuelen. A failure stops there; what came before stays.
 */
export function linkSet(dev: NetDevice, r: LinkRequest, kind: LinkKindChange = {}): void {
  requireNetAdmin();
  if (kind.bridge) {
    if (!(dev instanceof Bridge)) kfail("EOPNOTSUPP");
    Object.assign(dev.options, kind.bridge);
  }
  if (kind.brport) brportSet(dev, kind.brport);
  const newName = r.name !== undefined && r.name !== dev.name ? r.name : undefined;
  if (r.netns !== undefined) moveToNetns(dev, targetNs(dev.ns, r.netns), newName);
  if (r.mac) {
    if (r.mac.length !== 6) kfail("EINVAL");
    setMac(dev, macText(r.mac));
  }
  if (r.mtu !== undefined) setMtu(dev, r.mtu);
  if (r.group !== undefined) dev.group = r.group;
  if (newName !== undefined) rename(dev, newName);
  if (r.alias !== undefined) dev.alias = r.alias === "" ? undefined : r.alias;
  setFlags(dev, flagsOf(r));
  if (r.up !== undefined) setAdmin(dev, r.up);
  if (r.master !== undefined) setMaster(dev, r.master ?? undefined);
  if (r.txqlen !== undefined) {
    if (r.txqlen < 0) kfail("EINVAL");
    dev.txqlen = r.txqlen;
  }
  // IFLA_AF_SPEC comes last in do_setlink; inet6_set_link_af only stores the mode.
  if (r.addrGenMode !== undefined) dev.addrGenMode = r.addrGenMode;
}

/** br_setport: options of a bridge port; EOPNOTSUPP when the device is no bridge's port. */
export function brportSet(dev: NetDevice, r: BrportRequest): void {
  requireNetAdmin();
  const br = dev.master;
  if (!(br instanceof Bridge)) kfail("EOPNOTSUPP");
  const port = br.port(dev)!;
  const { hairpin, ...options } = r;
  if (hairpin !== undefined) dev.hairpin = hairpin;
  for (const [k, v] of Object.entries(options) as [keyof PortOptions, boolean | undefined][]) {
    if (v !== undefined) port.options[k] = v;
  }
}

/** RTM_DELLINK. */
export function linkDel(dev: NetDevice): void {
  requireNetAdmin();
  deleteLink(dev);
}

/**
 * RTM_GETLINK for one device by name, as iproute2 resolves every name it is given: the
 * kernel first runs the device's pending linkwatch event (linkwatch_sync_dev).
 */
export function linkGet(dev: NetDevice): void {
  linkwatchSync(dev);
}

/**
 * The RTM_NEWLINK message of a dump or get reply, built for dev (rtnl_fill_ifinfo): it
 * names the link's namespace by an nsid, which building it allocates.
 */
export function linkFill(dev: NetDevice): void {
  announce(dev);
}

// ---------------------------------------------------------------------------------------
// Addresses (RTM_NEWADDR, RTM_DELADDR)

export function addrAdd(dev: NetDevice, spec: AddrSpec): void {
  requireNetAdmin();
  addAddress(dev, spec);
}

/** RTM_DELADDR for IPv4: by address and prefix (any prefix when undefined) and label. */
export function addrDel(dev: NetDevice, addr: Ip4, plen: number | undefined, label?: string): void {
  requireNetAdmin();
  delAddress(dev, addr, plen, label);
}

/** inet6_rtm_newaddr; IFA_F_NOPREFIXROUTE is recorded once the address is in place. */
export function addr6Add(dev: NetDevice, spec: Addr6Spec & { noprefixroute?: boolean }): void {
  requireNetAdmin();
  const { noprefixroute, ...rest } = spec;
  const ifa = addAddress6(dev, rest);
  if (noprefixroute) ifa.noprefixroute = true;
}

export function addr6Del(dev: NetDevice, addr: string, plen: number): void {
  requireNetAdmin();
  delAddress6(dev, addr, plen);
}

// ---------------------------------------------------------------------------------------
// Routes and rules (RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE, RTM_NEWRULE, RTM_DELRULE)

export function routeAdd(ns: NetNs, cfg: RouteConfig, mode: InsertMode): Route {
  requireNetAdmin();
  return ns.fib.addRoute(cfg, mode);
}

export function routeDel(ns: NetNs, match: RouteMatch): Route {
  requireNetAdmin();
  return ns.fib.deleteRoute(match);
}

/** `ip route flush`: the routes a dump selected, deleted one RTM_DELROUTE each. */
export function routeFlush(ns: NetNs, routes: ReadonlySet<Route>): void {
  if (routes.size > 0) requireNetAdmin();
  ns.fib.removeWhere((r) => routes.has(r));
}

/** RTM_GETROUTE for one destination (inet_rtm_getroute). */
export function routeGet(ns: NetNs, req: GetRouteRequest): GetRouteAnswer {
  return getRoute(ns, req);
}

/** The priority a rule without one gets (fib_default_rule_pref). */
export function ruleDefaultPriority(ns: NetNs): number {
  return ns.fib.defaultRulePriority();
}

export function ruleAdd(ns: NetNs, rule: Rule, excl = true): void {
  requireNetAdmin();
  ns.fib.addRule(rule, excl);
}

export function ruleDel(ns: NetNs, match: Partial<Rule> & { priorityGiven: boolean }): Rule {
  requireNetAdmin();
  return ns.fib.deleteRule(match);
}

// ---------------------------------------------------------------------------------------
// Neighbours and conntrack

/** One round of `ip neigh flush`: deletes what the filter selects, returns how many. */
export function neighFlush(ns: NetNs, filter: (e: NeighEntry) => boolean): number {
  if (withoutCap > 0) {
    // The dump works; only a delete request (one per selected entry) is refused.
    let any = false;
    ns.neigh.flush((e) => {
      if (filter(e)) any = true;
      return false;
    });
    if (any) kfail("EPERM");
    return 0;
  }
  return ns.neigh.flush(filter);
}

/** `conntrack -F` (IPCTNL_MSG_CT_DELETE without a tuple). */
export function conntrackFlush(ns: NetNs): void {
  requireNetAdmin();
  peekConntrack(ns)?.flush();
}

/**
 * IPCTNL_MSG_CT_DELETE of every entry with `addr` in either tuple (netlink's
 * ConntrackNatAnyIP filter, as libnetwork's clearEndpointConnections uses it); returns how many.
 */
export function conntrackDeleteByAddress(ns: NetNs, addr: Ip4): number {
  requireNetAdmin();
  const table = peekConntrack(ns);
  if (!table) return 0;
  const gone = table.list().filter((ct) => ct.tuple.some((t) => t.src === addr || t.dst === addr));
  for (const ct of gone) table.remove(ct);
  return gone.length;
}

// ---------------------------------------------------------------------------------------
// Netfilter (an nftables batch: NFT_MSG_* between a begin and a commit)

/**
 * One batch of table edits: `fn` edits `state` with the table operations of ./uapi.ts;
 * when it throws, the batch aborts and the tables are as before.
 */
export function nfBatch<T>(ns: NetNs, fn: (state: NetfilterState) => T): T {
  const st = netfilterOf(ns);
  return atomically(st, () => fn(st));
}

/**
 * A batch held open across several steps (iptables-restore's COMMIT blocks): edits go to
 * `state`; `abort()` puts the tables back as they were at `nfBegin`; `commit()` keeps them.
 */
export interface NfTransaction {
  readonly state: NetfilterState;
  commit(): void;
  abort(): void;
}

export function nfBegin(ns: NetNs): NfTransaction {
  const st = netfilterOf(ns);
  const saved = structuredClone({ tables: st.tables, next: st.nextCreated });
  let open = true;
  return {
    state: st,
    commit: () => {
      open = false;
    },
    abort: () => {
      if (!open) return;
      open = false;
      st.tables.clear();
      for (const [k, v] of saved.tables) st.tables.set(k, v);
      st.nextCreated = saved.next;
    },
  };
}

/** Dump of the tables (iptables -L/-S, iptables-save), created empty on first use. */
export function nfTables(ns: NetNs): NetfilterState {
  return netfilterOf(ns);
}

/**
 * An AF_PACKET socket bound to every device (tcpdump's capture): tap sees each frame a
 * device of the world sends or receives; the function returned closes the socket.
 */
export function packetSocket(world: World, tap: Tap): () => void {
  return addTap(world, tap);
}
export type { Tap, TapDirection } from "../core/tap.js";
