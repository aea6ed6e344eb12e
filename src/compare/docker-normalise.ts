// What a docker daemon makes random or time-dependent, replaced before the simulator's
// output is compared with a real dockerd's (on top of normaliseText): container, network,
// endpoint and sandbox ids (64 hex digits, or their first 12: names br-<id> and
// /run/docker/netns/<id> too), veth names (veth + 7 hex), the ages `docker ps` prints
// (and the column widths they change), Created timestamps, inspect's Pid, the embedded
// DNS server's ports, and the order of `docker port` (a Go map's iteration order).
import type { CommandResult } from "../backend.js";

type Rule = [RegExp, string];

const AGE =
  "(?:Less than a second|1 second|\\d+ seconds|About a minute|\\d+ minutes|About an hour|\\d+ hours)";

const RULES: Rule[] = [
  [/\b[0-9a-f]{64}\b/g, "<ID>"],
  [/\b(?=[0-9a-f]{12}\b)[0-9]*[a-f][0-9a-f]*\b/g, "<ID12>"],
  [/\bveth[0-9a-f]{7}\b/g, "vethX"],
  [new RegExp(`\\bUp ${AGE}`, "g"), "Up AGE"],
  [new RegExp(`\\b${AGE} ago\\b`, "g"), "AGE ago"],
  [/"(Created|StartedAt|FinishedAt)": "[0-9T:.Z-]+"/g, '"$1": "DATE"'],
  // A running container's process id in `docker inspect`'s JSON (0 when it runs none).
  [/"Pid": [1-9]\d*/g, '"Pid": PID'],
  [/127\.0\.0\.11:\d{4,5}\b/g, "127.0.0.11:PORT"],
  [/--sport \d{4,5} -j SNAT --to-source :53/g, "--sport PORT -j SNAT --to-source :53"],
];

export function normaliseDockerText(s: string): string {
  let out = s;
  for (const [re, rep] of RULES) out = out.replace(re, rep);
  return out;
}

/** `docker ps` and `docker network ls` tables: column widths follow the (normalised) cells. */
function isDockerTable(command: string): boolean {
  return /^docker (ps|network ls)\b/.test(command) && !/--format\s+'?(?!table)/.test(command);
}

/** `docker port C`: one line per binding, in the order of a Go map. */
function isDockerPortList(command: string): boolean {
  return /^docker port \S+$/.test(command.trim());
}

/**
 * `docker network inspect`'s JSON: Containers is a map keyed by container id (printed in
 * the ids' order), so after the ids are normalised its entries are put in name order.
 */
function sortInspectContainers(s: string): string {
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return s;
  }
  if (!Array.isArray(v)) return s;
  for (const n of v as Record<string, unknown>[]) {
    const cs = n.Containers as Record<string, { Name?: string }> | undefined;
    if (cs === undefined || cs === null) continue;
    const entries = Object.values(cs).sort((a, b) => ((a.Name ?? "") < (b.Name ?? "") ? -1 : 1));
    n.Containers = entries;
  }
  return `${JSON.stringify(v, null, 4)}\n`;
}

export function normaliseDockerResult(r: CommandResult, command: string): CommandResult {
  // Containers is sorted by name while its keys (the ids) still differ.
  const raw = /^docker network inspect (?!.*(-f|--format))/.test(command)
    ? sortInspectContainers(r.stdout)
    : r.stdout;
  let stdout = normaliseDockerText(raw);
  if (isDockerTable(command)) stdout = stdout.replace(/ {2,}/g, "  ").replace(/ +$/gm, "");
  // A container's PID is the sandbox's (the kernel's) own numbering; 0 (not running) stays.
  if (/^docker (container )?inspect .*\.State\.Pid\b/.test(command))
    stdout = stdout.replace(/\b[1-9]\d*\b/g, "PID");
  if (isDockerPortList(command)) stdout = stdout.split("\n").filter(Boolean).sort().join("\n");
  return { exit: r.exit, stdout, stderr: normaliseDockerText(r.stderr) };
}
