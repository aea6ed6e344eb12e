// `ip link` (iproute2 6.1 ip/iplink.c, link_veth.c, iplink_bridge.c,
// iplink_bridge_slave.c, iplink_vxlan.c): add, set, delete and show. One command is one
// RTM_NEWLINK/RTM_DELLINK request, applied by the kernel in do_setlink's order.
import {
  type NetDevice,
  kfail,
  linkAdd,
  linkDel,
  linkSet,
  type LinkKindChange,
  type LinkRequest,
  type NetnsRef,
  type BridgeOptions,
  type VxlanParams,
} from "../../kernel/netlink/index.js";
import { ipaddrList } from "./addr.js";
import { Exit } from "../program.js";
import {
  die,
  duparg,
  invarg,
  matches,
  notSimulated as ipNotSimulated,
  type IpContext,
} from "./context.js";
import {
  Args,
  checkAltIfname,
  checkIfname,
  getAddr1,
  getInteger,
  getUint,
  llAddr,
  llNameToIndex,
  parseOnOff,
} from "./util.js";

export function ipLink(c: IpContext, args: string[]): void {
  const cmd = args[0];
  const rest = args.slice(1);
  if (cmd === undefined) return ipaddrList(c, [], "list", true);
  if (matches(cmd, "add")) return iplinkModify(c, "add", rest);
  if (matches(cmd, "set") || matches(cmd, "change")) return iplinkModify(c, "set", rest);
  if (matches(cmd, "replace")) ipNotSimulated(c, "ip link replace");
  if (matches(cmd, "delete")) return iplinkModify(c, "del", rest);
  if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list"))
    return ipaddrList(c, rest, "list", true);
  if (matches(cmd, "help")) ipNotSimulated(c, "ip link help");
  die(c, `Command "${cmd}" is unknown, try "ip link help".`, 255);
}

function notSimulated(c: IpContext, what: string): never {
  ipNotSimulated(c, `ip link ${what}`);
}

/**
 * Link types a Linux kernel (with its usual modules) creates and the simulator does not
 * model; any other unknown type is the kernel's own "Unknown device type".
 */
const UNMODELLED_KINDS = new Set([
  "vlan",
  "macvlan",
  "macvtap",
  "ipvlan",
  "ipvtap",
  "dummy",
  "ifb",
  "vrf",
  "bond",
  "bond_slave",
  "team",
  "gre",
  "gretap",
  "ip6gre",
  "ip6gretap",
  "erspan",
  "ip6erspan",
  "ipip",
  "sit",
  "ip6tnl",
  "vti",
  "vti6",
  "geneve",
  "bareudp",
  "wireguard",
  "macsec",
  "hsr",
  "can",
  "vcan",
  "vxcan",
  "nlmon",
  "xfrm",
  "netdevsim",
  "amt",
  "gtp",
  "batadv",
  "tun",
  "tap",
]);

/** What iplink_parse collected for one device (the request's ifinfomsg and attributes). */
interface LinkReq {
  name?: string;
  dev?: string;
  up?: boolean;
  mac?: number[];
  mtu?: number;
  txqlen?: number;
  netns?: NetnsRef;
  /** ifindex of the new master, 0 for nomaster. */
  master?: NetDevice | 0;
  promisc?: boolean;
  allmulti?: boolean;
  multicast?: boolean;
  noarp?: boolean;
  alias?: string;
  group?: number;
  link?: string;
  type?: string;
  addrGenMode?: "eui64" | "none";
}

/** netns_get_fd, then a PID: the namespace argument of `netns`. */
function netnsArg(c: IpContext, v: string): LinkReq["netns"] | undefined {
  const m = /^(?:\/var)?\/run\/netns\/([^/]+)$/.exec(v);
  const name = v.includes("/") ? m?.[1] : v;
  const ns = name !== undefined ? c.world.named.get(name) : undefined;
  if (ns) return ns;
  if (v.includes("/")) return undefined;
  const pid = getInteger(v);
  return pid === undefined ? undefined : { pid };
}

function onOffFlag(c: IpContext, msg: string, v: string): boolean {
  if (v === "on") return true;
  if (v === "off") return false;
  die(c, `Error: argument of "${msg}" must be "on" or "off", not "${v}"`, 1);
}

/**
 * iplink_parse. Stops after "type KIND" and leaves the cursor on the kind's first
 * argument. `create` is NLM_F_CREATE.
 */
function iplinkParse(c: IpContext, a: Args, create: boolean): LinkReq {
  const r: LinkReq = {};
  let nameSeen = false;
  let devIsName = false;
  for (; a.more; a.step()) {
    const w = a.cur;
    if (w === "up") r.up = true;
    else if (w === "down") r.up = false;
    else if (w === "name") {
      const v = a.next();
      if (nameSeen) duparg(c, "name", v);
      if (!checkIfname(v)) invarg(c, '"name" not a valid ifname', v);
      r.name = v;
      nameSeen = true;
      if (r.dev === undefined) {
        r.dev = v;
        devIsName = true;
      }
    } else if (w === "index") {
      a.next();
      notSimulated(c, "index");
    } else if (matches(w, "link")) {
      r.link = a.next();
    } else if (matches(w, "address")) {
      const v = a.next();
      const mac = llAddr(c, v);
      if (!mac) throw new Exit(1);
      r.mac = mac;
    } else if (matches(w, "broadcast") || w === "brd") {
      a.next();
      notSimulated(c, "broadcast");
    } else if (matches(w, "txqueuelen") || w === "qlen" || matches(w, "txqlen")) {
      const v = a.next();
      if (r.txqlen !== undefined) duparg(c, "txqueuelen", v);
      const n = getInteger(v);
      if (n === undefined) invarg(c, 'Invalid "txqueuelen" value\n', v);
      r.txqlen = n;
    } else if (w === "mtu") {
      const v = a.next();
      if (r.mtu !== undefined) duparg(c, "mtu", v);
      const n = getInteger(v);
      if (n === undefined) invarg(c, 'Invalid "mtu" value\n', v);
      r.mtu = n;
    } else if (w === "xdp" || w === "xdpgeneric" || w === "xdpdrv" || w === "xdpoffload") {
      notSimulated(c, w);
    } else if (w === "netns") {
      const v = a.next();
      if (r.netns !== undefined) duparg(c, "netns", v);
      const ns = netnsArg(c, v);
      if (!ns) invarg(c, 'Invalid "netns" value\n', v);
      r.netns = ns;
    } else if (w === "multicast") {
      r.multicast = onOffFlag(c, "multicast", a.next());
    } else if (w === "allmulticast") {
      r.allmulti = onOffFlag(c, "allmulticast", a.next());
    } else if (w === "promisc") {
      r.promisc = onOffFlag(c, "promisc", a.next());
    } else if (w === "trailers") {
      onOffFlag(c, "trailers", a.next());
    } else if (w === "arp") {
      r.noarp = !onOffFlag(c, "arp", a.next());
    } else if (w === "carrier") {
      const v = parseOnOff(c, "carrier", a.next());
      if (v === undefined) throw new Exit(1);
      notSimulated(c, "carrier");
    } else if (w === "vf") {
      notSimulated(c, "vf");
    } else if (matches(w, "master")) {
      const v = a.next();
      const m = llNameToIndex(c, v);
      if (!m) invarg(c, "Device does not exist\n", v);
      r.master = m;
    } else if (w === "vrf") {
      invarg(c, "Not a valid VRF name\n", a.next());
    } else if (matches(w, "nomaster")) {
      r.master = 0;
    } else if (matches(w, "dynamic")) {
      onOffFlag(c, "dynamic", a.next());
    } else if (matches(w, "type")) {
      r.type = a.next();
      a.step();
      break;
    } else if (matches(w, "alias")) {
      const v = a.next();
      if (v.length >= 256) invarg(c, "alias too long\n", v);
      r.alias = v;
    } else if (w === "group") {
      const v = a.next();
      if (r.group !== undefined) duparg(c, "group", v);
      const g = v === "default" ? 0 : getUint(v, 0xffffffff);
      if (g === undefined) invarg(c, 'Invalid "group" value\n', v);
      r.group = g;
    } else if (
      w === "mode" ||
      w === "state" ||
      matches(w, "numtxqueues") ||
      matches(w, "numrxqueues")
    ) {
      notSimulated(c, w);
    } else if (matches(w, "addrgenmode")) {
      const v = a.next();
      // stable_secret and random derive addresses this simulator does not model.
      if (v === "eui64" || v === "none") r.addrGenMode = v;
      else notSimulated(c, `addrgenmode ${v}`);
    } else if (matches(w, "link-netns") || matches(w, "link-netnsid")) {
      notSimulated(c, w);
    } else if (
      [
        "protodown",
        "protodown_reason",
        "gso_max_size",
        "gso_max_segs",
        "gro_max_size",
        "parentdev",
      ].includes(w)
    ) {
      notSimulated(c, w);
    } else {
      if (matches(w, "help")) notSimulated(c, "help");
      const v = w === "dev" ? a.next() : w;
      if (!(r.dev === undefined || devIsName))
        die(c, `Error: either "dev" is duplicate, or "${v}" is a garbage.`, 255);
      if (!checkAltIfname(v)) invarg(c, '"dev" not a valid ifname', v);
      r.dev = v;
      devIsName = false;
    }
  }
  // "ip link add dev X" and "ip link add name X" mean the same.
  if (r.name === undefined) r.name = r.dev;
  else if (r.dev === undefined) r.dev = r.name;
  if (create && r.name !== r.dev)
    die(c, 'both "name" and "dev" cannot be used when creating devices.', 255);
  return r;
}

/** iplink_modify: parse, then one request to the kernel. */
function iplinkModify(c: IpContext, cmd: "add" | "set" | "del", list: string[]): void {
  const a = new Args(c, list);
  const create = cmd === "add";
  const r = iplinkParse(c, a, create);
  if (!create) {
    if (r.dev === undefined) die(c, 'Not enough information: "dev" argument is required.', 255);
    const d = llNameToIndex(c, r.dev);
    if (d && r.mac && r.mac.length !== 6)
      die(c, `Invalid address length ${r.mac.length} - must be 6 bytes`, 1);
    if (!d) die(c, `Cannot find device "${r.dev}"`, 1);
  } else if (r.link !== undefined && !llNameToIndex(c, r.link))
    die(c, `Cannot find device "${r.link}"`, 1);

  if (r.type === undefined) {
    if (create) die(c, 'Not enough information: "type" argument is required', 1);
    return cmd === "set" ? setLink(c, r, undefined) : delLink(c, r);
  }
  const kindArgs = new Args(c, a.rest());
  const kind = r.type;
  if (cmd === "del") return delLink(c, r);
  if (kind === "veth") {
    if (cmd === "set") {
      if (!kindArgs.more) return setLink(c, r, undefined);
      if (kindArgs.cur !== "peer") vethUsage(c);
      kfail("EOPNOTSUPP");
    }
    return createVeth(c, r, kindArgs);
  }
  if (kind === "bridge") {
    const opts = parseBridge(c, kindArgs);
    if (cmd === "set") return setLink(c, r, { bridge: opts });
    return void linkAdd(c.ns, { ...request(r), kind: "bridge", bridge: opts });
  }
  if (kind === "vxlan") {
    if (cmd === "set") {
      if (kindArgs.more) notSimulated(c, "set type vxlan");
      return setLink(c, r, undefined);
    }
    const params = parseVxlan(c, kindArgs);
    return void linkAdd(c.ns, { ...request(r), kind: "vxlan", vxlan: params });
  }
  if (kind === "bridge_slave") {
    const opts = parseBridgeSlave(c, kindArgs);
    if (cmd === "add") kfail("EOPNOTSUPP", "Unknown device type");
    return setLink(c, r, { brport: opts });
  }
  if (UNMODELLED_KINDS.has(kind)) ipNotSimulated(c, `ip link ${cmd} ... type ${kind}`);
  if (kindArgs.more)
    die(c, `Garbage instead of arguments "${kindArgs.cur} ...". Try "ip link help".`, 1);
  if (create) kfail("EOPNOTSUPP", "Unknown device type");
  setLink(c, r, undefined);
}

/** The request's attributes as netlink carries them (IFLA_*). */
function request(r: LinkReq): LinkRequest {
  const q: LinkRequest = {};
  if (r.name !== undefined) q.name = r.name;
  if (r.mac) q.mac = r.mac;
  if (r.mtu !== undefined) q.mtu = r.mtu;
  if (r.txqlen !== undefined) q.txqlen = r.txqlen;
  if (r.addrGenMode !== undefined) q.addrGenMode = r.addrGenMode;
  if (r.group !== undefined) q.group = r.group;
  if (r.alias !== undefined) q.alias = r.alias;
  if (r.netns !== undefined) q.netns = r.netns;
  if (r.master !== undefined) q.master = r.master === 0 ? null : r.master;
  if (r.up !== undefined) q.up = r.up;
  if (r.promisc !== undefined) q.promisc = r.promisc;
  if (r.allmulti !== undefined) q.allmulti = r.allmulti;
  if (r.multicast !== undefined) q.multicast = r.multicast;
  if (r.noarp !== undefined) q.noarp = r.noarp;
  return q;
}

function vethUsage(c: IpContext): never {
  c.o.out(
    "Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n",
  );
  throw new Exit(1);
}

/** veth_parse_opt: "peer" and the peer's own iplink_parse options. */
function createVeth(c: IpContext, r: LinkReq, a: Args): void {
  let peer: LinkReq = {};
  if (a.more) {
    if (a.cur !== "peer") vethUsage(c);
    a.step();
    const pa = new Args(c, a.rest());
    peer = iplinkParse(c, pa, true);
    if (peer.type !== undefined) duparg(c, "type", peer.type);
  }
  linkAdd(c.ns, { ...request(r), kind: "veth", peer: request(peer) });
}

/** RTM_NEWLINK for an existing device (rtnl_changelink in the kernel). */
function setLink(c: IpContext, r: LinkReq, change: LinkKindChange | undefined): void {
  linkSet(c.ns.byName(r.dev!)!, request(r), change);
}

function delLink(c: IpContext, r: LinkReq): void {
  linkDel(c.ns.byName(r.dev!)!);
}

// ---------------------------------------------------------------------------------------
// Kind options

const BRIDGE_USAGE =
  "Usage: ... bridge [ fdb_flush ]\n" +
  "\t\t  [ forward_delay FORWARD_DELAY ]\n" +
  "\t\t  [ hello_time HELLO_TIME ]\n" +
  "\t\t  [ max_age MAX_AGE ]\n" +
  "\t\t  [ ageing_time AGEING_TIME ]\n" +
  "\t\t  [ stp_state STP_STATE ]\n" +
  "\t\t  [ priority PRIORITY ]\n" +
  "\t\t  [ group_fwd_mask MASK ]\n" +
  "\t\t  [ group_address ADDRESS ]\n" +
  "\t\t  [ no_linklocal_learn NO_LINKLOCAL_LEARN ]\n" +
  "\t\t  [ vlan_filtering VLAN_FILTERING ]\n" +
  "\t\t  [ vlan_protocol VLAN_PROTOCOL ]\n" +
  "\t\t  [ vlan_default_pvid VLAN_DEFAULT_PVID ]\n" +
  "\t\t  [ vlan_stats_enabled VLAN_STATS_ENABLED ]\n" +
  "\t\t  [ vlan_stats_per_port VLAN_STATS_PER_PORT ]\n" +
  "\t\t  [ mcast_snooping MULTICAST_SNOOPING ]\n" +
  "\t\t  [ mcast_vlan_snooping MULTICAST_VLAN_SNOOPING ]\n" +
  "\t\t  [ mcast_router MULTICAST_ROUTER ]\n" +
  "\t\t  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]\n" +
  "\t\t  [ mcast_querier MULTICAST_QUERIER ]\n" +
  "\t\t  [ mcast_hash_elasticity HASH_ELASTICITY ]\n" +
  "\t\t  [ mcast_hash_max HASH_MAX ]\n" +
  "\t\t  [ mcast_last_member_count LAST_MEMBER_COUNT ]\n" +
  "\t\t  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]\n" +
  "\t\t  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]\n" +
  "\t\t  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]\n" +
  "\t\t  [ mcast_querier_interval QUERIER_INTERVAL ]\n" +
  "\t\t  [ mcast_query_interval QUERY_INTERVAL ]\n" +
  "\t\t  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]\n" +
  "\t\t  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]\n" +
  "\t\t  [ mcast_stats_enabled MCAST_STATS_ENABLED ]\n" +
  "\t\t  [ mcast_igmp_version IGMP_VERSION ]\n" +
  "\t\t  [ mcast_mld_version MLD_VERSION ]\n" +
  "\t\t  [ nf_call_iptables NF_CALL_IPTABLES ]\n" +
  "\t\t  [ nf_call_ip6tables NF_CALL_IP6TABLES ]\n" +
  "\t\t  [ nf_call_arptables NF_CALL_ARPTABLES ]\n" +
  "\n" +
  "Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }\n";

/** Bridge options iplink_bridge.c knows, in its matching order, with their value limits. */
const BRIDGE_OPTS: {
  name: string;
  exact?: boolean;
  max: number;
  key?: keyof BridgeOptions;
  simulated?: (v: number) => boolean;
}[] = [
  { name: "forward_delay", max: 0xffffffff, key: "forwardDelay" },
  { name: "hello_time", max: 0xffffffff, key: "helloTime" },
  { name: "max_age", max: 0xffffffff, key: "maxAge" },
  { name: "ageing_time", max: 0xffffffff, key: "ageingTime" },
  { name: "stp_state", max: 0xffffffff, key: "stpState", simulated: (v) => v === 0 },
  { name: "priority", max: 0xffff, key: "priority" },
  { name: "vlan_filtering", max: 0xff, key: "vlanFiltering", simulated: (v) => v === 0 },
  { name: "vlan_protocol", max: -1 },
  { name: "group_fwd_mask", max: 0xffff },
  { name: "group_address", max: -1 },
  { name: "no_linklocal_learn", exact: true, max: 0xff },
  { name: "fdb_flush", max: -2 },
  { name: "vlan_default_pvid", max: 0xffff },
  { name: "vlan_stats_enabled", max: 0xff },
  { name: "vlan_stats_per_port", max: 0xff },
  { name: "mcast_router", max: 0xff },
  { name: "mcast_snooping", max: 0xff, key: "mcastSnooping" },
  { name: "mcast_vlan_snooping", exact: true, max: 0xff },
  { name: "mcast_query_use_ifaddr", max: 0xff },
  { name: "mcast_querier", max: 0xff },
  { name: "mcast_hash_elasticity", max: 0xffffffff },
  { name: "mcast_hash_max", max: 0xffffffff },
  { name: "mcast_last_member_count", max: 0xffffffff },
  { name: "mcast_startup_query_count", max: 0xffffffff },
  { name: "mcast_last_member_interval", max: Number.MAX_SAFE_INTEGER },
  { name: "mcast_membership_interval", max: Number.MAX_SAFE_INTEGER },
  { name: "mcast_querier_interval", max: Number.MAX_SAFE_INTEGER },
  { name: "mcast_query_interval", max: Number.MAX_SAFE_INTEGER },
  { name: "mcast_query_response_interval", max: Number.MAX_SAFE_INTEGER },
  { name: "mcast_startup_query_interval", max: Number.MAX_SAFE_INTEGER },
  { name: "mcast_stats_enabled", max: 0xff },
  { name: "mcast_igmp_version", max: 0xff },
  { name: "mcast_mld_version", max: 0xff },
  { name: "nf_call_iptables", max: 0xff, key: "nfCallIptables" },
  { name: "nf_call_ip6tables", max: 0xff, key: "nfCallIp6tables" },
  { name: "nf_call_arptables", max: 0xff, key: "nfCallArptables" },
];

function parseBridge(c: IpContext, a: Args): Partial<BridgeOptions> {
  const out: Partial<BridgeOptions> = {};
  for (; a.more; a.step()) {
    const w = a.cur;
    const opt = BRIDGE_OPTS.find((o) => (o.exact ? w === o.name : matches(w, o.name)));
    if (!opt) {
      if (matches(w, "help")) {
        c.o.err(BRIDGE_USAGE);
        throw new Exit(1);
      }
      c.o.err(`bridge: unknown command "${w}"?\n${BRIDGE_USAGE}`);
      throw new Exit(1);
    }
    if (opt.max === -2) notSimulated(c, "type bridge fdb_flush");
    const v = a.next();
    if (opt.max === -1) notSimulated(c, `type bridge ${opt.name}`);
    const n = getUint(v, opt.max);
    if (n === undefined) invarg(c, `invalid ${opt.name}`, v);
    if (!opt.key || (opt.simulated && !opt.simulated(n)))
      notSimulated(c, `type bridge ${opt.name} ${v}`);
    out[opt.key] = n;
  }
  return out;
}

interface SlaveOpts {
  hairpin?: boolean;
  learning?: boolean;
  flood?: boolean;
  mcastFlood?: boolean;
  bcastFlood?: boolean;
  proxyArp?: boolean;
  neighSuppress?: boolean;
  isolated?: boolean;
}

const SLAVE_USAGE =
  "Usage: ... bridge_slave [ fdb_flush ]\n" +
  "\t\t\t[ state STATE ]\n" +
  "\t\t\t[ priority PRIO ]\n" +
  "\t\t\t[ cost COST ]\n" +
  "\t\t\t[ guard {on | off} ]\n" +
  "\t\t\t[ hairpin {on | off} ]\n" +
  "\t\t\t[ fastleave {on | off} ]\n" +
  "\t\t\t[ root_block {on | off} ]\n" +
  "\t\t\t[ learning {on | off} ]\n" +
  "\t\t\t[ flood {on | off} ]\n" +
  "\t\t\t[ proxy_arp {on | off} ]\n" +
  "\t\t\t[ proxy_arp_wifi {on | off} ]\n" +
  "\t\t\t[ mcast_router MULTICAST_ROUTER ]\n" +
  "\t\t\t[ mcast_fast_leave {on | off} ]\n" +
  "\t\t\t[ mcast_flood {on | off} ]\n" +
  "\t\t\t[ bcast_flood {on | off} ]\n" +
  "\t\t\t[ mcast_to_unicast {on | off} ]\n" +
  "\t\t\t[ group_fwd_mask MASK ]\n" +
  "\t\t\t[ neigh_suppress {on | off} ]\n" +
  "\t\t\t[ vlan_tunnel {on | off} ]\n" +
  "\t\t\t[ isolated {on | off} ]\n" +
  "\t\t\t[ locked {on | off} ]\n" +
  "\t\t\t[ backup_port DEVICE ] [ nobackup_port ]\n";

/** bridge_slave_parse_opt, in its matching order; on/off options set what the port keeps. */
const SLAVE_ONOFF: [string, keyof SlaveOpts | undefined][] = [
  ["hairpin", "hairpin"],
  ["guard", undefined],
  ["root_block", undefined],
  ["fastleave", undefined],
  ["learning", "learning"],
  ["flood", "flood"],
  ["mcast_flood", "mcastFlood"],
  ["bcast_flood", "bcastFlood"],
  ["mcast_to_unicast", undefined],
  ["proxy_arp", "proxyArp"],
  ["proxy_arp_wifi", undefined],
];

function parseBridgeSlave(c: IpContext, a: Args): SlaveOpts {
  const out: SlaveOpts = {};
  for (; a.more; a.step()) {
    const w = a.cur;
    if (matches(w, "fdb_flush")) notSimulated(c, "type bridge_slave fdb_flush");
    if (matches(w, "state") || matches(w, "priority") || matches(w, "cost"))
      notSimulated(c, `type bridge_slave ${w}`);
    const onoff = SLAVE_ONOFF.find(([n]) => matches(w, n));
    const late = ["neigh_suppress", "vlan_tunnel", "isolated", "locked"].find((n) => matches(w, n));
    if (onoff || late) {
      const name = onoff ? onoff[0] : late!;
      const v = parseOnOff(c, name, a.next());
      if (v === undefined) throw new Exit(1);
      const key = onoff
        ? onoff[1]
        : late === "neigh_suppress"
          ? "neighSuppress"
          : late === "isolated"
            ? "isolated"
            : undefined;
      if (key === undefined) {
        if (v) notSimulated(c, `type bridge_slave ${name} on`);
        continue;
      }
      out[key] = v;
      continue;
    }
    if (
      matches(w, "mcast_router") ||
      matches(w, "mcast_fast_leave") ||
      matches(w, "group_fwd_mask") ||
      matches(w, "backup_port") ||
      matches(w, "nobackup_port")
    ) {
      notSimulated(c, `type bridge_slave ${w}`);
    }
    if (matches(w, "help")) {
      c.o.err(SLAVE_USAGE);
      throw new Exit(1);
    }
    c.o.err(`bridge_slave: unknown option "${w}"?\n${SLAVE_USAGE}`);
    throw new Exit(1);
  }
  return out;
}

const VXLAN_USAGE =
  "Usage: ... vxlan id VNI\n" +
  "\t\t[ { group | remote } IP_ADDRESS ]\n" +
  "\t\t[ local ADDR ]\n" +
  "\t\t[ ttl TTL ]\n" +
  "\t\t[ tos TOS ]\n" +
  "\t\t[ df DF ]\n" +
  "\t\t[ flowlabel LABEL ]\n" +
  "\t\t[ dev PHYS_DEV ]\n" +
  "\t\t[ dstport PORT ]\n" +
  "\t\t[ srcport MIN MAX ]\n" +
  "\t\t[ [no]learning ]\n" +
  "\t\t[ [no]proxy ]\n" +
  "\t\t[ [no]rsc ]\n" +
  "\t\t[ [no]l2miss ]\n" +
  "\t\t[ [no]l3miss ]\n" +
  "\t\t[ ageing SECONDS ]\n" +
  "\t\t[ maxaddress NUMBER ]\n" +
  "\t\t[ [no]udpcsum ]\n" +
  "\t\t[ [no]udp6zerocsumtx ]\n" +
  "\t\t[ [no]udp6zerocsumrx ]\n" +
  "\t\t[ [no]remcsumtx ] [ [no]remcsumrx ]\n" +
  "\t\t[ [no]external ] [ gbp ] [ gpe ]\n" +
  "\t\t[ [no]vnifilter ]\n" +
  "\n" +
  "Where:\tVNI\t:= 0-16777215\n" +
  "\tADDR\t:= { IP_ADDRESS | any }\n" +
  "\tTOS\t:= { NUMBER | inherit }\n" +
  "\tTTL\t:= { 1..255 | auto | inherit }\n" +
  "\tDF\t:= { unset | set | inherit }\n" +
  "\tLABEL := 0-1048575\n";

/** vxlan_parse_opt (IPv4 underlay only). */
function parseVxlan(c: IpContext, a: Args): VxlanParams {
  const seen = new Set<string>();
  const once = (key: string, shown: string, v: string): void => {
    if (seen.has(key))
      die(c, `Error: either "${shown}" is duplicate, or "${v}" is a garbage.`, 255);
    seen.add(key);
  };
  let vni: number | undefined;
  let remote: number | undefined;
  let local: number | undefined;
  let lower: NetDevice | undefined;
  let dstport: number | undefined;
  let ttl = 0;
  let learning = true;
  let ageing = 300;
  for (; a.more; a.step()) {
    const w = a.cur;
    if (matches(w, "id") || matches(w, "vni")) {
      const v = a.next();
      once("id", "id", v);
      const n = getUint(v, 0xffffffff);
      if (n === undefined || n >= 1 << 24) invarg(c, "invalid id", v);
      vni = n;
    } else if (matches(w, "group")) {
      if (remote !== undefined) die(c, "vxlan: both group and remote cannot be specified", 1);
      a.next();
      notSimulated(c, "type vxlan group");
    } else if (matches(w, "remote")) {
      const v = a.next();
      once("group", "remote", v);
      const addr = getAddr1(v, undefined);
      if (!addr) die(c, `Error: any valid address is expected rather than "${v}".`, 1);
      if (addr.family !== "inet") notSimulated(c, "type vxlan over IPv6");
      if (addr.v4 >>> 28 === 0xe || addr.v4 === 0) invarg(c, "invalid remote address", v);
      remote = addr.v4;
    } else if (matches(w, "local")) {
      const v = a.next();
      once("local", "local", v);
      const addr = getAddr1(v, undefined);
      if (!addr) die(c, `Error: any valid address is expected rather than "${v}".`, 1);
      if (addr.family !== "inet") notSimulated(c, "type vxlan over IPv6");
      if (addr.v4 >>> 28 === 0xe || addr.v4 === 0) invarg(c, "invalid local address", v);
      local = addr.v4;
    } else if (matches(w, "dev")) {
      const v = a.next();
      once("dev", "dev", v);
      lower = llNameToIndex(c, v);
      if (!lower) die(c, `Cannot find device "${v}"`, 255);
    } else if (matches(w, "ttl") || matches(w, "hoplimit")) {
      const v = a.next();
      once("ttl", "ttl", v);
      if (v === "inherit") notSimulated(c, "type vxlan ttl inherit");
      else if (v === "auto") ttl = 0;
      else {
        const n = getUint(v, 0xffffffff);
        if (n === undefined) invarg(c, "invalid TTL", v);
        if (n > 255) invarg(c, "TTL must be <= 255", v);
        ttl = n;
      }
    } else if (matches(w, "ageing")) {
      const v = a.next();
      once("ageing", "ageing", v);
      const n = v === "none" ? 0 : getUint(v, 0xffffffff);
      if (n === undefined) invarg(c, "ageing timer", v);
      ageing = n;
    } else if (matches(w, "dstport")) {
      const v = a.next();
      once("port", "dstport", v);
      const n = getUint(v, 0xffff);
      if (n === undefined) invarg(c, "dst port", v);
      dstport = n;
    } else if (matches(w, "nolearning")) {
      once("learning", w, w);
      learning = false;
    } else if (matches(w, "learning")) {
      once("learning", w, w);
      learning = true;
    } else if (matches(w, "udpcsum")) {
      once("udpcsum", w, w);
    } else if (matches(w, "noudp6zerocsumtx")) {
      once("udp6tx", w, w);
    } else if (matches(w, "noudp6zerocsumrx")) {
      once("udp6rx", w, w);
    } else if (
      ["tos", "dsfield", "df", "label", "flowlabel", "maxaddress", "port", "srcport"].some((k) =>
        matches(w, k),
      ) ||
      [
        "noproxy",
        "proxy",
        "norsc",
        "rsc",
        "nol2miss",
        "l2miss",
        "nol3miss",
        "l3miss",
        "noudpcsum",
        "udp6zerocsumtx",
        "udp6zerocsumrx",
        "remcsumtx",
        "noremcsumtx",
        "remcsumrx",
        "noremcsumrx",
        "external",
        "noexternal",
        "gbp",
        "gpe",
      ].some((k) => matches(w, k)) ||
      w === "vnifilter" ||
      w === "novnifilter"
    ) {
      notSimulated(c, `type vxlan ${w}`);
    } else if (matches(w, "help")) {
      c.o.err(VXLAN_USAGE);
      throw new Exit(1);
    } else {
      c.o.err(`vxlan: unknown command "${w}"?\n${VXLAN_USAGE}`);
      throw new Exit(1);
    }
  }
  if (vni === undefined) die(c, "vxlan: missing virtual network identifier", 1);
  if (dstport === undefined) {
    c.o.err(
      "vxlan: destination port not specified\n" +
        "Will use Linux kernel default (non-standard value)\n" +
        "Use 'dstport 4789' to get the IANA assigned value\n" +
        "Use 'dstport 0' to get default and quiet this message\n",
    );
  }
  const params: VxlanParams = { vni, dstport: dstport || 8472, learning, ttl, ageing };
  if (remote !== undefined) params.remote = remote;
  if (local !== undefined) params.local = local;
  if (lower) params.lower = lower;
  return params;
}
