// The IPv4 FIB: routing tables, policy rules and lookup, after net/ipv4/fib_trie.c,
// fib_semantics.c, fib_frontend.c and fib_rules.c (with net/core/fib_rules.c).
//
// Each table keeps its aliases in the order the trie dumps them (fib_table_dump):
// destination key ascending, longer prefix first, then metric, then the place the
// netlink flags gave the route (fib_table_insert). Lookups and `ip route` share it.
import type { NetDevice } from "../core/device.js";
import { kfail } from "../core/errors.js";
import {
  inPrefix,
  isMulticast,
  LIMITED_BROADCAST,
  maskOf,
  network,
  type Ip4,
} from "../core/ip4.js";
import type { NetNs } from "../core/netns.js";

declare module "../core/netns.js" {
  interface NetNs {
    /** Routing tables and rules (fib.ts), made by the namespace's pernet init. */
    readonly fib: Fib;
  }
}

export const RT_TABLE = { unspec: 0, default: 253, main: 254, local: 255 } as const;

export type RouteType =
  | "unicast"
  | "local"
  | "broadcast"
  | "unreachable"
  | "prohibit"
  | "blackhole"
  | "multicast"
  | "anycast"
  | "throw"
  | "nat";

/** rtm_scope values by name (rt_scopes); "site" is 200, "nowhere" 255. */
export type RouteScope = "global" | "site" | "link" | "host" | "nowhere";

export const SCOPE_VALUE: Record<RouteScope, number> = {
  global: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};

export interface Route {
  table: number;
  type: RouteType;
  dst: Ip4;
  plen: number;
  metric: number;
  /** rtm_protocol by name ("kernel", "boot", "static") or number as text. */
  proto: string;
  scope: RouteScope;
  prefsrc?: Ip4;
  gateway?: Ip4;
  dev?: NetDevice;
  onlink: boolean;
  /** Creation order (kept for callers; the table array itself holds the dump order). */
  seq: number;
  /**
   * RTNH_F_LINKDOWN: set from the carrier when the route is created (fib_create_info),
   * then only when NETDEV_CHANGE arrives through linkwatch (fib_sync_down_dev /
   * fib_sync_up), which can be a second after the carrier changed.
   */
  linkdownFlag?: boolean;
}

export interface Rule {
  priority: number;
  from?: { addr: Ip4; plen: number };
  to?: { addr: Ip4; plen: number };
  /** Device names: rules keep the name and attach to whatever device has it (fib_rules_event). */
  iif?: string;
  oif?: string;
  not: boolean;
  action: "lookup" | "unreachable" | "prohibit" | "blackhole";
  table: number;
  /** FRA_PROTOCOL: "kernel" for the three default rules, "unspec" for user rules. */
  proto: string;
}

export interface FlowKey {
  dst: Ip4;
  src?: Ip4;
  iif?: NetDevice;
  oif?: NetDevice;
  /** flowi4_scope: routes with a narrower (smaller) scope are skipped. Default universe. */
  scope?: RouteScope;
  /** FIB_LOOKUP_IGNORE_LINKSTATE. */
  ignoreLinkState?: boolean;
}

export interface FibResult {
  route: Route;
  /** The table the route was found in (the main table for local routes while the
   * local and main tries are merged, i.e. before any custom rule: fib_new_table). */
  table: number;
  type: RouteType;
  dev?: NetDevice;
  /** Next hop: the gateway, or the destination when on-link. */
  gateway?: Ip4;
}

/** Netlink flags of an RTM_NEWROUTE request (NLM_F_CREATE, _EXCL, _REPLACE, _APPEND). */
export interface InsertFlags {
  create?: boolean;
  excl?: boolean;
  replace?: boolean;
  append?: boolean;
}

/** `ip route add|change|replace|prepend|append|test` and the kernel's own fib_magic. */
export type InsertMode = "create" | "append" | "prepend" | "replace" | "change" | "test";

const MODE_FLAGS: Record<InsertMode, InsertFlags> = {
  create: { create: true, excl: true },
  append: { create: true, append: true },
  prepend: { create: true },
  replace: { create: true, replace: true },
  change: { replace: true },
  test: { excl: true },
};

/** What `ip route add` asks for, before fib_create_info has checked it. */
export interface RouteConfig {
  table: number;
  type: RouteType;
  dst: Ip4;
  plen: number;
  metric: number;
  proto: string;
  scope: RouteScope;
  prefsrc?: Ip4;
  gateway?: Ip4;
  dev?: NetDevice;
  onlink: boolean;
}

/** What `ip route del` names; unset fields match anything (fib_table_delete). */
export interface RouteMatch {
  table: number;
  dst: Ip4;
  plen: number;
  type?: RouteType;
  metric?: number;
  proto?: string;
  scope?: RouteScope;
  prefsrc?: Ip4;
  gateway?: Ip4;
  dev?: NetDevice;
}

/** fib_props[type].scope: the narrowest scope a route of that type may have. */
const TYPE_MIN_SCOPE: Record<RouteType, number> = {
  unicast: 0,
  local: 254,
  broadcast: 253,
  anycast: 253,
  multicast: 0,
  blackhole: 0,
  unreachable: 0,
  prohibit: 0,
  throw: 0,
  nat: 255,
};

/** fib_props[type].error: route types that end a lookup with an error instead of a route. */
const TYPE_ERROR: Partial<Record<RouteType, "EHOSTUNREACH" | "EACCES" | "EINVAL" | "EAGAIN">> = {
  unreachable: "EHOSTUNREACH",
  prohibit: "EACCES",
  blackhole: "EINVAL",
  throw: "EAGAIN",
  nat: "EINVAL",
};

export class Fib {
  /** Tables by id, in creation order; the main table exists from the start. */
  readonly tables = new Map<number, Route[]>([[RT_TABLE.main, []]]);
  rules: Rule[] = [
    { priority: 0, not: false, action: "lookup", table: RT_TABLE.local, proto: "kernel" },
    { priority: 32766, not: false, action: "lookup", table: RT_TABLE.main, proto: "kernel" },
    { priority: 32767, not: false, action: "lookup", table: RT_TABLE.default, proto: "kernel" },
  ];
  /**
   * net->ipv4.fib_has_custom_rules: set by the first rule added or deleted, never cleared.
   * Until then the local and main tables are one trie and lookups skip the rules.
   */
  customRules = false;
  private seq = 0;

  constructor(readonly ns: NetNs) {}

  hasTable(id: number): boolean {
    return this.tables.has(id === 0 ? RT_TABLE.main : id);
  }

  /** fib_new_table: the table, created on first use (id 0 means main). */
  table(id: number): Route[] {
    const key = id === 0 ? RT_TABLE.main : id;
    let t = this.tables.get(key);
    if (!t) {
      t = [];
      this.tables.set(key, t);
    }
    return t;
  }

  /**
   * Table ids in the order a dump walks them: fib_table_hash buckets (id & 255) in order,
   * newest table first within a bucket (hlist_add_head_rcu).
   */
  dumpOrder(): number[] {
    const ids = [...this.tables.keys()];
    const created = new Map(ids.map((id, i) => [id, i]));
    return ids.sort((a, b) => (a & 255) - (b & 255) || created.get(b)! - created.get(a)!);
  }

  /** All routes of a table in the order the kernel dumps them. */
  list(id: number): Route[] {
    return [...(this.tables.get(id === 0 ? RT_TABLE.main : id) ?? [])];
  }

  /**
   * Inserts a route (fib_table_insert). `mode` is the request's netlink flags: "create"
   * (CREATE|EXCL, ip route add), "append" (CREATE|APPEND, kernel routes), "prepend"
   * (CREATE), "replace" (CREATE|REPLACE), "change" (REPLACE), "test" (EXCL).
   */
  insert(r: Omit<Route, "seq">, mode: InsertMode | InsertFlags): Route {
    const flags = typeof mode === "string" ? MODE_FLAGS[mode] : mode;
    const t = this.table(r.table);
    const route: Route = { ...r, seq: this.seq++ };
    route.linkdownFlag = route.dev !== undefined && !route.dev.carrier();
    const sameMetric = t.filter(
      (x) => x.dst === r.dst && x.plen === r.plen && x.metric === r.metric,
    );
    const first = sameMetric[0];
    if (first) {
      if (flags.excl) kfail("EEXIST");
      // fa_match: an alias with the same type and fib_info would be a duplicate.
      const match = sameMetric.find((x) => sameInfo(x, route));
      if (flags.replace) {
        if (match) {
          if (match === first) return first;
          kfail("EEXIST");
        }
        t.splice(t.indexOf(first), 1, route);
        return route;
      }
      if (match) kfail("EEXIST");
      const at = flags.append
        ? t.indexOf(sameMetric[sameMetric.length - 1]!) + 1
        : t.indexOf(first);
      t.splice(at, 0, route);
      return route;
    }
    if (!flags.create) kfail("ENOENT");
    // Before the first alias that sorts after it: bigger key, or same key with a shorter
    // prefix, or same prefix with a higher metric.
    const at = t.findIndex(
      (x) =>
        x.dst > r.dst ||
        (x.dst === r.dst && (x.plen < r.plen || (x.plen === r.plen && x.metric > r.metric))),
    );
    if (at < 0) t.push(route);
    else t.splice(at, 0, route);
    return route;
  }

  /**
   * RTM_NEWROUTE as inet_rtm_newroute handles it: the key check (fib_valid_key_len), the
   * table (fib_new_table), the route's own checks (fib_create_info, fib_check_nh), then
   * the alias (fib_table_insert).
   */
  addRoute(cfg: RouteConfig, mode: InsertMode): Route {
    if (cfg.plen > 32) kfail("EINVAL", "Invalid prefix length");
    if (network(cfg.dst, cfg.plen) !== cfg.dst)
      kfail("EINVAL", "Invalid prefix for given prefix length");
    this.table(cfg.table);
    const r = this.createInfo(cfg);
    return this.insert(r, mode);
  }

  /** fib_create_info: validates a route and resolves its nexthop device. */
  private createInfo(cfg: RouteConfig): Omit<Route, "seq"> {
    const scope = SCOPE_VALUE[cfg.scope];
    if (TYPE_MIN_SCOPE[cfg.type] > scope) kfail("EINVAL", "Invalid scope");
    const base = {
      table: cfg.table,
      type: cfg.type,
      dst: cfg.dst,
      plen: cfg.plen,
      metric: cfg.metric,
      proto: cfg.proto,
      scope: cfg.scope,
      prefsrc: cfg.prefsrc,
      onlink: cfg.onlink,
    };
    if (TYPE_ERROR[cfg.type]) {
      if (cfg.gateway !== undefined || cfg.dev) {
        kfail("EINVAL", "Gateway, device and multipath can not be specified for this route type");
      }
      return this.checkPrefsrc(cfg, base);
    }
    if (scope > SCOPE_VALUE.host) kfail("EINVAL", "Invalid scope");
    let dev = cfg.dev;
    let gateway = cfg.gateway;
    if (cfg.scope === "host") {
      if (gateway !== undefined) kfail("EINVAL", "Route with host scope can not have a gateway");
      if (!dev) kfail("ENODEV");
    } else if (gateway !== undefined) {
      dev = this.checkGateway(cfg, gateway);
    } else {
      // fib_check_nh_nongw
      if (cfg.onlink)
        kfail("EINVAL", "Invalid flags for nexthop - PERVASIVE and ONLINK can not be set");
      if (!dev) kfail("ENODEV");
      if (!dev.adminUp) kfail("EINVAL", "Device for nexthop is not up");
    }
    if (gateway === 0) gateway = undefined;
    return this.checkPrefsrc(cfg, { ...base, gateway, dev });
  }

  /** fib_check_nh_v4_gw: the gateway must be reachable on-link (or be local), via dev if given. */
  private checkGateway(cfg: RouteConfig, gw: Ip4): NetDevice {
    if (cfg.onlink) {
      if (SCOPE_VALUE[cfg.scope] >= SCOPE_VALUE.link) kfail("EINVAL", "Nexthop has invalid scope");
      const dev = cfg.dev;
      if (!dev) kfail("ENODEV", "Nexthop device required for onlink");
      if (!dev.adminUp) kfail("EINVAL", "Nexthop device is not up");
      if (this.addrType(gw, RT_TABLE.local) !== "unicast")
        kfail("EINVAL", "Nexthop has invalid gateway");
      return dev;
    }
    const flow: FlowKey = {
      dst: gw,
      scope: scopeAbove(cfg.scope),
      oif: cfg.dev,
      iif: this.ns.byName("lo"),
      ignoreLinkState: true,
    };
    let res: FibResult | undefined;
    // The route's own table first (when not main), then a full lookup: the gateway may be
    // reachable only through the local table.
    if (cfg.table !== RT_TABLE.main && cfg.table !== 0 && this.hasTable(cfg.table)) {
      try {
        res = this.tryTableLookup(cfg.table, flow);
      } catch {
        res = undefined;
      }
    }
    if (!res) {
      try {
        res = this.lookup(flow);
      } catch {
        kfail("EINVAL", "Nexthop has invalid gateway");
      }
    }
    if (res.type !== "unicast" && res.type !== "local")
      kfail("EINVAL", "Nexthop has invalid gateway");
    const dev = res.dev;
    if (!dev) kfail("EINVAL", "No egress device for nexthop gateway");
    // Only a host-scope (local) route of a down device can resolve it: no extack here.
    if (!dev.adminUp) kfail("ENETDOWN");
    return dev;
  }

  private checkPrefsrc(cfg: RouteConfig, r: Omit<Route, "seq">): Omit<Route, "seq"> {
    // fib_valid_prefsrc: the preferred source must be one of our addresses.
    if (
      cfg.prefsrc !== undefined &&
      !(cfg.type === "local" && cfg.dst !== 0 && cfg.prefsrc === cfg.dst)
    ) {
      const t = cfg.table === RT_TABLE.main ? RT_TABLE.local : cfg.table;
      let rc = this.addrType(cfg.prefsrc, t);
      if (rc !== "local" && t !== RT_TABLE.local) rc = this.addrType(cfg.prefsrc, RT_TABLE.local);
      if (rc !== "local") kfail("EINVAL", "Invalid prefsrc address");
    }
    return r;
  }

  /** inet_addr_type_table: the type of the route an address hits in one table, else unicast. */
  addrType(a: Ip4, table: number): RouteType {
    if (a === 0 || a === LIMITED_BROADCAST) return "broadcast";
    if (isMulticast(a)) return "multicast";
    const t = this.tables.get(table) ?? [];
    const r = t.filter((x) => inPrefix(a, x.dst, x.plen)).sort((x, y) => y.plen - x.plen)[0];
    return r?.type ?? "unicast";
  }

  /**
   * RTM_DELROUTE (fib_table_delete): the first alias for the prefix that matches every
   * attribute the request names.
   */
  deleteRoute(m: RouteMatch): Route {
    const t = this.tables.get(m.table === 0 ? RT_TABLE.main : m.table);
    if (!t) kfail("ESRCH", "FIB table does not exist");
    if (m.plen > 32) kfail("EINVAL", "Invalid prefix length");
    if (network(m.dst, m.plen) !== m.dst) kfail("EINVAL", "Invalid prefix for given prefix length");
    const found = t.find(
      (x) =>
        x.dst === m.dst &&
        x.plen === m.plen &&
        (m.type === undefined || x.type === m.type) &&
        (m.scope === undefined || x.scope === m.scope) &&
        (m.prefsrc === undefined || x.prefsrc === m.prefsrc) &&
        (m.proto === undefined || x.proto === m.proto) &&
        // fib_nh_match
        (!m.metric || x.metric === m.metric) &&
        (m.dev === undefined || x.dev === m.dev) &&
        (m.gateway === undefined || x.gateway === m.gateway),
    );
    if (!found) kfail("ESRCH");
    t.splice(t.indexOf(found), 1);
    return found;
  }

  /** Compatibility wrapper: delete from one table by partial match. */
  delete(id: number, match: Partial<Route> & { dst: Ip4; plen: number }): Route {
    return this.deleteRoute({ ...match, table: id });
  }

  /** NETDEV_CHANGE (from linkwatch): the device's nexthops take its current carrier. */
  carrierChanged(dev: NetDevice): void {
    for (const t of this.tables.values()) {
      for (const r of t) if (r.dev === dev) r.linkdownFlag = !dev.carrier();
    }
  }

  removeWhere(pred: (r: Route) => boolean): void {
    for (const [id, t] of this.tables)
      this.tables.set(
        id,
        t.filter((r) => !pred(r)),
      );
  }

  /**
   * fib_lookup. Without custom rules the kernel looks in the merged local+main trie, then
   * the default table (the inline fib_lookup); with them it walks the rules
   * (fib_rules_lookup, fib4_rule_action).
   */
  lookup(flow: FlowKey): FibResult {
    if (!this.customRules) {
      const res = this.mergedLookup(flow) ?? this.tryTableLookup(RT_TABLE.default, flow);
      if (res) return res;
      return kfail("ENETUNREACH");
    }
    for (const rule of this.rules) {
      if (!ruleMatches(rule, flow)) continue;
      // fib4_rule_action: an unreachable rule is ENETUNREACH, unlike an unreachable route.
      if (rule.action === "unreachable") kfail("ENETUNREACH");
      if (rule.action === "prohibit") kfail("EACCES");
      if (rule.action === "blackhole") kfail("EINVAL");
      const res = this.tryTableLookup(rule.table, flow);
      if (res) return res;
    }
    return kfail("ENETUNREACH");
  }

  /** The local and main tables as the one trie they are before custom rules (fib_unmerge). */
  private mergedLookup(flow: FlowKey): FibResult | undefined {
    const local = this.tables.get(RT_TABLE.local) ?? [];
    const main = this.tables.get(RT_TABLE.main) ?? [];
    // One leaf holds both tables' aliases: longest prefix first, local (255) before main.
    const candidates = [...local, ...main]
      .filter((r) => inPrefix(flow.dst, r.dst, r.plen))
      .sort((a, b) => b.plen - a.plen || b.table - a.table);
    const res = this.pick(candidates, flow, RT_TABLE.main);
    return res === "again" ? undefined : res;
  }

  /** fib_table_lookup on one table; undefined for -EAGAIN (no route, or a throw route). */
  tryTableLookup(id: number, flow: FlowKey): FibResult | undefined {
    const t = this.tables.get(id);
    if (!t) return undefined;
    // Longest prefix first; the sort is stable, so metric and position order stay.
    const candidates = t
      .filter((r) => inPrefix(flow.dst, r.dst, r.plen))
      .sort((a, b) => b.plen - a.plen);
    const res = this.pick(candidates, flow, id);
    return res === "again" ? undefined : res;
  }

  /** Kept for callers: fib_table_lookup, throwing the route type's error. */
  tableLookup(id: number, flow: FlowKey): FibResult | undefined {
    return this.tryTableLookup(id, flow);
  }

  /** The first alias that passes (fib_table_lookup's inner loop over one leaf chain). */
  private pick(candidates: Route[], flow: FlowKey, table: number): FibResult | "again" {
    // Already in trie order: longer prefix first, then metric, then position.
    const minScope = SCOPE_VALUE[flow.scope ?? "global"];
    for (const r of candidates) {
      if (SCOPE_VALUE[r.scope] < minScope) continue;
      const err = TYPE_ERROR[r.type];
      if (err === "EAGAIN") return "again";
      if (err) kfail(err);
      const dev = r.dev;
      // fib_lookup_good_nhc: dead nexthops (device down; host-scope ones never die),
      // linkdown ones when the device ignores them, and the wrong output device.
      if (dev && !dev.adminUp && r.scope !== "host") continue;
      if (dev && !flow.ignoreLinkState && routeLinkdown(r) && this.ignoreLinkdown(dev)) continue;
      if (flow.oif && dev && flow.oif !== dev) continue;
      return { route: r, table, type: r.type, dev, gateway: r.gateway ?? flow.dst };
    }
    return "again";
  }

  private ignoreLinkdown(dev: NetDevice): boolean {
    return this.ns.confValue(dev, "ignore_routes_with_linkdown") === 1;
  }

  /** fib_default_rule_pref: one below the second rule's priority. */
  defaultRulePriority(): number {
    const second = this.rules[1];
    if (second && second.priority > 0) return second.priority - 1;
    return 0;
  }

  /** fib_nl_newrule: after every rule of the same or lower priority. */
  addRule(rule: Rule, excl = true): void {
    if (excl && this.rules.some((r) => sameRule(r, rule))) kfail("EEXIST");
    this.customRules = true;
    const i = this.rules.findIndex((r) => r.priority > rule.priority);
    if (i < 0) this.rules.push(rule);
    else this.rules.splice(i, 0, rule);
  }

  /** fib_nl_delrule (rule_find): the first rule matching what the request names. */
  deleteRule(m: Partial<Rule> & { priorityGiven: boolean }): Rule {
    const found = this.rules.find(
      (r) =>
        (m.action === undefined || r.action === m.action) &&
        (!m.table || r.table === m.table) &&
        (!m.priorityGiven || r.priority === m.priority) &&
        (m.iif === undefined || r.iif === m.iif) &&
        (m.oif === undefined || r.oif === m.oif) &&
        prefixCompare(m.from, r.from) &&
        prefixCompare(m.to, r.to),
    );
    if (!found) kfail("ENOENT");
    this.customRules = true;
    this.rules.splice(this.rules.indexOf(found), 1);
    return found;
  }
}

/** The next scope value up, as flowi4_scope = scope + 1 asks for. */
function scopeAbove(s: RouteScope): RouteScope {
  const v = SCOPE_VALUE[s] + 1;
  if (v <= SCOPE_VALUE.link) return "link";
  if (v <= SCOPE_VALUE.host) return "host";
  return "nowhere";
}

/** RTNH_F_LINKDOWN: the nexthop's device has no carrier (host-scope nexthops are never flagged). */
export function routeLinkdown(r: Route): boolean {
  const dev = r.dev;
  if (!dev || r.scope === "host" || TYPE_ERROR[r.type]) return false;
  return dev.adminUp && (r.linkdownFlag ?? !dev.carrier());
}

/** Same type and fib_info (fib_find_info/nh_comp): a duplicate alias. */
function sameInfo(a: Route, b: Route): boolean {
  return (
    a.type === b.type &&
    a.dev === b.dev &&
    a.gateway === b.gateway &&
    a.prefsrc === b.prefsrc &&
    a.scope === b.scope &&
    a.proto === b.proto &&
    a.onlink === b.onlink
  );
}

/** fib4_rule_compare: a prefix given in the request must be the rule's. */
function prefixCompare(req: Rule["from"], have: Rule["from"]): boolean {
  if (!req || req.plen === 0) return true;
  return have !== undefined && have.plen === req.plen && have.addr === req.addr;
}

/** rule_exists: everything but the invert flag (which the kernel does not compare). */
function sameRule(a: Rule, b: Rule): boolean {
  return (
    a.action === b.action &&
    a.table === b.table &&
    a.priority === b.priority &&
    (a.iif ?? "") === (b.iif ?? "") &&
    (a.oif ?? "") === (b.oif ?? "") &&
    prefixCompare(b.from, a.from) &&
    prefixCompare(b.to, a.to)
  );
}

/** fib_rule_match + fib4_rule_match, then FIB_RULE_INVERT. */
function ruleMatches(rule: Rule, flow: FlowKey): boolean {
  const m = ((): boolean => {
    if (rule.iif !== undefined && rule.iif !== (flow.iif?.name ?? "lo")) return false;
    if (rule.oif !== undefined && rule.oif !== flow.oif?.name) return false;
    const src = flow.src ?? 0;
    if (rule.from && ((src ^ rule.from.addr) & maskOf(rule.from.plen)) !== 0) return false;
    if (rule.to && ((flow.dst ^ rule.to.addr) & maskOf(rule.to.plen)) !== 0) return false;
    return true;
  })();
  return rule.not ? !m : m;
}

export function prefixOf(addr: Ip4, plen: number): Ip4 {
  return network(addr, plen);
}
