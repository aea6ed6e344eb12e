// The machine's side of the host profile (lab-script.md, "The host profile"): the IPv4
// settings a new network namespace starts with, and br_netfilter's bridge-nf-call-*.
// They are read inside a fresh, empty network namespace, because that is exactly what a
// sandbox inherits (the kernel copies conf.all/conf.default from the initial namespace,
// per net.core.devconf_inherit_init_net); only if that cannot start are they read from
// packetwalk's own namespace. Reading changes nothing.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { HostProfile } from "../backend.js";
import { findProgram, SANDBOX_PATH } from "./paths.js";

const CONF_KEYS = [
  "forwarding",
  "rp_filter",
  "arp_ignore",
  "arp_announce",
  "accept_local",
  "route_localnet",
  "log_martians",
  "send_redirects",
  "accept_redirects",
];

export const IPV4_KEYS: readonly string[] = [
  "net.ipv4.ip_forward",
  ...["all", "default"].flatMap((scope) => CONF_KEYS.map((k) => `net.ipv4.conf.${scope}.${k}`)),
];

export const BR_NETFILTER_KEYS: readonly string[] = [
  "net.bridge.bridge-nf-call-iptables",
  "net.bridge.bridge-nf-call-ip6tables",
  "net.bridge.bridge-nf-call-arptables",
];

const toPath = (key: string): string => "/proc/sys/" + key.replaceAll(".", "/");

export interface MachineProfileReading {
  profile: HostProfile;
  /** "new-netns": read in a fresh network namespace; "own-netns": packetwalk's own. */
  source: "new-netns" | "own-netns";
}

/** Reads the values as a new network namespace sees them (see the file comment). */
export function readMachineProfileDetailed(): MachineProfileReading {
  const values = readInFreshNetns();
  if (values) return { profile: toProfile(values), source: "new-netns" };
  const own = new Map<string, string>();
  for (const key of [...IPV4_KEYS, ...BR_NETFILTER_KEYS]) {
    try {
      own.set(key, readFileSync(toPath(key), "utf8").trim());
    } catch {
      // absent (br_netfilter not loaded) or unreadable
    }
  }
  return { profile: toProfile(own), source: "own-netns" };
}

export function readMachineProfile(): HostProfile {
  return readMachineProfileDetailed().profile;
}

function toProfile(values: Map<string, string>): HostProfile {
  const ipv4: Record<string, string> = {};
  for (const key of IPV4_KEYS) {
    const v = values.get(key);
    if (v !== undefined) ipv4[key] = v;
  }
  let brNetfilter: Record<string, string> | null = null;
  for (const key of BR_NETFILTER_KEYS) {
    const v = values.get(key);
    if (v !== undefined) (brNetfilter ??= {})[key] = v;
  }
  return { name: "machine", ipv4, brNetfilter };
}

/**
 * `unshare --net grep -H -s "" FILES...` prints "PATH:VALUE" for each file that exists.
 * No /run/netns, no mount or PID namespace needed: the namespace dies with grep.
 */
function readInFreshNetns(): Map<string, string> | undefined {
  const unshare = findProgram("unshare");
  const grep = findProgram("grep");
  if (!unshare || !grep) return undefined;
  const userns = process.getuid?.() !== 0;
  const keys = [...IPV4_KEYS, ...BR_NETFILTER_KEYS];
  const args = [
    ...(userns ? ["--user", "--map-root-user"] : []),
    "--net",
    "--",
    grep,
    "-H",
    "-s",
    "",
    ...keys.map(toPath),
  ];
  const r = spawnSync(unshare, args, {
    encoding: "utf8",
    timeout: 5000,
    env: { PATH: SANDBOX_PATH, LC_ALL: "C" },
  });
  // grep exits 2 when a file is missing (no br_netfilter), and still prints the rest.
  if (r.error || r.status === null || r.status > 2 || !r.stdout) return undefined;
  const byPath = new Map(keys.map((k) => [toPath(k), k]));
  const values = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const colon = line.indexOf(":");
    const key = byPath.get(line.slice(0, colon));
    if (colon > 0 && key) values.set(key, line.slice(colon + 1).trim());
  }
  return values.size > 0 ? values : undefined;
}
