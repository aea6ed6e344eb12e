// `ip route` (iproute2 6.1 ip/iproute.c): add, change, replace, prepend, append, test,
// delete, list/show, flush and get, with iproute2's parsing, messages and exit codes.
// The kernel side is ipv4/fib.ts (RTM_NEWROUTE/RTM_DELROUTE, dumps) and
// ipv4/route-get.ts (RTM_GETROUTE).
import {
  type NetDevice,
  RT_TABLE,
  type InsertMode,
  type Route,
  type RouteScope,
  type RouteType,
  routeGet,
  routeAdd,
  routeDel,
  routeFlush,
} from "../../kernel/netlink/index.js";
import { Exit } from "../program.js";
import {
  die,
  flushing,
  incomplete,
  invarg,
  matches,
  notSimulated,
  type IpContext,
} from "./context.js";
import { Printer } from "./print.js";
import {
  getAddr,
  getPrefix,
  getU32,
  prefixMatch,
  protoArg,
  routeTypeArg,
  scopeArg,
  tableId,
  type Family,
  type InetPrefix,
} from "./route-args.js";
import {
  dstSelected,
  fromFib,
  fromGet,
  ipv6Routes,
  printRoute,
  type PrintFilter,
  type RouteMsg,
} from "./route-print.js";
import { ROUTE_USAGE } from "./route-usage.js";

function usage(c: IpContext): never {
  c.o.err(ROUTE_USAGE);
  throw new Exit(255);
}

function unsupported(c: IpContext, what: string): never {
  return notSimulated(c, `ip route ... ${what}`);
}

/** NEXT_ARG(): the value after a keyword, or "Command line is not complete". */
function next(c: IpContext, args: string[], i: number): string {
  const v = args[i + 1];
  if (v === undefined) incomplete(c);
  return v;
}

/** nodev(): `Cannot find device "X"` (exit 1). */
function device(c: IpContext, name: string): NetDevice {
  const d = c.ns.byName(name);
  if (!d) die(c, `Cannot find device "${name}"`, 1);
  return d;
}

export function ipRoute(c: IpContext, args: string[]): void {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return list(c, [], false);
  if (matches(cmd, "add")) return modify(c, rest, "create");
  if (matches(cmd, "change") || cmd === "chg") return modify(c, rest, "change");
  if (matches(cmd, "replace")) return modify(c, rest, "replace");
  if (matches(cmd, "prepend")) return modify(c, rest, "prepend");
  if (matches(cmd, "append")) return modify(c, rest, "append");
  if (matches(cmd, "test")) return modify(c, rest, "test");
  if (matches(cmd, "delete")) return modify(c, rest, "delete");
  if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst"))
    return list(c, rest, false);
  if (matches(cmd, "get")) return get(c, rest);
  if (matches(cmd, "flush")) return list(c, rest, true);
  if (matches(cmd, "save") || matches(cmd, "restore") || matches(cmd, "showdump"))
    unsupported(c, cmd);
  if (matches(cmd, "help")) usage(c);
  die(c, `Command "${cmd}" is unknown, try "ip route help".`, 255);
}

/** read_family: an address family word before a `via` address. */
function readFamily(w: string): Family | "other" | "none" {
  if (w === "inet") return "inet";
  if (w === "inet6") return "inet6";
  if (["mpls", "bridge", "link", "ipx", "dnet"].includes(w)) return "other";
  return "none";
}

const METRIC_OPTIONS = [
  "mtu",
  "hoplimit",
  "advmss",
  "rtt",
  "rto_min",
  "expires",
  "as",
  "nhid",
  "encap",
  "ttl-propagate",
];
const METRIC_PREFIXES = [
  "reordering",
  "window",
  "cwnd",
  "initcwnd",
  "initrwnd",
  "features",
  "quickack",
  "congctl",
  "rttvar",
  "ssthresh",
  "realms",
  "vrf",
  "pref",
  "fastopen_no_cookie",
];

/** iproute_modify: one RTM_NEWROUTE or RTM_DELROUTE request. */
function modify(c: IpContext, args: string[], mode: InsertMode | "delete"): void {
  const del = mode === "delete";
  let family: Family = c.opts.family;
  let table: number = RT_TABLE.main;
  let tableOk = false;
  let type: RouteType | undefined;
  let scope: RouteScope | undefined;
  let proto: string | undefined;
  let dst: InetPrefix | undefined;
  let gw: InetPrefix | undefined;
  let src: InetPrefix | undefined;
  let metric: number | undefined;
  let devName: string | undefined;
  let onlink = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "src") {
      src = getAddr(c, next(c, args, i++), family);
      family ??= src.family;
    } else if (a === "via") {
      if (gw) invarg(c, "use nexthop syntax to specify multiple via\n", a);
      let w = next(c, args, i++);
      const fam = readFamily(w);
      if (fam === "other") unsupported(c, `via ${w}`);
      let gwFamily = family;
      if (fam !== "none") {
        gwFamily = fam;
        w = next(c, args, i++);
      }
      gw = getAddr(c, w, gwFamily);
      family ??= gw.family;
      if (gw.family !== family) unsupported(c, "via with another address family");
    } else if (a === "from") {
      unsupported(c, "from");
    } else if (a === "tos" || matches(a, "dsfield")) {
      unsupported(c, a);
    } else if (matches(a, "metric") || matches(a, "priority") || a === "preference") {
      const v = next(c, args, i++);
      metric = getU32(v);
      if (metric === undefined) invarg(c, '"metric" value is invalid\n', v);
    } else if (a === "scope") {
      const v = next(c, args, i++);
      scope = scopeArg(v);
      if (scope === undefined) invarg(c, 'invalid "scope" value\n', v);
    } else if (
      METRIC_OPTIONS.includes(a) ||
      METRIC_PREFIXES.some((k) => matches(a, k) && !matches(a, "protocol") && !matches(a, "table"))
    ) {
      unsupported(c, a);
    } else if (a === "onlink") {
      onlink = true;
    } else if (a === "nexthop") {
      unsupported(c, "nexthop");
    } else if (matches(a, "protocol")) {
      const v = next(c, args, i++);
      proto = protoArg(v);
      if (proto === undefined) invarg(c, '"protocol" value is invalid\n', v);
    } else if (matches(a, "table")) {
      const v = next(c, args, i++);
      const t = tableId(v);
      if (t === undefined) invarg(c, '"table" value is invalid\n', v);
      table = t;
      tableOk = true;
    } else if (a === "dev" || a === "oif") {
      devName = next(c, args, i++);
    } else {
      let w = a;
      if (w === "to") w = next(c, args, i++);
      const first = w.charAt(0);
      if ((first < "0" || first > "9") && routeTypeArg(w) !== undefined) {
        const t = routeTypeArg(w)!;
        if (t === "xresolve") unsupported(c, w);
        type = t;
        w = next(c, args, i++);
      }
      if (matches(w, "help")) usage(c);
      if (dst) die(c, `Error: either "to" is duplicate, or "${w}" is a garbage.`, 255);
      dst = getPrefix(c, w, family);
      family ??= dst.family;
    }
  }
  if (!dst) usage(c);
  const dev = devName !== undefined ? device(c, devName) : undefined;
  family ??= "inet";
  if (family === "inet6") unsupported(c, "with IPv6 routes");
  if (
    !tableOk &&
    (type === "local" || type === "broadcast" || type === "nat" || type === "anycast")
  )
    table = RT_TABLE.local;
  if (scope === undefined) {
    if (type === "local" || type === "nat") scope = "host";
    else if (type === "broadcast" || type === "multicast" || type === "anycast") scope = "link";
    else if (type === undefined || type === "unicast") {
      if (!del && !gw) scope = "link";
    }
  }
  const addr = dst.bytelen ? dst.addr : 0;
  if (del) {
    routeDel(c.ns, {
      table,
      dst: addr,
      plen: dst.bitlen,
      type,
      metric,
      proto,
      scope,
      prefsrc: src?.addr,
      gateway: gw?.addr,
      dev,
    });
    return;
  }
  routeAdd(
    c.ns,
    {
      table,
      type: type ?? "unicast",
      dst: addr,
      plen: dst.bitlen,
      metric: metric ?? 0,
      proto: proto ?? "boot",
      scope: scope ?? "global",
      prefsrc: src?.addr,
      gateway: gw?.addr,
      dev,
      onlink,
    },
    mode,
  );
}

/** The selector `ip route show|flush` builds (iproute.c's static filter). */
interface Selector {
  tb: number;
  cloned: boolean;
  protocol?: string;
  scope?: RouteScope;
  type?: RouteType;
  oif?: NetDevice;
  iif?: NetDevice;
  metric?: number;
  rvia?: InetPrefix;
  rprefsrc?: InetPrefix;
  rdst?: InetPrefix;
  mdst?: InetPrefix;
  rsrc?: InetPrefix;
  msrc?: InetPrefix;
}

function parseSelector(c: IpContext, args: string[], dumpFamily: Family): Selector {
  const s: Selector = { tb: RT_TABLE.main, cloned: false };
  let od: string | undefined;
  let id: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (matches(a, "table")) {
      const v = next(c, args, i++);
      const t = tableId(v);
      if (t !== undefined) s.tb = t;
      else if (v === "all") s.tb = 0;
      else if (v === "cache") s.cloned = true;
      else if (v === "help") usage(c);
      else invarg(c, "table id value is invalid\n", v);
    } else if (matches(a, "vrf")) {
      unsupported(c, a);
    } else if (matches(a, "cached") || matches(a, "cloned")) {
      s.cloned = true;
    } else if (a === "tos" || matches(a, "dsfield")) {
      unsupported(c, a);
    } else if (matches(a, "protocol")) {
      const v = next(c, args, i++);
      const p = protoArg(v);
      if (p === undefined && v !== "all") invarg(c, 'invalid "protocol"\n', v);
      s.protocol = p;
    } else if (matches(a, "scope")) {
      const v = next(c, args, i++);
      const sc = scopeArg(v);
      if (sc === undefined && v !== "all") invarg(c, 'invalid "scope"\n', v);
      s.scope = sc;
    } else if (matches(a, "type")) {
      const v = next(c, args, i++);
      const t = routeTypeArg(v);
      if (t === undefined) invarg(c, "node type value is invalid\n", v);
      if (t === "xresolve") unsupported(c, v);
      s.type = t;
    } else if (a === "dev" || a === "oif") {
      od = next(c, args, i++);
    } else if (a === "iif") {
      id = next(c, args, i++);
    } else if (a === "mark") {
      unsupported(c, a);
    } else if (matches(a, "metric") || matches(a, "priority") || a === "preference") {
      const v = next(c, args, i++);
      const m = getU32(v);
      if (m === undefined) invarg(c, '"metric" value is invalid\n', v);
      s.metric = m;
    } else if (a === "via") {
      let w = next(c, args, i++);
      const fam = readFamily(w);
      let f = dumpFamily;
      if (fam === "other") unsupported(c, `via ${w}`);
      if (fam !== "none") {
        f = fam;
        w = next(c, args, i++);
      }
      s.rvia = getPrefix(c, w, f);
    } else if (a === "src") {
      s.rprefsrc = getPrefix(c, next(c, args, i++), dumpFamily);
    } else if (matches(a, "realms")) {
      unsupported(c, a);
    } else if (matches(a, "from")) {
      let w = next(c, args, i++);
      if (matches(w, "root")) s.rsrc = getPrefix(c, next(c, args, i++), dumpFamily);
      else if (matches(w, "match")) s.msrc = getPrefix(c, next(c, args, i++), dumpFamily);
      else {
        if (matches(w, "exact")) w = next(c, args, i++);
        s.msrc = s.rsrc = getPrefix(c, w, dumpFamily);
      }
    } else {
      let w = a;
      if (matches(w, "to")) w = next(c, args, i++);
      if (matches(w, "root")) s.rdst = getPrefix(c, next(c, args, i++), dumpFamily);
      else if (matches(w, "match")) s.mdst = getPrefix(c, next(c, args, i++), dumpFamily);
      else {
        if (matches(w, "exact")) w = next(c, args, i++);
        s.mdst = s.rdst = getPrefix(c, w, dumpFamily);
      }
    }
  }
  if (id !== undefined) s.iif = device(c, id);
  if (od !== undefined) s.oif = device(c, od);
  return s;
}

/** filter_nlmsg for one route. */
function selected(m: RouteMsg, s: Selector, family: Family): boolean {
  const fam = m.family === 4 ? "inet" : "inet6";
  if (family && family !== fam) return false;
  if (s.cloned !== (m.cache !== undefined)) return false;
  if (s.tb > 0 && s.tb !== m.table) return false;
  if (s.protocol !== undefined && s.protocol !== m.proto) return false;
  if (s.scope !== undefined && s.scope !== m.scope) return false;
  if (s.type !== undefined && s.type !== m.type) return false;
  if (!dstSelected(m, s.rdst, s.mdst)) return false;
  for (const p of [s.rsrc, s.msrc]) {
    if (p && (p.family || p.lenGiven) && ((p.family && p.family !== fam) || p.bitlen > 0))
      return false;
  }
  if (s.rvia?.family) {
    if (s.rvia.family !== fam) return false;
    if (m.family === 4 && !prefixMatch(m.gateway ?? 0, s.rvia.addr, s.rvia.bitlen)) return false;
  }
  if (s.rprefsrc?.family) {
    if (s.rprefsrc.family !== fam) return false;
    if (m.family === 4 && !prefixMatch(m.prefsrc ?? 0, s.rprefsrc.addr, s.rprefsrc.bitlen))
      return false;
  }
  if (s.iif && m.iif !== s.iif) return false;
  if (s.oif && m.dev !== s.oif) return false;
  if (s.metric !== undefined && (m.metric ?? 0) !== s.metric) return false;
  return true;
}

function printFilter(s: Selector): PrintFilter {
  return {
    tb: s.tb,
    typemask: s.type ? new Set([s.type]) : undefined,
    protocolExact: s.protocol !== undefined,
    scopeExact: s.scope !== undefined,
    oifExact: s.oif !== undefined,
    metricExact: s.metric !== undefined,
    viaHost: s.rvia !== undefined && s.rvia.bitlen === 32 && s.rvia.family === "inet",
    prefsrcHost:
      s.rprefsrc !== undefined && s.rprefsrc.bitlen === 32 && s.rprefsrc.family === "inet",
    iifExact: s.iif !== undefined,
  };
}

/** The routes a dump of `family` returns, in dump order (IPv4 tables, then IPv6). */
function dump(c: IpContext, s: Selector, family: Family): { msg: RouteMsg; route?: Route }[] {
  const out: { msg: RouteMsg; route?: Route }[] = [];
  const fib = c.ns.fib;
  if (family !== "inet6") {
    const ids = s.tb ? [s.tb] : fib.dumpOrder();
    for (const id of ids) for (const r of fib.list(id)) out.push({ msg: fromFib(r), route: r });
  }
  if (family !== "inet") for (const msg of ipv6Routes(c.ns)) out.push({ msg });
  return out;
}

/** `Error: ipv4: FIB table does not exist.` from a filtered dump of a missing table. */
function missingTable(c: IpContext, s: Selector, family: Family, flush: boolean): void {
  if (family !== "inet" || !s.tb || s.cloned || c.ns.fib.hasTable(s.tb)) return;
  if (c.opts.json && !flush) c.o.out(c.opts.pretty ? "[ " : "[");
  die(c, `Error: ipv4: FIB table does not exist.\n${flush ? "Flush" : "Dump"} terminated`, 2);
}

/** iproute_list_flush_or_save. */
function list(c: IpContext, args: string[], flush: boolean): void {
  if (flush && args.length === 0) die(c, '"ip route flush" requires arguments.', 1);
  let family = c.opts.family;
  const s = parseSelector(c, args, family);
  if (family === undefined && s.tb) family = "inet";
  missingTable(c, s, family, flush);
  if (flush) return flushRoutes(c, s, family);
  const p = new Printer(c.opts.json, c.opts.pretty, c.opts.oneline);
  p.begin();
  const f = printFilter(s);
  for (const { msg } of dump(c, s, family)) {
    if (selected(msg, s, family)) printRoute(p, msg, f, c.opts.details);
  }
  c.o.out(p.end());
}

/** iproute_flush: delete what the selector dumps, round after round until none is left. */
function flushRoutes(c: IpContext, s: Selector, family: Family): void {
  if (s.cloned) {
    if (family !== "inet6" && c.opts.stats) c.o.out("*** IPv4 routing cache is flushed.\n");
    if (family === "inet") return;
  }
  for (let round = 0; ; round++) {
    const doomed = dump(c, s, family)
      .filter(({ msg, route }) => route && selected(msg, s, family))
      .map(({ route }) => route!);
    if (doomed.length === 0) {
      if (c.opts.stats) {
        if (round === 0 && (!s.cloned || family === "inet6")) c.o.out("Nothing to flush.\n");
        else c.o.out(`*** Flush is complete after ${round} round${round > 1 ? "s" : ""} ***\n`);
      }
      return;
    }
    const set = new Set(doomed);
    flushing(c, 2, () => routeFlush(c.ns, set));
    if (c.opts.stats) c.o.out(`\n*** Round ${round + 1}, deleting ${doomed.length} entries ***\n`);
  }
}

/** iproute_get: RTM_GETROUTE and the answer printed like a route. */
function get(c: IpContext, args: string[]): void {
  let family: Family = c.opts.family;
  let dst: InetPrefix | undefined;
  let src: InetPrefix | undefined;
  let idev: string | undefined;
  let odev: string | undefined;
  let uid: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "tos" || matches(a, "dsfield")) {
      unsupported(c, a);
    } else if (matches(a, "from")) {
      const w = next(c, args, i++);
      if (matches(w, "help")) usage(c);
      src = getPrefix(c, w, family);
      family ??= src.family;
    } else if (matches(a, "iif")) {
      idev = next(c, args, i++);
    } else if (matches(a, "mark")) {
      unsupported(c, a);
    } else if (matches(a, "oif") || a === "dev") {
      odev = next(c, args, i++);
    } else if (matches(a, "notify")) {
      // RTM_F_NOTIFY: no visible effect on the answer.
    } else if (
      matches(a, "connected") ||
      matches(a, "vrf") ||
      matches(a, "fibmatch") ||
      a === "as"
    ) {
      unsupported(c, a);
    } else if (matches(a, "uid")) {
      const v = next(c, args, i++);
      uid = getU32(v);
      if (uid === undefined) invarg(c, "invalid UID\n", v);
    } else if (matches(a, "sport") || matches(a, "dport") || matches(a, "ipproto")) {
      unsupported(c, a);
    } else {
      let w = a;
      if (w === "to") w = next(c, args, i++);
      if (matches(w, "help")) usage(c);
      dst = getPrefix(c, w, family);
      family ??= dst.family;
      if (family === "inet" && dst.bitlen !== 32) {
        c.o.err(`Warning: /${dst.bitlen} as prefix is invalid, only /32 (or none) is supported.\n`);
      } else if (family === "inet6" && dst.bitlen !== 128) {
        c.o.err(
          `Warning: /${dst.bitlen} as prefix is invalid, only /128 (or none) is supported.\n`,
        );
      }
    }
  }
  if (!dst) die(c, "need at least a destination address", 1);
  const iif = idev !== undefined ? device(c, idev) : undefined;
  const oif = odev !== undefined ? device(c, odev) : undefined;
  if (family === "inet6") unsupported(c, "get for IPv6");
  const answer = routeGet(c.ns, {
    dst: dst.bytelen ? dst.addr : 0,
    src: src?.bytelen ? src.addr : undefined,
    iif,
    oif,
  });
  if (uid !== undefined && answer.uid !== undefined) answer.uid = uid;
  const p = new Printer(c.opts.json, c.opts.pretty, c.opts.oneline);
  p.begin();
  printRoute(
    p,
    fromGet(answer),
    {
      tb: 0,
      protocolExact: false,
      scopeExact: false,
      oifExact: false,
      metricExact: false,
      viaHost: false,
      prefsrcHost: false,
      iifExact: false,
    },
    c.opts.details,
  );
  c.o.out(p.end());
}
