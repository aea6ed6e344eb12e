// The link header `ip link` and `ip addr` share (ip/ipaddress.c: print_linkinfo,
// print_linkinfo_brief, print_link_flags, print_stats64) and the per-kind details of
// `-d` (iplink_bridge.c, iplink_bridge_slave.c, iplink_vxlan.c), written against what
// the kernel puts in an RTM_NEWLINK message for the device.
import {
  type NetDevice,
  formatIp4,
  Bridge,
  type BridgePort,
  Veth,
  Vxlan,
} from "../../kernel/netlink/index.js";
import { linkFlags } from "../link-flags.js";
import type { IpContext } from "./context.js";
import type { Printer } from "./print.js";

/** What `ip link show` / `ip addr show` filter on before printing a link. */
export interface LinkFilter {
  up: boolean;
  /** ifindex of the master, -1 for `nomaster`, 0 for none. */
  master: number;
  kind: string | undefined;
  slaveKind: string | undefined;
  group: number | undefined;
  label: string | undefined;
}

export function emptyFilter(): LinkFilter {
  return {
    up: false,
    master: 0,
    kind: undefined,
    slaveKind: undefined,
    group: undefined,
    label: undefined,
  };
}

export interface LinkPrintOpts {
  /** `ip link` (mode, addrgenmode, alias, stats) rather than `ip addr`. */
  doLink: boolean;
  /** filter.family: "packet" for ip link, the -4/-6 family for ip addr. */
  family: "inet" | "inet6" | "packet" | undefined;
  /** The AF_INET6 link dump (inet6_fill_ifinfo): name, address, MTU, link, operstate only. */
  restricted: boolean;
  /**
   * Devices whose names ll_index_to_name fetched with RTM_GETLINK while printing; the
   * caller runs their linkwatch sync once the (already fetched) dump is printed.
   */
  looked: Set<NetDevice>;
}

/** The kind the kernel reports in IFLA_INFO_KIND (loopback has none). */
export function linkKind(dev: NetDevice): string | undefined {
  return dev.kind === "loopback" ? undefined : dev.kind;
}

/** Kinds this kernel registers rtnl_link_ops for: a dump filtered on one is filtered in the kernel. */
export const KNOWN_KINDS = new Set(["veth", "bridge", "vxlan"]);

/** dev_get_flags, as print_link_flags names them, in its order. */
export function ifiFlags(dev: NetDevice): string[] {
  return linkFlags(dev, false);
}

/** Whether the message has IFLA_LINK: a veth always names its peer, other kinds never. */
function hasIflink(dev: NetDevice, restricted: boolean): boolean {
  if (!(dev instanceof Veth)) return false;
  // inet6_fill_ifinfo still omits it when the peer's index equals the device's own.
  return restricted ? dev.iflink() !== dev.ifindex : true;
}

/** get_name_from_nsid: the /run/netns name whose nsid (as seen from here) is id. */
export function nameOfNsid(c: IpContext, id: number): string | undefined {
  for (const [name, ns] of [...c.world.named.entries()].reverse()) {
    if (c.ns.nsids.get(ns) === id) return name;
  }
  return undefined;
}

/** print_name_and_link: "name@peer", "name@ifN" or "name"; returns whether to print M-DOWN. */
function nameAndLink(
  p: Printer,
  dev: NetDevice,
  fmt: (s: string) => string,
  restricted: boolean,
  looked: Set<NetDevice>,
): boolean {
  let name = dev.name;
  let mdown = false;
  if (hasIflink(dev, restricted)) {
    const iflink = dev.iflink();
    const crossNs = !restricted && dev.linkNet() !== dev.ns;
    if (crossNs) {
      if (p.json) p.js("link_index", iflink);
      else name = `${name}@if${iflink}`;
    } else {
      // ll_index_to_name / ll_index_to_flags look the index up in this namespace.
      const local = dev.ns.devices.get(iflink);
      if (local) looked.add(local);
      const linkName = local ? local.name : `if${iflink}`;
      if (p.json) p.js("link", linkName);
      else name = `${name}@${linkName}`;
      mdown = local !== undefined && !local.adminUp;
    }
  }
  p.str("ifname", fmt(name), name);
  return mdown;
}

function printFlags(p: Printer, flags: string[], mdown: boolean): void {
  p.openArray("flags", "<");
  flags.forEach((f, i) => p.str(null, i < flags.length - 1 ? `${f},` : f, f));
  if (mdown) p.str(null, ",M-DOWN", "M-DOWN");
  p.closeArray("> ");
}

/** The link-level address as ll_addr_n2a prints it. */
function linkType(dev: NetDevice): string {
  return dev.kind === "loopback" ? "loopback" : "ether";
}

function broadcastOf(dev: NetDevice): string {
  return dev.kind === "loopback" ? "00:00:00:00:00:00" : dev.broadcastMac;
}

/** Filters print_linkinfo applies itself (the kernel filtered the dump on master and kind). */
export function linkFiltered(dev: NetDevice, f: LinkFilter): boolean {
  if (f.up && !dev.adminUp) return true;
  if (f.group !== undefined && dev.group !== f.group) return true;
  if (dev.master) {
    if (f.master > 0 && dev.master.ifindex !== f.master) return true;
  } else if (f.master > 0) return true;
  if (f.kind !== undefined && linkKind(dev) !== f.kind) return true;
  if (f.slaveKind !== undefined && (dev.master ? dev.master.kind : undefined) !== f.slaveKind)
    return true;
  return false;
}

/**
 * print_linkinfo. Returns -1 when the link is filtered out, 0 when nothing is printed
 * for it (a label filter), 1 when printed.
 */
export function printLinkinfo(
  p: Printer,
  c: IpContext,
  dev: NetDevice,
  f: LinkFilter,
  o: LinkPrintOpts,
): number {
  if (linkFiltered(dev, f)) return -1;
  if (f.label !== undefined) return 0;
  const restricted = o.restricted;
  if (c.opts.brief) return printLinkinfoBrief(p, dev, o);

  p.num("ifindex", `${dev.ifindex}: `, dev.ifindex);
  const mdown = nameAndLink(p, dev, (s) => `${s}: `, restricted, o.looked);
  printFlags(p, ifiFlags(dev), mdown);
  p.num("mtu", `mtu ${dev.mtu} `, dev.mtu);
  if (!restricted) p.str("qdisc", `qdisc ${dev.qdisc} `, dev.qdisc);
  if (!restricted && dev.master) {
    o.looked.add(dev.master);
    p.str("master", `master ${dev.master.name} `, dev.master.name);
  }
  const state = dev.operstate();
  if (p.json) p.js("operstate", state);
  else p.fp(`state ${state} `);
  if (o.doLink && !restricted) p.str("linkmode", "mode DEFAULT ", "DEFAULT");
  if (!restricted) {
    const g = dev.group === 0 ? "default" : String(dev.group);
    p.str("group", `group ${g} `, g);
  }
  if (dev.txqlen) p.num("txqlen", `qlen ${dev.txqlen}`, dev.txqlen);

  if (o.family === undefined || o.family === "packet" || c.opts.details) {
    p.nl();
    const t = linkType(dev);
    p.str("link_type", `    link/${t} `, t);
    p.str("address", dev.mac, dev.mac);
    if (!restricted) {
      p.fp(" brd ");
      const b = broadcastOf(dev);
      p.str("broadcast", b, b);
    }
  }

  if (!restricted && dev.linkNet() !== dev.ns) {
    const id = dev.ns.nsidOf(dev.linkNet());
    if (p.json) p.js("link_netnsid", id);
    else {
      const name = nameOfNsid(c, id);
      p.fp(name !== undefined ? ` link-netns ${name}` : ` link-netnsid ${id}`);
    }
  }

  if (c.opts.details && !restricted) printDetails(p, dev, o);

  if ((o.doLink || c.opts.details) && !restricted && dev.alias !== undefined) {
    p.fp(`${p.sl}    `);
    p.str("ifalias", `alias ${dev.alias}`, dev.alias);
  }

  if (o.doLink && c.opts.stats) {
    p.nl();
    printStats(p, dev, c.opts.statsLevel);
  }
  p.fp("\n");
  return 1;
}

function printLinkinfoBrief(p: Printer, dev: NetDevice, o: LinkPrintOpts): number {
  const mdown = nameAndLink(p, dev, (s) => `${s.padEnd(16)} `, o.restricted, o.looked);
  const state = dev.operstate();
  p.str("operstate", `${state.padEnd(14)} `, state);
  if (o.family === "packet") {
    p.str("address", `${dev.mac} `, dev.mac);
    printFlags(p, ifiFlags(dev), mdown);
    p.fp("\n");
  }
  return 0;
}

function printDetails(p: Printer, dev: NetDevice, o: LinkPrintOpts): void {
  p.num("promiscuity", ` promiscuity ${dev.promiscuity} `, dev.promiscuity);
  p.num("allmulti", ` allmulti ${dev.allmultiCount} `, dev.allmultiCount);
  p.num("min_mtu", `minmtu ${dev.minMtu} `, dev.minMtu);
  p.num("max_mtu", `maxmtu ${dev.maxMtu} `, dev.maxMtu);
  const kind = linkKind(dev);
  if (kind !== undefined || dev.master) {
    p.openObject("linkinfo");
    if (kind !== undefined) {
      p.fp(p.sl);
      p.str("info_kind", `    ${kind} `, kind);
      if (dev instanceof Bridge) {
        p.openObject("info_data");
        printBridgeData(p, dev);
        p.closeObject();
      } else if (dev instanceof Vxlan) {
        if (dev.params.lower) o.looked.add(dev.params.lower);
        p.openObject("info_data");
        printVxlanData(p, dev);
        p.closeObject();
      }
    }
    const br = dev.master;
    if (br instanceof Bridge) {
      const port = br.port(dev);
      p.fp(p.sl);
      p.str("info_slave_kind", "    bridge_slave ", "bridge");
      if (port) {
        p.openObject("info_slave_data");
        printBridgeSlaveData(p, br, port);
        p.closeObject();
      }
    }
    p.closeObject();
  }
  if (o.doLink) p.str("inet6_addr_gen_mode", `addrgenmode ${dev.addrGenMode} `, dev.addrGenMode);
  p.num("num_tx_queues", `numtxqueues ${dev.numTxQueues} `, dev.numTxQueues);
  p.num("num_rx_queues", `numrxqueues ${dev.numRxQueues} `, dev.numRxQueues);
  p.num("gso_max_size", "gso_max_size 65536 ", 65536);
  p.num("gso_max_segs", "gso_max_segs 65535 ", 65535);
  p.num("tso_max_size", `tso_max_size ${dev.tsoMaxSize} `, dev.tsoMaxSize);
  p.num("tso_max_segs", "tso_max_segs 65535 ", 65535);
  p.num("gro_max_size", "gro_max_size 65536 ", 65536);
}

/** br_dump_bridge_id: priority as four hex digits, then ether_ntoa (no zero padding). */
function bridgeId(prio: number, mac: string): string {
  const e = mac
    .split(":")
    .map((b) => parseInt(b, 16).toString(16))
    .join(":");
  return `${prio.toString(16).padStart(4, "0")}.${e}`;
}

/** _bridge_print_timer: clock_t (centiseconds) as "%4i.%.2i", raw "%i.%.2i" in JSON. */
function timer(p: Printer, key: string, ms: number): void {
  const cs = Math.floor(ms / 10);
  const sec = Math.floor(cs / 100);
  const frac = String(cs % 100).padStart(2, "0");
  if (p.json) p.jsRaw(key, `${sec}.${frac}`);
  else p.fp(`${key} ${String(sec).padStart(4)}.${frac} `);
}

function u(p: Printer, key: string, text: string, v: number): void {
  p.num(key, `${text} ${v} `, v);
}

function printBridgeData(p: Printer, br: Bridge): void {
  const o = br.options;
  u(p, "forward_delay", "forward_delay", o.forwardDelay);
  u(p, "hello_time", "hello_time", o.helloTime);
  u(p, "max_age", "max_age", o.maxAge);
  u(p, "ageing_time", "ageing_time", o.ageingTime);
  u(p, "stp_state", "stp_state", o.stpState);
  u(p, "priority", "priority", o.priority);
  u(p, "vlan_filtering", "vlan_filtering", o.vlanFiltering);
  const id = bridgeId(o.priority, br.bridgeIdMac);
  p.str("bridge_id", `bridge_id ${id} `, id);
  p.str("root_id", `designated_root ${id} `, id);
  u(p, "root_port", "root_port", 0);
  u(p, "root_path_cost", "root_path_cost", 0);
  u(p, "topology_change", "topology_change", 0);
  u(p, "topology_change_detected", "topology_change_detected", 0);
  timer(p, "hello_timer", 0);
  timer(p, "tcn_timer", 0);
  timer(p, "topology_change_timer", 0);
  timer(p, "gc_timer", br.gcTimerMs());
  p.str("group_fwd_mask", "group_fwd_mask 0 ", "0");
  p.str("group_addr", "group_address 01:80:c2:00:00:00 ", "01:80:c2:00:00:00");
  u(p, "mcast_snooping", "mcast_snooping", o.mcastSnooping);
  u(p, "no_linklocal_learn", "no_linklocal_learn", 0);
  u(p, "mcast_vlan_snooping", "mcast_vlan_snooping", 0);
  u(p, "mcast_router", "mcast_router", 1);
  u(p, "mcast_query_use_ifaddr", "mcast_query_use_ifaddr", 0);
  u(p, "mcast_querier", "mcast_querier", 0);
  u(p, "mcast_hash_elasticity", "mcast_hash_elasticity", 16);
  u(p, "mcast_hash_max", "mcast_hash_max", 4096);
  u(p, "mcast_last_member_cnt", "mcast_last_member_count", 2);
  u(p, "mcast_startup_query_cnt", "mcast_startup_query_count", 2);
  u(p, "mcast_last_member_intvl", "mcast_last_member_interval", 100);
  u(p, "mcast_membership_intvl", "mcast_membership_interval", 26000);
  u(p, "mcast_querier_intvl", "mcast_querier_interval", 25500);
  u(p, "mcast_query_intvl", "mcast_query_interval", 12500);
  u(p, "mcast_query_response_intvl", "mcast_query_response_interval", 1000);
  u(p, "mcast_startup_query_intvl", "mcast_startup_query_interval", 3124);
  u(p, "mcast_stats_enabled", "mcast_stats_enabled", 0);
  u(p, "mcast_igmp_version", "mcast_igmp_version", 2);
  u(p, "mcast_mld_version", "mcast_mld_version", 1);
  u(p, "nf_call_iptables", "nf_call_iptables", o.nfCallIptables);
  u(p, "nf_call_ip6tables", "nf_call_ip6tables", o.nfCallIp6tables);
  u(p, "nf_call_arptables", "nf_call_arptables", o.nfCallArptables);
}

function onOff(p: Printer, key: string, text: string, v: boolean): void {
  p.bool(key, `${text} ${v ? "on" : "off"} `, v);
}

function printBridgeSlaveData(p: Printer, br: Bridge, port: BridgePort): void {
  const st = br.portState(port);
  p.str("state", `state ${st} `, st);
  p.num("priority", `priority ${port.priority} `, port.priority);
  p.num("cost", `cost ${port.cost} `, port.cost);
  onOff(p, "hairpin", "hairpin", port.dev.hairpin);
  onOff(p, "guard", "guard", false);
  onOff(p, "root_block", "root_block", false);
  onOff(p, "fastleave", "fastleave", false);
  onOff(p, "learning", "learning", port.options.learning);
  onOff(p, "flood", "flood", port.options.flood);
  const portId = (port.priority << 10) | port.no;
  p.str("id", `port_id 0x${portId.toString(16)} `, `0x${portId.toString(16)}`);
  p.str("no", `port_no 0x${port.no.toString(16)} `, `0x${port.no.toString(16)}`);
  p.num("designated_port", `designated_port ${portId} `, portId);
  p.num("designated_cost", "designated_cost 0 ", 0);
  const id = bridgeId(br.options.priority, br.bridgeIdMac);
  p.str("bridge_id", `designated_bridge ${id} `, id);
  p.str("root_id", `designated_root ${id} `, id);
  timer(p, "hold_timer", 0);
  timer(p, "message_age_timer", 0);
  timer(p, "forward_delay_timer", br.forwardDelayTimerMs(port));
  p.num("topology_change_ack", "topology_change_ack 0 ", 0);
  p.num("config_pending", "config_pending 0 ", 0);
  onOff(p, "proxy_arp", "proxy_arp", port.options.proxyArp);
  onOff(p, "proxy_arp_wifi", "proxy_arp_wifi", false);
  p.num("multicast_router", "mcast_router 1 ", 1);
  p.fp("mcast_fast_leave off ");
  onOff(p, "mcast_flood", "mcast_flood", port.options.mcastFlood);
  onOff(p, "bcast_flood", "bcast_flood", port.options.bcastFlood);
  onOff(p, "mcast_to_unicast", "mcast_to_unicast", false);
  onOff(p, "neigh_suppress", "neigh_suppress", port.options.neighSuppress);
  p.str("group_fwd_mask", "group_fwd_mask 0 ", "0");
  p.str("group_fwd_mask_str", "group_fwd_mask_str 0x0 ", "0x0");
  onOff(p, "vlan_tunnel", "vlan_tunnel", false);
  onOff(p, "isolated", "isolated", port.options.isolated);
  onOff(p, "locked", "locked", false);
}

function printVxlanData(p: Printer, dev: Vxlan): void {
  const v = dev.params;
  p.num("id", `id ${v.vni} `, v.vni);
  if (v.remote !== undefined && v.remote !== 0) {
    const r = formatIp4(v.remote);
    p.str("remote", `remote ${r} `, r);
  }
  if (v.local !== undefined && v.local !== 0) {
    const l = formatIp4(v.local);
    p.str("local", `local ${l} `, l);
  }
  if (v.lower) p.str("link", `dev ${v.lower.name} `, v.lower.name);
  if (p.json) {
    p.openObject("port_range");
    p.js("low", 0);
    p.js("high", 0);
    p.closeObject();
  } else p.fp("srcport 0 0 ");
  p.num("port", `dstport ${v.dstport} `, v.dstport);
  p.js("learning", v.learning);
  if (!v.learning) p.fp("nolearning ");
  if (p.json) p.js("ttl", v.ttl);
  else p.fp(v.ttl ? `ttl ${v.ttl} ` : "ttl auto ");
  p.js("df", "unset");
  const ageing = v.ageing ?? 300;
  p.num("ageing", ageing === 0 ? "ageing none " : `ageing ${ageing} `, ageing);
  p.js("udp_csum", true);
  p.fp("udpcsum ");
  p.js("udp_zero_csum6_tx", false);
  p.fp("noudp6zerocsumtx ");
  p.js("udp_zero_csum6_rx", false);
  p.fp("noudp6zerocsumrx ");
}

/** size_columns: widen a column to the longest number in it. */
function widen(cols: number[], vals: number[]): void {
  vals.forEach((v, i) => {
    const len = String(v).length;
    if (len > cols[i]!) cols[i] = len;
  });
}

function num(width: number, v: number): string {
  return `${String(v).padStart(width)} `;
}

/** print_stats64 (ip -s link): two blocks, error details with -s -s. */
export function printStats(p: Printer, dev: NetDevice, level: number): void {
  const s = dev.stats;
  const cc = dev.carrierChanges;
  if (p.json) {
    p.openObject("stats64");
    p.openObject("rx");
    p.js("bytes", s.rxBytes);
    p.js("packets", s.rxPackets);
    p.js("errors", 0);
    p.js("dropped", s.rxDropped);
    p.js("over_errors", 0);
    p.js("multicast", s.multicast);
    if (level > 1) {
      for (const k of [
        "length_errors",
        "crc_errors",
        "frame_errors",
        "fifo_errors",
        "missed_errors",
      ])
        p.js(k, 0);
    }
    p.closeObject();
    p.openObject("tx");
    p.js("bytes", s.txBytes);
    p.js("packets", s.txPackets);
    p.js("errors", 0);
    p.js("dropped", s.txDropped);
    p.js("carrier_errors", 0);
    p.js("collisions", 0);
    if (level > 1) {
      for (const k of ["aborted_errors", "fifo_errors", "window_errors", "heartbeat_errors"])
        p.js(k, 0);
      p.js("carrier_changes", cc);
    }
    p.closeObject();
    p.closeObject();
    return;
  }
  const cols = [10, 7, 6, 7, 7, 7, 10, 9];
  widen(cols, [s.rxBytes, s.rxPackets, 0, s.rxDropped, 0, s.multicast, 0, 0]);
  if (level > 1) widen(cols, [0, 0, 0, 0, 0, 0, 0, 0]);
  widen(cols, [s.txBytes, s.txPackets, 0, s.txDropped, 0, 0, 0, 0]);
  if (level > 1) widen(cols, [0, 0, 0, 0, 0, 0, cc, 0]);
  const c = cols as [number, number, number, number, number, number, number, number];
  const sl = p.sl;
  let t = `    RX: ${"bytes".padStart(c[0] - 4)} ${"packets".padStart(c[1])} ${"errors".padStart(c[2])} ${"dropped".padStart(c[3])} ${"missed".padStart(c[4])} ${"mcast".padStart(c[5])} ${"".padStart(c[6])}${sl}`;
  t += `    ${num(c[0], s.rxBytes)}${num(c[1], s.rxPackets)}${num(c[2], 0)}${num(c[3], s.rxDropped)}${num(c[4], 0)}${num(c[5], s.multicast)}`;
  if (level > 1) {
    t += sl;
    t += `    RX errors:${"".padStart(c[0] - 10)} ${"length".padStart(c[1])} ${"crc".padStart(c[2])} ${"frame".padStart(c[3])} ${"fifo".padStart(c[4])} ${"overrun".padStart(c[5])}${sl}`;
    t += `${"".padStart(c[0] + 5)}${num(c[1], 0)}${num(c[2], 0)}${num(c[3], 0)}${num(c[4], 0)}${num(c[5], 0)}`;
  }
  t += sl;
  t += `    TX: ${"bytes".padStart(c[0] - 4)} ${"packets".padStart(c[1])} ${"errors".padStart(c[2])} ${"dropped".padStart(c[3])} ${"carrier".padStart(c[4])} ${"collsns".padStart(c[5])} ${"".padStart(c[6])}${sl}`;
  t += `    ${num(c[0], s.txBytes)}${num(c[1], s.txPackets)}${num(c[2], 0)}${num(c[3], s.txDropped)}${num(c[4], 0)}${num(c[5], 0)}`;
  if (level > 1) {
    t += sl;
    t += `    TX errors:${"".padStart(c[0] - 10)} ${"aborted".padStart(c[1])} ${"fifo".padStart(c[2])} ${"window".padStart(c[3])} ${"heartbt".padStart(c[4])} ${"transns".padStart(c[5])}${sl}`;
    t += `${"".padStart(c[0] + 5)}${num(c[1], 0)}${num(c[2], 0)}${num(c[3], 0)}${num(c[4], 0)}${num(c[5], cc)}`;
  }
  p.fp(t);
}
