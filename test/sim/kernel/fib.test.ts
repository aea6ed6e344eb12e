// The simulated FIB against what kernel 6.18 does (fib_trie.c, fib_semantics.c,
// fib_rules.c), as observed in throwaway namespaces with iproute2 6.1.
import { describe, expect, it } from "vitest";
import { KernelError } from "../../../src/sim/kernel/core/errors.js";
import { parseIp4 } from "../../../src/sim/kernel/core/ip4.js";
import { RT_TABLE, type Fib, type RouteConfig } from "../../../src/sim/kernel/ipv4/fib.js";
import { Lab } from "../userland/ip-helpers.js";

const ip = (s: string): number => parseIp4(s)!;

/** veth0 (172.18.0.11/16, up, with carrier) and veth2 (192.168.5.1/24, up). */
function world(): { l: Lab; fib: Fib } {
  const l = new Lab();
  l.setup(
    "ip link set lo up",
    "ip link add veth0 type veth peer name veth1",
    "ip link add veth2 type veth peer name veth3",
    "ip addr add 172.18.0.11/16 dev veth0",
    "ip addr add 192.168.5.1/24 dev veth2",
    "ip link set veth0 up",
    "ip link set veth1 up",
    "ip link set veth2 up",
    "ip link set veth3 up",
  );
  return { l, fib: l.b.world.root.fib };
}

/** What `ip route add DST/PLEN ...` sends: proto boot, universe scope unless said. */
function cfg(dst: string, plen: number, over: Partial<RouteConfig> = {}): RouteConfig {
  return {
    table: RT_TABLE.main,
    type: "unicast",
    metric: 0,
    proto: "boot",
    scope: "global",
    onlink: false,
    ...over,
    dst: ip(dst),
    plen,
  };
}

function err(fn: () => unknown): { errno: string; extack?: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelError) return { errno: e.errno, extack: e.extack };
    throw e;
  }
  throw new Error("no error");
}

function gateways(fib: Fib, dst: string): (string | undefined)[] {
  return fib
    .list(RT_TABLE.main)
    .filter((r) => r.dst === ip(dst))
    .map((r) =>
      r.gateway === undefined
        ? undefined
        : `${r.gateway >>> 24}.${(r.gateway >>> 16) & 255}.${(r.gateway >>> 8) & 255}.${r.gateway & 255}`,
    );
}

describe("fib_table_insert: netlink flags and alias order", () => {
  it("append goes after equal routes, prepend before, replace swaps the first in place", () => {
    const { fib } = world();
    const gw = (g: string) => cfg("10.0.0.0", 8, { gateway: ip(g) });
    fib.addRoute(gw("172.18.0.1"), "create");
    fib.addRoute(gw("192.168.5.2"), "append");
    fib.addRoute(gw("192.168.5.3"), "prepend");
    expect(gateways(fib, "10.0.0.0")).toEqual(["192.168.5.3", "172.18.0.1", "192.168.5.2"]);
    // An identical alias is a duplicate even for append.
    expect(err(() => fib.addRoute(gw("192.168.5.2"), "append"))).toEqual({
      errno: "EEXIST",
      extack: undefined,
    });
    fib.addRoute(gw("192.168.5.4"), "replace");
    expect(gateways(fib, "10.0.0.0")).toEqual(["192.168.5.4", "172.18.0.1", "192.168.5.2"]);
    // change (NLM_F_REPLACE without CREATE) needs an existing route.
    expect(
      err(() => fib.addRoute(cfg("10.1.0.0", 16, { gateway: ip("192.168.5.5") }), "change")).errno,
    ).toBe("ENOENT");
    // add (CREATE|EXCL): same prefix and metric exists, whatever the nexthop.
    expect(err(() => fib.addRoute(gw("192.168.5.9"), "create")).errno).toBe("EEXIST");
  });

  it("dumps by key, longer prefixes first, then metric", () => {
    const { fib } = world();
    fib.addRoute(cfg("203.0.113.0", 24, { gateway: ip("172.18.0.2"), metric: 10 }), "create");
    fib.addRoute(cfg("203.0.113.0", 25, { gateway: ip("172.18.0.3"), metric: 900 }), "create");
    fib.addRoute(cfg("203.0.113.0", 24, { gateway: ip("172.18.0.4"), metric: 5 }), "create");
    fib.addRoute(cfg("0.0.0.0", 0, { gateway: ip("172.18.0.1") }), "create");
    const order = fib.list(RT_TABLE.main).map((r) => `${r.dst >>> 24}/${r.plen}/${r.metric}`);
    expect(order).toEqual(["0/0/0", "172/16/0", "192/24/0", "203/25/900", "203/24/5", "203/24/10"]);
  });

  it("fib_table_delete: the first alias matching what is named; metric 0 means any", () => {
    const { fib } = world();
    fib.addRoute(cfg("10.1.0.0", 16, { gateway: ip("192.168.5.5") }), "create");
    fib.addRoute(cfg("10.1.0.0", 16, { gateway: ip("192.168.5.7"), metric: 5 }), "create");
    expect(
      err(() =>
        fib.deleteRoute({ table: RT_TABLE.main, dst: ip("10.1.0.0"), plen: 16, metric: 99 }),
      ).errno,
    ).toBe("ESRCH");
    expect(
      err(() =>
        fib.deleteRoute({ table: RT_TABLE.main, dst: ip("10.1.0.0"), plen: 16, proto: "kernel" }),
      ).errno,
    ).toBe("ESRCH");
    expect(err(() => fib.deleteRoute({ table: 103, dst: ip("10.1.0.0"), plen: 16 }))).toEqual({
      errno: "ESRCH",
      extack: "FIB table does not exist",
    });
    fib.deleteRoute({ table: RT_TABLE.main, dst: ip("10.1.0.0"), plen: 16, metric: 5 });
    expect(gateways(fib, "10.1.0.0")).toEqual(["192.168.5.5"]);
    fib.deleteRoute({ table: RT_TABLE.main, dst: ip("10.1.0.0"), plen: 16 });
    expect(gateways(fib, "10.1.0.0")).toEqual([]);
  });
});

describe("fib_create_info: what the kernel refuses", () => {
  it("gives the kernel's extack messages", () => {
    const { l, fib } = world();
    const veth0 = l.dev("veth0");
    const veth1 = l.dev("veth1");
    const add = (over: Partial<RouteConfig>) =>
      err(() => fib.addRoute(cfg("10.0.0.0", 8, { ...over }), "create"));
    expect(add({ gateway: ip("192.0.2.1") }).extack).toBe("Nexthop has invalid gateway");
    // Restricted to the device named: the gateway's subnet is on veth2.
    expect(add({ gateway: ip("192.168.5.9"), dev: veth0 }).extack).toBe(
      "Nexthop has invalid gateway",
    );
    expect(add({})).toEqual({ errno: "ENODEV", extack: undefined });
    expect(add({ gateway: ip("172.18.0.1"), onlink: true }).extack).toBe(
      "Nexthop device required for onlink",
    );
    expect(add({ gateway: ip("172.18.0.11"), dev: veth0, onlink: true }).extack).toBe(
      "Nexthop has invalid gateway",
    );
    expect(add({ gateway: ip("172.18.255.255"), dev: veth0, onlink: true }).extack).toBe(
      "Nexthop has invalid gateway",
    );
    expect(add({ dev: veth0, onlink: true }).extack).toBe(
      "Invalid flags for nexthop - PERVASIVE and ONLINK can not be set",
    );
    expect(add({ gateway: ip("172.18.0.1"), scope: "link" }).extack).toBe(
      "Nexthop has invalid gateway",
    );
    expect(add({ gateway: ip("172.18.0.1"), scope: "host" }).extack).toBe(
      "Route with host scope can not have a gateway",
    );
    expect(add({ type: "blackhole", dev: veth0 }).extack).toBe(
      "Gateway, device and multipath can not be specified for this route type",
    );
    expect(add({ type: "local", table: RT_TABLE.local, dev: veth0, scope: "link" }).extack).toBe(
      "Invalid scope",
    );
    expect(add({ dev: veth0, prefsrc: ip("1.2.3.4") }).extack).toBe("Invalid prefsrc address");
    expect(err(() => fib.addRoute(cfg("10.0.0.1", 8, { dev: veth0 }), "create")).extack).toBe(
      "Invalid prefix for given prefix length",
    );
    l.setup("ip link set veth1 down");
    expect(add({ gateway: ip("172.18.0.1"), dev: veth1, onlink: true }).extack).toBe(
      "Nexthop device is not up",
    );
    expect(add({ dev: veth1 }).extack).toBe("Device for nexthop is not up");
  });

  it("accepts a gateway that is one of our addresses, and onlink gateways anywhere", () => {
    const { l, fib } = world();
    const r = fib.addRoute(cfg("10.0.0.0", 8, { gateway: ip("172.18.0.11") }), "create");
    expect(r.dev?.name).toBe("veth0");
    const o = fib.addRoute(
      cfg("10.6.0.0", 16, { gateway: ip("9.9.9.9"), dev: l.dev("veth0"), onlink: true }),
      "create",
    );
    expect(o.onlink).toBe(true);
  });

  it("creates the table before checking the route, but not for a bad prefix", () => {
    const { l, fib } = world();
    err(() => fib.addRoute(cfg("10.7.0.0", 16, { gateway: ip("1.1.1.1"), table: 102 }), "create"));
    expect(fib.hasTable(102)).toBe(true);
    err(() => fib.addRoute(cfg("10.7.0.1", 16, { dev: l.dev("veth0"), table: 101 }), "create"));
    expect(fib.hasTable(101)).toBe(false);
  });
});

describe("fib_lookup", () => {
  it("longest prefix, then metric; host-scope local routes survive their device going down", () => {
    const { l, fib } = world();
    fib.addRoute(cfg("198.51.100.0", 24, { gateway: ip("172.18.0.6"), metric: 200 }), "create");
    fib.addRoute(cfg("198.51.100.0", 24, { gateway: ip("172.18.0.7"), metric: 100 }), "create");
    expect(fib.lookup({ dst: ip("198.51.100.9") }).gateway).toBe(ip("172.18.0.7"));
    l.setup("ip link set veth2 down");
    expect(fib.lookup({ dst: ip("192.168.5.1") }).type).toBe("local");
    expect(err(() => fib.lookup({ dst: ip("192.168.5.5") })).errno).toBe("ENETUNREACH");
  });

  it("route types end the lookup with their errors; rule actions with theirs", () => {
    const { fib } = world();
    fib.addRoute(cfg("10.3.0.0", 16, { type: "unreachable" }), "create");
    fib.addRoute(cfg("10.4.0.0", 16, { type: "prohibit" }), "create");
    fib.addRoute(cfg("10.5.0.0", 16, { type: "blackhole" }), "create");
    expect(err(() => fib.lookup({ dst: ip("10.3.0.1") })).errno).toBe("EHOSTUNREACH");
    expect(err(() => fib.lookup({ dst: ip("10.4.0.1") })).errno).toBe("EACCES");
    expect(err(() => fib.lookup({ dst: ip("10.5.0.1") })).errno).toBe("EINVAL");
    // An unreachable *rule* is ENETUNREACH (fib4_rule_action), not EHOSTUNREACH.
    fib.addRule({
      priority: 100,
      to: { addr: ip("8.8.8.8"), plen: 32 },
      not: false,
      action: "unreachable",
      table: 0,
      proto: "unspec",
    });
    expect(err(() => fib.lookup({ dst: ip("8.8.8.8") })).errno).toBe("ENETUNREACH");
  });

  it("reports the main table for local routes until the first custom rule unmerges the tries", () => {
    const { fib } = world();
    expect(fib.lookup({ dst: ip("172.18.0.11") }).table).toBe(RT_TABLE.main);
    fib.addRule({
      priority: 5,
      from: { addr: ip("1.2.3.4"), plen: 32 },
      not: false,
      action: "lookup",
      table: 100,
      proto: "unspec",
    });
    fib.deleteRule({ priority: 5, priorityGiven: true });
    expect(fib.customRules).toBe(true);
    expect(fib.lookup({ dst: ip("172.18.0.11") }).table).toBe(RT_TABLE.local);
  });
});

describe("fib rules", () => {
  it("fib_default_rule_pref: one below the second rule", () => {
    const { fib } = world();
    expect(fib.defaultRulePriority()).toBe(32765);
    fib.rules = fib.rules.slice(0, 1);
    expect(fib.defaultRulePriority()).toBe(0);
  });

  it("rule_exists ignores the invert flag, and a rule without `from` matches any source", () => {
    const { fib } = world();
    const base = { not: false, action: "lookup" as const, table: 5, proto: "unspec" };
    fib.addRule({ ...base, priority: 100, from: { addr: ip("1.2.3.7"), plen: 32 } });
    expect(
      err(() =>
        fib.addRule({ ...base, priority: 100, not: true, from: { addr: ip("1.2.3.7"), plen: 32 } }),
      ).errno,
    ).toBe("EEXIST");
    expect(err(() => fib.addRule({ ...base, priority: 100 })).errno).toBe("EEXIST");
    fib.addRule({ ...base, priority: 100, to: { addr: ip("1.2.3.0"), plen: 24 } });
    expect(fib.rules.map((r) => r.priority)).toEqual([0, 100, 100, 32766, 32767]);
    expect(
      err(() => fib.deleteRule({ priorityGiven: false, from: { addr: ip("1.2.3.0"), plen: 25 } }))
        .errno,
    ).toBe("ENOENT");
  });
});

describe("table dump order", () => {
  it("walks the hash buckets (id & 255), newest table first in a bucket", () => {
    const { l, fib } = world();
    const veth0 = l.dev("veth0");
    for (const t of [100, 1000, RT_TABLE.default, 4294967295]) {
      fib.addRoute(cfg("10.8.0.0", 16, { dev: veth0, scope: "link", table: t }), "create");
    }
    expect(fib.dumpOrder()).toEqual([
      100,
      1000,
      RT_TABLE.default,
      RT_TABLE.main,
      4294967295,
      RT_TABLE.local,
    ]);
  });
});
