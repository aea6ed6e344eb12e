// Normalisation before comparing the simulator with the kernel (lab-script.md): only what
// the kernel makes random or time-dependent is replaced; everything else must be equal.
import type { CommandResult } from "../backend.js";

type Rule = [RegExp, string];

const MAC = /\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/g;
const KEEP_MACS = new Set(["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"]);

/** Bridge and STP identifiers, which carry a MAC; applied before MACs are replaced. */
const ID_RULES: Rule[] = [
  [/(bridge_id|designated_root|root_id|designated_bridge) [0-9a-f]{1,4}\.[0-9a-f:]+/g, "$1 ID"],
  [/"(bridge_id|designated_root|root_id|designated_bridge)":"[0-9a-f.:]+"/g, '"$1":"ID"'],
];

/** Text rules, applied in order. */
const RULES: Rule[] = [
  // Interface indexes: "3: veth0@if2:", "@if7", link-netnsid, JSON ifindex/link_index.
  [/^(\s*)\d+: /gm, "$1N: "],
  [/@if\d+/g, "@ifN"],
  [/link-netnsid \d+/g, "link-netnsid N"],
  [/"(ifindex|link_index|link_netnsid)":\d+/g, '"$1":N'],
  [/\(id: \d+\)/g, "(id: N)"],
  // IPv6 link-local addresses derived from MACs.
  [/fe80::[0-9a-f:]+/g, "fe80::LL"],
  // DAD finishes on the kernel's timer (1-2 s after carrier), a race with the next command.
  [/ tentative/g, ""],
  [/,"tentative":true/g, ""],
  // ping: round-trip times, the rtt summary, the run's duration.
  [/time=\d+(?:\.\d+)? ms/g, "time=RTT ms"],
  [/^rtt min\/avg\/max\/mdev = .*$/gm, "rtt min/avg/max/mdev = RTT"],
  [/(packet loss, time )\d+ms/g, "$1Tms"],
  // Bridge timers printed by `ip -d link` (text and JSON).
  [/((?:hello|tcn|topology_change|gc|message_age|forward_delay|hold)_timer)\s+\d+\.\d+/g, "$1 T"],
  [/"((?:hello|tcn|topology_change|gc|message_age|forward_delay|hold)_timer)":[\d.]+/g, '"$1":T'],
  // iptables-save's date header; conntrack timeouts.
  [/^(# (?:Generated|Completed) .* on ).*$/gm, "$1DATE"],
];

export function normaliseText(s: string): string {
  let out = s;
  // Bridge IDs first: they embed a MAC in their own short form ("8000.2:0:0:0:1:1").
  for (const [re, rep] of ID_RULES) out = out.replace(re, rep);
  out = out.replace(MAC, (m) => (KEEP_MACS.has(m) || isMulticast(m) ? m : "MAC"));
  for (const [re, rep] of RULES) out = out.replace(re, rep);
  return out;
}

function isMulticast(m: string): boolean {
  return (parseInt(m.slice(0, 2), 16) & 1) === 1;
}

/**
 * `ip neigh` dumps the neighbour hash table, whose order depends on a random hash seed and
 * kernel pointers (arp_hashfn): the lines are compared as a set.
 */
export function isNeighDump(command: string): boolean {
  const w = command.trim().split(/\s+/);
  let i = w.lastIndexOf("ip");
  if (i < 0) return false;
  for (i++; i < w.length && w[i]!.startsWith("-"); i++) {
    if (/^-{1,2}(n|ne|net|netn|netns)$/.test(w[i]!)) i++;
  }
  const obj = w[i];
  if (obj === undefined || (!"neighbour".startsWith(obj) && !"neighbor".startsWith(obj)))
    return false;
  const verb = w[i + 1];
  return verb === undefined || "show".startsWith(verb) || "list".startsWith(verb) || verb === "dev";
}

function sortLines(s: string): string {
  if (s.startsWith("[")) {
    try {
      const arr = JSON.parse(s) as unknown[];
      return (
        JSON.stringify(
          arr
            .map((x) => JSON.stringify(x))
            .sort()
            .map((x) => JSON.parse(x) as unknown),
        ) + "\n"
      );
    } catch {
      return s;
    }
  }
  const lines = s.split("\n");
  const last = lines.pop();
  return [...lines.sort(), last].join("\n");
}

export function normaliseResult(r: CommandResult, command?: string): CommandResult {
  let stdout = normaliseText(r.stdout);
  if (command !== undefined && isNeighDump(command)) stdout = sortLines(stdout);
  return { exit: r.exit, stdout, stderr: normaliseText(r.stderr) };
}

export function sameResult(a: CommandResult, b: CommandResult, command?: string): boolean {
  const x = normaliseResult(a, command);
  const y = normaliseResult(b, command);
  return x.exit === y.exit && x.stdout === y.stdout && x.stderr === y.stderr;
}
