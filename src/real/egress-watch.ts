// Which devices IPv4 packets left a namespace by, while a trace ran: a walk that traces
// only some namespaces (src/walk/trace-scope.ts) holds these against the world's veth
// pairs to tell when the kernel's packets went into a namespace it did not trace.
//
// In each watched namespace packetwalk loads two tables of its own (the learner's are not
// touched), each adding the output device of every IPv4 packet to a set: `ip` at
// postrouting (routed and local packets), `bridge` at forward and output (frames a bridge
// hands to a port, which the ip family never sees per port). Multicast is left out, as in
// the trace (a bridge's IGMP reports). The tables go when the watch is collected.
import type { NsFile } from "./nf-trace.js";
import type { Sandbox } from "./sandbox.js";
import { EGRESS_TABLE } from "./xtables-trace.js";

export { EGRESS_TABLE };

/** A device IPv4 packets left a namespace by. */
export interface Egress {
  /** "" for the sandbox's own namespace; a container's as its NsFile names it. */
  ns: string;
  dev: string;
}

/** argv run in a namespace: by name (`ip netns exec`), or by file (a container's, nsenter). */
export function inNamespace(ns: string, argv: string[], file?: string): string[] {
  if (file !== undefined) return ["nsenter", `--net=${file}`, "--", ...argv];
  return ns === "" ? argv : ["ip", "netns", "exec", ns, ...argv];
}

export interface EgressWatch {
  /** The devices seen since start, and what went wrong (a namespace left unwatched). */
  collect(): Promise<{ egress: Egress[]; warnings: string[] }>;
}

const SET = `  set seen { type ifname; flags dynamic; size 4096; }\n`;

/** The nft script that (re)creates both tables; a crashed run's are replaced. */
export function egressTableScript(): string {
  const chain = (name: string, hook: string, match: string): string =>
    `  chain ${name} {\n    type filter hook ${hook} priority 500; policy accept;\n` +
    `    ${match} add @seen { oifname }\n  }\n`;
  return [
    `table ip ${EGRESS_TABLE}\ndelete table ip ${EGRESS_TABLE}\n`,
    `table bridge ${EGRESS_TABLE}\ndelete table bridge ${EGRESS_TABLE}\n`,
    `table ip ${EGRESS_TABLE} {\n${SET}${chain("routed", "postrouting", "ip daddr != 224.0.0.0/4")}}\n`,
    `table bridge ${EGRESS_TABLE} {\n${SET}` +
      chain("bridged", "forward", "ip daddr != 224.0.0.0/4") +
      chain("local", "output", "ip daddr != 224.0.0.0/4") +
      "}\n",
  ].join("");
}

/** The devices in packetwalk's sets, from `nft -j list sets` (every family's sets). */
export function parseSeenSets(json: string): string[] {
  const parsed = JSON.parse(json) as {
    nftables?: { set?: { table?: string; elem?: unknown[] } }[];
  };
  const devs = (parsed.nftables ?? []).flatMap((o) =>
    o.set?.table === EGRESS_TABLE ? (o.set.elem ?? []) : [],
  );
  return [...new Set(devs.filter((d): d is string => typeof d === "string"))].sort();
}

const label = (ns: string): string =>
  ns === "" ? "the sandbox's namespace" : ns.endsWith(")") ? ns : `namespace ${ns}`;

/**
 * Starts watching in each namespace ("" for the sandbox's own) and in `files` (containers'
 * namespaces, by the name traces give them); resolves once in place.
 */
export async function startEgressWatch(
  sandbox: Sandbox,
  namespaces: readonly string[],
  files: readonly NsFile[] = [],
): Promise<EgressWatch> {
  const paths = new Map(files.map((f) => [f.name, f.path]));
  const nft = (ns: string, args: string[], stdin?: string) =>
    sandbox.exec({
      argv: inNamespace(ns, ["nft", ...args], paths.get(ns)),
      background: false,
      ...(stdin !== undefined ? { stdin } : {}),
    });
  const all = [...namespaces, ...files.map((f) => f.name).filter((n) => !namespaces.includes(n))];
  const started = await Promise.all(
    all.map(async (ns) => ({ ns, r: await nft(ns, ["-f", "-"], egressTableScript()) })),
  );
  const warnings = started
    .filter((s) => s.r.exit !== 0)
    .map((s) => `cannot watch where packets left ${label(s.ns)}: ${s.r.stderr.trim()}`);
  const watched = started.filter((s) => s.r.exit === 0).map((s) => s.ns);
  return {
    async collect() {
      // nft -f cannot list a set it is also given to delete (it looks the table up before
      // the batch runs): a listing, then the deletion.
      const read = await Promise.all(
        watched.map(async (ns) => {
          const listed = await nft(ns, ["-j", "list", "sets"]);
          const dropped = await nft(
            ns,
            ["-f", "-"],
            `delete table ip ${EGRESS_TABLE}\ndelete table bridge ${EGRESS_TABLE}\n`,
          );
          return { ns, listed, dropped };
        }),
      );
      const egress: Egress[] = [];
      for (const { ns, listed, dropped } of read) {
        if (dropped.exit !== 0) {
          warnings.push(
            `cannot remove the egress watch from ${label(ns)}: ${dropped.stderr.trim()}`,
          );
        }
        let devs: string[] | undefined;
        try {
          devs = listed.exit === 0 ? parseSeenSets(listed.stdout) : undefined;
        } catch {
          devs = undefined;
        }
        if (devs === undefined) {
          warnings.push(
            `cannot read where packets left ${label(ns)}: ${listed.stderr.trim() || "unreadable listing"}`,
          );
          continue;
        }
        for (const dev of devs) egress.push({ ns, dev });
      }
      return { egress, warnings };
    },
  };
}
