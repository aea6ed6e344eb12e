// The IPv4 FIB: routing tables, policy rules and lookup, after net/ipv4/fib_trie.c,
// fib_semantics.c and fib_rules.c.
import type { NetDevice } from "../core/device.js";
import { kfail } from "../core/errors.js";
import { inPrefix, network, type Ip4 } from "../core/ip4.js";
import type { NetNs } from "../core/netns.js";

export const RT_TABLE = { default: 253, main: 254, local: 255 } as const;

export type RouteType =
  | "unicast"
  | "local"
  | "broadcast"
  | "unreachable"
  | "prohibit"
  | "blackhole"
  | "multicast"
  | "anycast"
  | "throw";

export type RouteScope = "global" | "link" | "host";

export interface Route {
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
  /** Insertion order, the tie-break after metric (fib_find_alias). */
  seq: number;
}

export interface Rule {
  priority: number;
  from?: { addr: Ip4; plen: number };
  to?: { addr: Ip4; plen: number };
  iif?: string;
  oif?: string;
  not: boolean;
  action: "lookup" | "unreachable" | "prohibit" | "blackhole";
  table: number;
}

export interface FlowKey {
  dst: Ip4;
  src?: Ip4;
  iif?: NetDevice;
  oif?: NetDevice;
  /** Lowest scope acceptable (RT_SCOPE_UNIVERSE for output). */
}

export interface FibResult {
  route: Route;
  table: number;
  type: RouteType;
  dev?: NetDevice;
  /** Next hop: the gateway, or the destination when on-link. */
  gateway?: Ip4;
}

const SCOPE_RANK: Record<RouteScope, number> = { global: 0, link: 253, host: 254 };

export class Fib {
  readonly tables = new Map<number, Route[]>();
  rules: Rule[] = [
    { priority: 0, not: false, action: "lookup", table: RT_TABLE.local },
    { priority: 32766, not: false, action: "lookup", table: RT_TABLE.main },
    { priority: 32767, not: false, action: "lookup", table: RT_TABLE.default },
  ];
  private seq = 0;

  constructor(readonly ns: NetNs) {}

  table(id: number): Route[] {
    let t = this.tables.get(id);
    if (!t) {
      t = [];
      this.tables.set(id, t);
    }
    return t;
  }

  /** All routes of a table in the order the kernel dumps them (trie key, longer prefix, TOS, metric, age). */
  list(id: number): Route[] {
    return [...(this.tables.get(id) ?? [])].sort(routeOrder);
  }

  /**
   * Inserts a route (fib_table_insert). `mode` follows the netlink flags: "create" is
   * CREATE|EXCL (ip route add), "append" is CREATE|APPEND (kernel routes), "replace" is
   * CREATE|REPLACE (ip route replace).
   */
  insert(r: Omit<Route, "seq">, mode: "create" | "append" | "replace"): Route {
    const t = this.table(r.table);
    const same = t.filter((x) => x.dst === r.dst && x.plen === r.plen && x.metric === r.metric);
    const route: Route = { ...r, seq: this.seq++ };
    if (mode === "replace" && same.length > 0) {
      const first = [...same].sort(routeOrder)[0]!;
      route.seq = first.seq;
      t.splice(t.indexOf(first), 1, route);
      return route;
    }
    if (mode === "create" && same.length > 0) kfail("EEXIST");
    if (mode === "append" && same.some((x) => sameRoute(x, route))) kfail("EEXIST");
    t.push(route);
    return route;
  }

  /** fib_table_delete: the first alias that matches every attribute given. */
  delete(id: number, match: Partial<Route> & { dst: Ip4; plen: number }): Route {
    const t = this.tables.get(id) ?? [];
    const found = [...t].sort(routeOrder).find(
      (x) =>
        x.dst === match.dst &&
        x.plen === match.plen &&
        (match.metric === undefined || x.metric === match.metric) &&
        (match.type === undefined || x.type === match.type) &&
        (match.dev === undefined || x.dev === match.dev) &&
        (match.gateway === undefined || x.gateway === match.gateway) &&
        (match.prefsrc === undefined || x.prefsrc === match.prefsrc) &&
        (match.proto === undefined || x.proto === match.proto) &&
        (match.scope === undefined || x.scope === match.scope),
    );
    if (!found) kfail("ESRCH");
    t.splice(t.indexOf(found), 1);
    return found;
  }

  removeWhere(pred: (r: Route) => boolean): void {
    for (const [id, t] of this.tables) this.tables.set(id, t.filter((r) => !pred(r)));
  }

  /** fib_lookup: policy rules in priority order, then each table (fib_table_lookup). */
  lookup(flow: FlowKey): FibResult {
    for (const rule of this.rules) {
      if (!ruleMatches(rule, flow)) continue;
      if (rule.action !== "lookup") {
        return kfail(rule.action === "blackhole" ? "EINVAL" : rule.action === "prohibit" ? "EACCES" : "EHOSTUNREACH");
      }
      const res = this.tableLookup(rule.table, flow);
      if (res) return res;
    }
    return kfail("ENETUNREACH");
  }

  tableLookup(id: number, flow: FlowKey): FibResult | undefined {
    const candidates = (this.tables.get(id) ?? [])
      .filter((r) => inPrefix(flow.dst, r.dst, r.plen))
      .sort(lookupOrder);
    for (const r of candidates) {
      // fib_props[type].error: these route types end the lookup with an error.
      if (r.type === "unreachable") kfail("EHOSTUNREACH");
      if (r.type === "prohibit") kfail("EACCES");
      if (r.type === "blackhole") kfail("EINVAL");
      if (r.type === "throw") return undefined;
      const dev = r.dev;
      if (dev && !dev.adminUp) continue; // RTNH_F_DEAD
      if (dev && this.ignoreLinkdown(dev) && !dev.carrier()) continue;
      if (flow.oif && dev && flow.oif !== dev) continue;
      return { route: r, table: id, type: r.type, dev, gateway: r.gateway ?? flow.dst };
    }
    return undefined;
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

  addRule(rule: Rule): void {
    const i = this.rules.findIndex((r) => r.priority > rule.priority);
    if (i < 0) this.rules.push(rule);
    else this.rules.splice(i, 0, rule);
  }
}

function sameRoute(a: Route, b: Route): boolean {
  return (
    a.type === b.type &&
    a.dev === b.dev &&
    a.gateway === b.gateway &&
    a.prefsrc === b.prefsrc &&
    a.scope === b.scope &&
    a.proto === b.proto
  );
}

function ruleMatches(rule: Rule, flow: FlowKey): boolean {
  let m = true;
  if (rule.from && !(flow.src !== undefined && inPrefix(flow.src, rule.from.addr, rule.from.plen))) {
    m = rule.from.plen === 0;
  }
  if (m && rule.to && !inPrefix(flow.dst, rule.to.addr, rule.to.plen)) m = false;
  if (m && rule.iif !== undefined) m = rule.iif === (flow.iif?.name ?? "lo");
  if (m && rule.oif !== undefined) m = rule.oif === flow.oif?.name;
  return rule.not ? !m : m;
}

function routeOrder(a: Route, b: Route): number {
  return (
    a.dst - b.dst || b.plen - a.plen || a.metric - b.metric || a.seq - b.seq
  );
}

function lookupOrder(a: Route, b: Route): number {
  return b.plen - a.plen || a.metric - b.metric || a.seq - b.seq;
}

export function scopeRank(s: RouteScope): number {
  return SCOPE_RANK[s];
}

export function prefixOf(addr: Ip4, plen: number): Ip4 {
  return network(addr, plen);
}
