// Which devices IPv4 packets left a namespace by, while a trace ran: a walk that traces
// only some namespaces (src/walk/trace-scope.ts) holds these against the world's veth
// pairs to tell when the kernel's packets went into a namespace it did not trace.
//
// In each watched namespace packetwalk loads two tables of its own (the learner's are not
// touched), each adding the output device of every IPv4 packet to a set: `ip` at
// postrouting (routed and local packets), `bridge` at forward and output (frames a bridge
// hands to a port, which the ip family never sees per port). Multicast is left out, as in
// the trace (a bridge's IGMP reports). The tables go when the watch is collected.
import type { Sandbox } from "./sandbox.js";

export const EGRESS_TABLE = "packetwalk_egress";

/** A device IPv4 packets left a namespace by. */
export interface Egress {
  /** "" for the sandbox's own namespace. */
  ns: string;
  dev: string;
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

/** The elements of `set seen` in `nft list set` output: `elements = { "eth0", "v1" }`. */
export function parseSetElements(text: string): string[] {
  const m = /elements\s*=\s*\{([^}]*)\}/s.exec(text);
  if (!m) return [];
  return m[1]!
    .split(",")
    .map((e) => e.trim().replace(/^"|"$/g, ""))
    .filter((e) => e !== "");
}

const label = (ns: string): string => (ns === "" ? "the sandbox's namespace" : `namespace ${ns}`);

/** Starts watching in each namespace ("" for the sandbox's own); resolves once in place. */
export async function startEgressWatch(
  sandbox: Sandbox,
  namespaces: readonly string[],
): Promise<EgressWatch> {
  const inNs = (ns: string, argv: string[]): string[] =>
    ns === "" ? argv : ["ip", "netns", "exec", ns, ...argv];
  const nft = (ns: string, args: string[], stdin?: string) =>
    sandbox.exec({
      argv: inNs(ns, ["nft", ...args]),
      background: false,
      ...(stdin !== undefined ? { stdin } : {}),
    });
  const started = await Promise.all(
    namespaces.map(async (ns) => ({ ns, r: await nft(ns, ["-f", "-"], egressTableScript()) })),
  );
  const warnings = started
    .filter((s) => s.r.exit !== 0)
    .map((s) => `cannot watch where packets left ${label(s.ns)}: ${s.r.stderr.trim()}`);
  const watched = started.filter((s) => s.r.exit === 0).map((s) => s.ns);
  return {
    async collect() {
      const read = await Promise.all(
        watched.map(async (ns) => {
          // One nft for both sets and both deletions: a process per namespace, not four.
          const r = await nft(
            ns,
            ["-f", "-"],
            `list set ip ${EGRESS_TABLE} seen\nlist set bridge ${EGRESS_TABLE} seen\n` +
              `delete table ip ${EGRESS_TABLE}\ndelete table bridge ${EGRESS_TABLE}\n`,
          );
          return { ns, r };
        }),
      );
      const egress: Egress[] = [];
      for (const { ns, r } of read) {
        if (r.exit !== 0) {
          warnings.push(`cannot read where packets left ${label(ns)}: ${r.stderr.trim()}`);
          continue;
        }
        // Two listings, one after the other: each has its own elements line.
        const devs = new Set(
          r.stdout.split(/(?=\bset seen\b)/).flatMap((part) => parseSetElements(part)),
        );
        for (const dev of [...devs].sort()) egress.push({ ns, dev });
      }
      return { egress, warnings };
    },
  };
}
