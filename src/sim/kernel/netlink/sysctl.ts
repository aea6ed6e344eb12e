// The /proc/sys/net tree of one namespace, as files: read a value, write a value, with
// the side effects the kernel's handlers have (devinet_sysctl_forward).
import type { NetNs } from "../core/netns.js";
import { INT_RANGES } from "../core/sysctl.js";
import { setIpv6Disabled } from "../ipv4/devinet.js";
import { NeighParms } from "../ipv4/neigh-parms.js";
import { procInts } from "./proc-int.js";

export type SysctlRead = { ok: true; value: string } | { ok: false; error: string };
export type SysctlWrite = { ok: true } | { ok: false; error: string };

const NOENT = "No such file or directory";

type Slot = { get(): string; set(v: string): void };

function slot(ns: NetNs, key: string): Slot | undefined {
  const v6 = ipv6Disable(ns, key);
  if (v6) return v6;
  if (
    ns.sysctl.has(key) &&
    (key.startsWith("net.ipv4.") || key.startsWith("net.bridge.") || key.startsWith("net.ipv6."))
  ) {
    if (key === "net.ipv4.ip_forward") {
      return { get: () => ns.sysctl.get(key)!, set: (v) => setForwarding(ns, v) };
    }
    return { get: () => ns.sysctl.get(key)!, set: (v) => void ns.sysctl.set(key, v) };
  }
  const conf = /^net\.ipv4\.conf\.([^.]+)\.([a-z_]+)$/.exec(key);
  if (conf) {
    const [, where, name] = conf as unknown as [string, string, string];
    const map =
      where === "all" ? ns.confAll : where === "default" ? ns.confDefault : ns.byName(where)?.conf;
    if (!map || !map.has(name)) return undefined;
    return {
      get: () => map.get(name)!,
      set: (v) => {
        if (name === "forwarding" && where === "all") setForwarding(ns, v);
        else map.set(name, v);
      },
    };
  }
  const neigh = neighFile(ns, key);
  if (neigh) {
    const { parms, file } = neigh;
    return { get: () => parms.read(file), set: (v) => void parms.write(file, Number(v)) };
  }
  return undefined;
}

/**
 * net.ipv6.conf.{all,default,DEV}.disable_ipv6 (addrconf_sysctl_disable): writing `all`
 * sets `default` and every device too (addrconf_disable_change); a device's own takes
 * effect at once (its IPv6 addresses and routes go, or come back if it is up).
 */
function ipv6Disable(ns: NetNs, key: string): Slot | undefined {
  const m = /^net\.ipv6\.conf\.([^.]+)\.disable_ipv6$/.exec(key);
  if (!m) return undefined;
  const where = m[1]!;
  const on = (v: string): boolean => v !== "0";
  if (where === "all")
    return {
      get: () => (ns.ipv6DisabledAll ? "1" : "0"),
      set: (v) => {
        ns.ipv6DisabledAll = ns.ipv6DisabledDefault = on(v);
        for (const d of ns.devices.values()) setIpv6Disabled(d, on(v));
      },
    };
  if (where === "default")
    return {
      get: () => (ns.ipv6DisabledDefault ? "1" : "0"),
      set: (v) => void (ns.ipv6DisabledDefault = on(v)),
    };
  const dev = ns.byName(where);
  if (!dev) return undefined;
  return { get: () => (dev.ipv6Disabled ? "1" : "0"), set: (v) => setIpv6Disabled(dev, on(v)) };
}

/**
 * net.ipv4.neigh.DEV.FILE of a device in this namespace. There is no "default" directory:
 * it belongs to the machine's initial namespace only (neigh-parms.ts).
 */
function neighFile(ns: NetNs, key: string): { parms: NeighParms; file: string } | undefined {
  const m = /^net\.ipv4\.neigh\.([^.]+)\.([a-z_]+)$/.exec(key);
  if (!m || !NeighParms.has(m[2]!)) return undefined;
  const dev = ns.byName(m[1]!);
  return dev ? { parms: ns.neigh.parms(dev), file: m[2]! } : undefined;
}

/** inet_forward_change: ip_forward and conf/all/forwarding set every device's forwarding. */
function setForwarding(ns: NetNs, v: string): void {
  ns.sysctl.set("net.ipv4.ip_forward", v);
  ns.confAll.set("forwarding", v);
  ns.confDefault.set("forwarding", v);
  for (const d of ns.devices.values()) d.conf.set("forwarding", v);
}

/** Normalises "net/ipv4/ip_forward" and "net.ipv4.ip_forward" to the dotted key. */
export function sysctlKey(name: string): string {
  return name.replaceAll("/", ".");
}

export function readSysctl(ns: NetNs, key: string): SysctlRead {
  const s = slot(ns, sysctlKey(key));
  return s ? { ok: true, value: s.get() } : { ok: false, error: NOENT };
}

export function writeSysctl(ns: NetNs, key: string, raw: string): SysctlWrite {
  const s = slot(ns, sysctlKey(key));
  if (!s) return { ok: false, error: NOENT };
  if (sysctlKey(key) === "net.ipv4.ip_local_port_range") return writePortRange(ns, s, raw);
  const neigh = neighFile(ns, sysctlKey(key));
  if (neigh) {
    const n = procInts(raw, 1)?.[0];
    return n === undefined
      ? { ok: false, error: "Invalid argument" }
      : neigh.parms.write(neigh.file, n);
  }
  if (sysctlKey(key) === "net.ipv4.ping_group_range") return writeGroupRange(s, raw);
  // proc_dointvec: one int (0x10 and 010 too); what follows it after a space is ignored.
  const v = procInts(raw, 1)?.[0];
  if (v === undefined) return { ok: false, error: "Invalid argument" };
  const range = INT_RANGES[sysctlKey(key)];
  if (range && (v < range[0] || v > range[1])) return { ok: false, error: "Invalid argument" };
  s.set(String(v));
  return { ok: true };
}

/**
 * ipv4_ping_group_range: one or two gids (one sets only the low end), each up to
 * GID_T_MAX - 1; a range out of order becomes "1 0", no group.
 */
function writeGroupRange(s: Slot, raw: string): SysctlWrite {
  const v = procInts(raw, 2, 0n, 4294967294n);
  if (v === undefined) return { ok: false, error: "Invalid argument" };
  const lo = v[0]!;
  const hi = v[1] ?? Number(s.get().split(/\s+/)[1]);
  s.set(hi < lo ? "1\t0" : `${lo}\t${hi}`);
  return { ok: true };
}

/**
 * ipv4_local_port_range: one or two integers (one sets only the low end); the range
 * must lie within [ip_unprivileged_port_start, 65535] and be in order.
 */
function writePortRange(ns: NetNs, s: Slot, raw: string): SysctlWrite {
  const parts = procInts(raw, 2);
  if (parts === undefined) return { ok: false, error: "Invalid argument" };
  const lo = parts[0]!;
  const hi = parts[1] ?? Number(s.get().split(/\s+/)[1]);
  const min = Number(ns.sysctl.get("net.ipv4.ip_unprivileged_port_start") ?? "1024");
  if (lo < 1 || hi > 65535 || hi < lo || lo < min) return { ok: false, error: "Invalid argument" };
  s.set(`${lo}\t${hi}`);
  return { ok: true };
}

export function sysctlExists(ns: NetNs, key: string): boolean {
  return slot(ns, sysctlKey(key)) !== undefined;
}
