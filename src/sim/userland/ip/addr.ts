// `ip address` (iproute2 6.1 ip/ipaddress.c): add, del, flush and show, with -4/-6, -j,
// -br, -o, -d and -s; the listing code is shared with `ip link show`.
import {
  type IfAddr4,
  type IfAddr6,
  type NetDevice,
  KernelError,
  kfail,
  formatIp4,
  maskOf,
  formatIp6,
  parseIp6,
  linkFill,
  linkGet,
  addrAdd,
  addr6Add,
  addrDel,
  addr6Del,
} from "../../kernel/netlink/index.js";
import {
  die,
  duparg,
  flushRefused,
  invarg,
  matches,
  notSimulated as ipNotSimulated,
  type IpContext,
} from "./context.js";
import {
  emptyFilter,
  KNOWN_KINDS,
  printLinkinfo,
  printStats,
  type LinkFilter,
  type LinkPrintOpts,
} from "./linkinfo.js";
import { Printer } from "./print.js";
import {
  Args,
  getAddr,
  getPrefix,
  getPrefix1,
  getUint,
  llNameToIndex,
  scopeA2n,
  scopeName,
  type Family,
  type InetAddr,
} from "./util.js";

export function ipAddr(c: IpContext, args: string[]): void {
  const cmd = args[0];
  const rest = args.slice(1);
  if (cmd === undefined) return ipaddrList(c, [], "list", false);
  if (matches(cmd, "add")) return ipaddrModify(c, "add", rest);
  if (matches(cmd, "change") || cmd === "chg") return ipaddrModify(c, "change", rest);
  if (matches(cmd, "replace")) return ipaddrModify(c, "replace", rest);
  if (matches(cmd, "delete")) return ipaddrModify(c, "del", rest);
  if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst"))
    return ipaddrList(c, rest, "list", false);
  if (matches(cmd, "flush")) return ipaddrList(c, rest, "flush", false);
  die(c, `Command "${cmd}" is unknown, try "ip address help".`, 255);
}

/** The IFA_F_* flags `ip addr` knows by name, in print_ifa_flags order. */
const IFA_FLAGS: { name: string; readonly: boolean; v6only: boolean }[] = [
  { name: "secondary", readonly: true, v6only: false },
  { name: "temporary", readonly: true, v6only: false },
  { name: "nodad", readonly: false, v6only: true },
  { name: "optimistic", readonly: false, v6only: true },
  { name: "dadfailed", readonly: true, v6only: true },
  { name: "home", readonly: false, v6only: true },
  { name: "deprecated", readonly: true, v6only: true },
  { name: "tentative", readonly: true, v6only: true },
  { name: "permanent", readonly: true, v6only: true },
  { name: "mngtmpaddr", readonly: false, v6only: true },
  { name: "noprefixroute", readonly: false, v6only: false },
  { name: "autojoin", readonly: false, v6only: false },
  { name: "stable-privacy", readonly: true, v6only: true },
];

function notSimulated(c: IpContext, what: string): never {
  ipNotSimulated(c, `ip address ${what}`);
}

/** ipaddr_modify: the RTM_NEWADDR / RTM_DELADDR request. */
function ipaddrModify(
  c: IpContext,
  cmd: "add" | "change" | "replace" | "del",
  list: string[],
): void {
  const a = new Args(c, list);
  let family: Family | undefined = c.opts.family;
  let dev: string | undefined;
  let label: string | undefined;
  let local: InetAddr | undefined;
  let lclArg = "";
  let brd: InetAddr | "+" | "-" | undefined;
  let scope: number | undefined;
  let validSeen = false;
  let preferredSeen = false;
  const flags = new Set<string>();
  for (; a.more; a.step()) {
    const w = a.cur;
    if (w === "peer" || w === "remote") {
      a.next();
      notSimulated(c, "peer");
    } else if (matches(w, "broadcast") || w === "brd") {
      const v = a.next();
      if (brd !== undefined) duparg(c, "broadcast", v);
      if (v === "+" || v === "-") brd = v;
      else {
        brd = getAddr(c, v, family);
        family ??= brd.family;
      }
    } else if (w === "anycast") {
      a.next();
      notSimulated(c, "anycast");
    } else if (w === "scope") {
      const v = a.next();
      const s = scopeA2n(v);
      if (s === undefined) invarg(c, "invalid scope value.", v);
      scope = s;
    } else if (w === "dev") {
      dev = a.next();
    } else if (w === "label") {
      label = a.next();
    } else if (matches(w, "metric") || matches(w, "priority") || matches(w, "preference")) {
      const v = a.next();
      if (getUint(v, 0xffffffff) === undefined) invarg(c, '"metric" value is invalid\n', v);
      notSimulated(c, "metric");
    } else if (matches(w, "valid_lft") || matches(w, "preferred_lft")) {
      const valid = matches(w, "valid_lft");
      if (valid ? validSeen : preferredSeen)
        duparg(c, valid ? "valid_lft" : "preferred_lft", a.list[a.i + 1] ?? "");
      const v = a.next();
      if (valid) validSeen = true;
      else preferredSeen = true;
      if (v !== "forever") {
        if (getUint(v, 0xffffffff) === undefined)
          invarg(c, valid ? "valid_lft value" : "preferred_lft value", v);
        notSimulated(c, "with a finite lifetime");
      }
    } else if (IFA_FLAGS.some((f) => f.name === w)) {
      const f = IFA_FLAGS.find((x) => x.name === w)!;
      if (f.readonly) c.o.err(`Warning: ${f.name} option is not mutable from userspace\n`);
      else if (f.v6only && family !== "inet6")
        c.o.err(`Warning: ${f.name} option can be set only for IPv6 addresses\n`);
      else flags.add(f.name);
    } else {
      let v = w;
      if (v === "local") v = a.next();
      if (matches(v, "help")) notSimulated(c, "help");
      if (local !== undefined)
        die(c, `Error: either "local" is duplicate, or "${v}" is a garbage.`, 255);
      lclArg = v;
      local = getPrefix(c, v, family);
      family ??= local.family;
    }
  }
  if (dev === undefined) die(c, 'Not enough information: "dev" argument is required.', 1);
  let wildcard = false;
  if (local) {
    if (cmd === "del" && local.family === "inet" && !local.prefixSpecified) {
      wildcard = true;
      c.o.err(
        "Warning: Executing wildcard deletion to stay compatible with old scripts.\n" +
          `         Explicitly specify the prefix length (${lclArg}/32) to avoid this warning.\n` +
          "         This special behaviour is likely to disappear in further releases,\n" +
          "         fix your scripts!\n",
      );
    }
  }
  let brdAddr: number | undefined;
  if ((brd === "+" || brd === "-") && cmd !== "del") {
    if (family !== "inet") die(c, "Broadcast can be set only for IPv4 addresses", 1);
    if (local && local.bitlen <= 30) {
      const host = ~maskOf(local.bitlen) >>> 0;
      brdAddr = brd === "+" ? (local.v4 | host) >>> 0 : (local.v4 & ~host) >>> 0;
    }
  } else if (brd !== undefined && brd !== "+" && brd !== "-" && brd.family === "inet")
    brdAddr = brd.v4;
  if (scope === undefined && cmd !== "del")
    scope = local && local.family === "inet" && local.v4 >>> 24 === 127 ? 254 : 0;
  const d = llNameToIndex(c, dev);
  if (!d) die(c, `Cannot find device "${dev}"`, 1);

  // The kernel's side (inet_rtm_newaddr / inet_rtm_deladdr, inet6_rtm_*).
  if (family === undefined) kfail("EOPNOTSUPP");
  if (family === "inet") {
    if (cmd === "del") {
      if (!local) {
        const first = d.addrs4.find((x) => label === undefined || x.label === label);
        if (!first) kfail("EADDRNOTAVAIL", "ipv4: Address not found");
        addrDel(d, first.addr, first.plen, first.label);
        return;
      }
      addrDel(d, local.v4, wildcard ? undefined : local.bitlen, label);
      return;
    }
    if (!local) kfail("EINVAL", "ipv4: Local address is not supplied");
    const sc = scope === 0 ? "global" : scope === 253 ? "link" : scope === 254 ? "host" : undefined;
    if (sc === undefined) notSimulated(c, `scope ${scopeName(scope ?? 0)}`);
    const exists = d.addrs4.find((x) => x.addr === local!.v4 && x.plen === local!.bitlen);
    if (exists && cmd !== "add") return;
    if (!exists && cmd === "change") kfail("ENOENT");
    addrAdd(d, {
      addr: local.v4,
      plen: local.bitlen,
      ...(brdAddr !== undefined ? { broadcast: brdAddr } : {}),
      scope: sc,
      ...(label !== undefined ? { label: label.slice(0, 15) } : {}),
      noprefixroute: flags.has("noprefixroute"),
    });
    return;
  }
  // inet6
  if (!local) kfail("EINVAL");
  const text = formatIp6(local.v6);
  if (cmd === "del") {
    addr6Del(d, text, local.bitlen);
    return;
  }
  const exists = d.addrs6.find((x) => x.addr === text);
  if (exists && cmd !== "add") return;
  if (!exists && cmd === "change") kfail("ENOENT");
  addr6Add(d, {
    addr: text,
    plen: local.bitlen,
    nodad: flags.has("nodad"),
    noprefixroute: flags.has("noprefixroute"),
  });
}

// ---------------------------------------------------------------------------------------
// Listing and flushing (ipaddr_list_flush_or_save)

interface AddrFilter extends LinkFilter {
  ifindex: number;
  family: Family | "packet" | undefined;
  scope: number;
  scopemask: number;
  flags: Set<string>;
  flagmask: Set<string>;
  pfx: InetAddr | undefined;
  oneline: boolean;
}

/** One address as the kernel dumps it (inet_fill_ifaddr / inet6_fill_ifaddr). */
interface AddrMsg {
  dev: NetDevice;
  family: Family;
  v4?: IfAddr4;
  v6?: IfAddr6;
}

const SCOPE_NUM: Record<string, number> = { global: 0, link: 253, host: 254 };

function msgScope(m: AddrMsg): number {
  return SCOPE_NUM[(m.v4 ?? m.v6)!.scope]!;
}

/** IFA_F_* names set on an address (IFA_F_PERMANENT for all we make). */
function msgFlags(m: AddrMsg): Set<string> {
  const s = new Set<string>(["permanent"]);
  if (m.v4) {
    if (m.v4.secondary) s.add("secondary");
    if (m.v4.noprefixroute) s.add("noprefixroute");
  } else if (m.v6) {
    if (m.v6.tentative) s.add("tentative");
    if (m.v6.nodad) s.add("nodad");
    if (m.v6.noprefixroute) s.add("noprefixroute");
  }
  return s;
}

function msgLabel(m: AddrMsg): string {
  return m.v4 ? m.v4.label : m.dev.name;
}

/** fnmatch(pattern, string, 0) for the shell wildcards * ? and [...]. */
function fnmatch(pattern: string, s: string): boolean {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "*") re += ".*";
    else if (ch === "?") re += ".";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else if (ch === "\\" && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += ch.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`${re}$`).test(s);
}

/** inet_addr_match_rta: the address lies in the "to" prefix. */
function prefixMatch(pfx: InetAddr | undefined, m: AddrMsg): boolean {
  if (!pfx) return true;
  if (pfx.family !== m.family) return false;
  if (m.v4) return pfx.bitlen === 0 || (m.v4.addr ^ pfx.v4) >>> (32 - pfx.bitlen) === 0;
  const g = parseIp6(m.v6!.addr)!;
  for (let bit = 0; bit < pfx.bitlen; bit++) {
    const w = bit >> 4;
    const mask = 0x8000 >> (bit & 15);
    if ((g[w]! & mask) !== (pfx.v6[w]! & mask)) return false;
  }
  return true;
}

/** The address filters print_addrinfo and ipaddr_filter apply. */
function addrMatches(f: AddrFilter, m: AddrMsg): boolean {
  if (f.ifindex && f.ifindex !== m.dev.ifindex) return false;
  if (f.scopemask && msgScope(m) !== f.scope) return false;
  const flags = msgFlags(m);
  for (const name of f.flagmask) if (f.flags.has(name) !== flags.has(name)) return false;
  if (f.family !== undefined && f.family !== "packet" && f.family !== m.family) return false;
  if (f.label !== undefined && !fnmatch(f.label, msgLabel(m))) return false;
  return prefixMatch(f.pfx, m);
}

/** The address dump: IPv4 (per device, in list order) before IPv6. */
function addressDump(ns: IpContext["ns"], family: Family | "packet" | undefined): AddrMsg[] {
  const out: AddrMsg[] = [];
  const devs = ns.deviceList();
  if (family === undefined || family === "inet") {
    for (const dev of devs) for (const v4 of dev.addrs4) out.push({ dev, family: "inet", v4 });
  }
  if (family === undefined || family === "inet6") {
    for (const dev of devs) for (const v6 of dev.addrs6) out.push({ dev, family: "inet6", v6 });
  }
  return out;
}

/** get_filter: a flag name, "-flag" to exclude it, "dynamic" and "primary" inverted. */
function getFilterFlag(f: AddrFilter, arg: string): boolean {
  let inv = false;
  let name = arg;
  if (name.startsWith("-")) {
    inv = true;
    name = name.slice(1);
  }
  if (name === "dynamic") {
    inv = !inv;
    name = "permanent";
  } else if (name === "primary") {
    inv = !inv;
    name = "secondary";
  }
  const known = IFA_FLAGS.find((x) => x.name === name);
  if (!known) return false;
  // "temporary" is IFA_F_SECONDARY under another name.
  const key = name === "temporary" ? "secondary" : name;
  if (inv) f.flags.delete(key);
  else f.flags.add(key);
  f.flagmask.add(key);
  return true;
}

/**
 * ipaddr_list_flush_or_save: `ip addr show|flush` and (doLink) `ip link show`.
 */
export function ipaddrList(
  c: IpContext,
  list: string[],
  action: "list" | "flush",
  doLink: boolean,
): void {
  const f: AddrFilter = {
    ...emptyFilter(),
    ifindex: 0,
    family: doLink ? "packet" : c.opts.family,
    scope: 0,
    scopemask: 0,
    flags: new Set(),
    flagmask: new Set(),
    pfx: undefined,
    oneline: c.opts.oneline,
  };
  if (action === "flush") {
    if (list.length === 0) die(c, "Flush requires arguments.", 1);
  }
  const a = new Args(c, list);
  let filterDev: string | undefined;
  for (; a.more; a.step()) {
    const w = a.cur;
    if (w === "to") {
      const v = a.next();
      const fam = f.family === "packet" ? undefined : f.family;
      const p = getPrefix1(v, fam);
      if (f.family === "packet")
        die(c, `Error: "${v}" may be inet prefix, but it is not allowed in this context.`, 1);
      if (!p) die(c, `Error: ${fam ?? "any valid"} prefix is expected rather than "${v}".`, 1);
      f.pfx = p;
      f.family ??= p.family;
    } else if (w === "scope") {
      const v = a.next();
      f.scopemask = -1;
      const s = scopeA2n(v);
      if (s === undefined) {
        if (v !== "all") invarg(c, 'invalid "scope"\n', v);
        f.scope = 255;
        f.scopemask = 0;
      } else f.scope = s;
    } else if (w === "up") {
      f.up = true;
    } else if (getFilterFlag(f, w)) {
      // a flag filter
    } else if (w === "label") {
      f.label = a.next();
    } else if (w === "group") {
      const v = a.next();
      const g = v === "default" ? 0 : getUint(v, 0xffffffff);
      if (g === undefined) invarg(c, 'Invalid "group" value\n', v);
      f.group = g;
    } else if (w === "master") {
      const v = a.next();
      const m = llNameToIndex(c, v);
      if (!m) invarg(c, "Device does not exist\n", v);
      f.master = m.ifindex;
    } else if (w === "vrf") {
      invarg(c, "Not a valid VRF name\n", a.next());
    } else if (w === "nomaster") {
      f.master = -1;
    } else if (w === "type") {
      const v = a.next();
      if (v.length >= 6 && v.endsWith("_slave")) f.slaveKind = v.slice(0, -6);
      else f.kind = v;
    } else {
      let v = w;
      if (v === "dev") v = a.next();
      else if (matches(v, "help")) ipNotSimulated(c, `ip ${doLink ? "link" : "address"} help`);
      if (filterDev !== undefined)
        die(c, `Error: either "dev" is duplicate, or "${v}" is a garbage.`, 255);
      filterDev = v;
    }
  }
  let single: NetDevice | undefined;
  if (filterDev !== undefined) {
    single = llNameToIndex(c, filterDev);
    if (!single) die(c, `Device "${filterDev}" does not exist.`, 1);
    f.ifindex = single.ifindex;
  }
  if (action === "flush") return flush(c, f);

  const p = new Printer(c.opts.json, c.opts.pretty, c.opts.oneline);
  p.begin();
  const opts: LinkPrintOpts = { doLink, family: f.family, restricted: false, looked: new Set() };
  if (single && f.group === undefined && doLink) {
    // iplink_get: one RTM_GETLINK by name.
    linkFill(single);
    p.openObject();
    printLinkinfo(p, c, single, f, opts);
    p.closeObject();
    c.o.out(p.end());
    for (const d of opts.looked) if (d !== single) linkGet(d);
    return;
  }
  let links: NetDevice[];
  if (single) links = [single];
  else {
    // The dump, filtered in the kernel on master and on a kind it knows (link_dump_filtered).
    links = c.ns.deviceList().filter((d) => {
      if (f.master === -1 && d.master) return false;
      if (f.master > 0 && d.master?.ifindex !== f.master) return false;
      if (f.kind !== undefined && KNOWN_KINDS.has(f.kind) && d.kind !== f.kind) return false;
      return true;
    });
    // An AF_INET6 link dump is answered by addrconf with a short message.
    opts.restricted = f.family === "inet6";
  }
  if (!opts.restricted) for (const d of links) linkFill(d);
  const dumped = [...links];
  let addrs: AddrMsg[] = [];
  let noLink = false;
  if (f.family !== "packet") {
    if (f.oneline) noLink = true;
    addrs = addressDump(c.ns, f.family);
    // ipaddr_filter: keep links with a matching address, or with none at all when no family was asked.
    links = links.filter((d) => {
      const mine = addrs.filter((m) => m.dev === d);
      if (mine.length === 0) return f.family === undefined;
      return mine.some((m) => addrMatches({ ...f, ifindex: 0 }, m));
    });
  }
  for (const d of links) {
    p.openObject();
    let res = 0;
    if (c.opts.brief || !noLink) res = printLinkinfo(p, c, d, f, opts);
    if (res >= 0 && f.family !== "packet") printSelectedAddrinfo(p, c, f, d, addrs);
    if (res > 0 && !doLink && c.opts.stats) {
      printStats(p, d, c.opts.statsLevel);
      p.nl();
    }
    p.closeObject();
  }
  c.o.out(p.end());
  // store_nlmsg cached every dumped link (ll_remember_index); other names cost a GETLINK.
  for (const d of opts.looked) if (!dumped.includes(d)) linkGet(d);
}

function printSelectedAddrinfo(
  p: Printer,
  c: IpContext,
  f: AddrFilter,
  dev: NetDevice,
  addrs: AddrMsg[],
): void {
  p.openArray("addr_info", "", true);
  for (const m of addrs) {
    if (m.dev !== dev) continue;
    if (f.up && !dev.adminUp) continue;
    if (!addrMatches(f, m)) continue;
    p.openObject();
    printAddrinfo(p, c, f, m);
    p.closeObject();
  }
  p.closeArray("", true);
  if (c.opts.brief) p.fp("\n");
}

/** print_addrinfo. */
function printAddrinfo(p: Printer, c: IpContext, f: AddrFilter, m: AddrMsg): void {
  const brief = c.opts.brief;
  if (!brief) {
    if (f.oneline) {
      if (p.json) {
        p.js("index", m.dev.ifindex);
        p.js("dev", m.dev.name);
      } else p.fp(`${m.dev.ifindex}: ${m.dev.name}`);
    }
    p.str("family", `    ${m.family} `, m.family);
  }
  const local = m.v4 ? formatIp4(m.v4.addr) : m.v6!.addr;
  const plen = (m.v4 ?? m.v6)!.plen;
  p.str("local", local, local);
  p.num("prefixlen", `/${plen} `, plen);
  if (brief) return;
  if (m.v4 && m.v4.broadcast !== 0) {
    const b = formatIp4(m.v4.broadcast);
    p.fp("brd ");
    p.str("broadcast", `${b} `, b);
  }
  const sc = scopeName(msgScope(m));
  p.str("scope", `scope ${sc} `, sc);
  const flags = msgFlags(m);
  for (const fl of IFA_FLAGS) {
    if (fl.name === "temporary") continue;
    if (fl.name === "permanent") {
      if (!flags.has("permanent")) p.bool("dynamic", "dynamic ", true);
      continue;
    }
    if (!flags.has(fl.name)) continue;
    if (fl.name === "secondary" && m.family === "inet6") p.bool("temporary", "temporary ", true);
    else {
      p.fp(`${fl.name} `);
      p.js(fl.name, true);
    }
  }
  if (m.v4) p.str("label", m.v4.label, m.v4.label);
  p.nl();
  p.fp("       valid_lft ");
  p.js("valid_life_time", 4294967295);
  p.fp("forever");
  p.fp(" preferred_lft ");
  p.js("preferred_life_time", 4294967295);
  p.fp("forever");
  p.fp("\n");
}

/**
 * ipaddr_flush: dump, delete every match, repeat until a round finds nothing (the kernel
 * takes a primary's secondaries with it; their own requests then fail and are ignored).
 */
function flush(c: IpContext, f: AddrFilter): void {
  if (f.family === "packet") die(c, "Cannot flush link addresses.", 1);
  const onlyPrimary = f.flagmask.has("secondary") && !f.flags.has("secondary");
  let round = 0;
  for (;;) {
    const todo = addressDump(c.ns, f.family).filter((m) => addrMatches(f, m));
    if (todo.length === 0) break;
    round++;
    for (const m of todo) {
      try {
        if (m.v4) {
          if (m.dev.addrs4.includes(m.v4)) addrDel(m.dev, m.v4.addr, m.v4.plen, m.v4.label);
        } else if (m.v6 && m.dev.addrs6.includes(m.v6)) addr6Del(m.dev, m.v6.addr, m.v6.plen);
      } catch (e) {
        if (!(e instanceof KernelError)) throw e;
        if (e.errno === "EPERM") flushRefused(c, 255);
      }
    }
    if (c.opts.stats) c.o.out(`\n*** Round ${round}, deleting ${todo.length} addresses ***\n`);
    if (onlyPrimary || round >= 10) break;
  }
  if (c.opts.stats) {
    if (round === 0) c.o.out("Nothing to flush.\n");
    else c.o.out(`*** Flush is complete after ${round} round${round > 1 ? "s" : ""} ***\n`);
  }
}
