// The three pictures of a walk: its sequence of frames, the topology with the packets'
// path drawn on it, and the netfilter map with the steps they passed lit up.
import type { Topology } from "../backend/topology.js";
import type { NfPathPacket } from "../backend/trace-types.js";
import type { WalkPacket } from "../walk/types.js";
import { netfilterMap, nfMarkKey, type NfMarks } from "./netfilter-map.js";
import { topologyChart } from "./topology-chart.js";
import { walkPath } from "./walk-path.js";
import { walkSequence } from "./walk-sequence.js";

export interface WalkDiagrams {
  sequence?: string;
  topology: string;
  netfilter: string;
}

export interface WalkDiagramInput {
  title: string;
  topology: Topology;
  /** The simulator's walk (absent on the kernel alone: no per-hop account there). */
  packets?: readonly WalkPacket[];
  /** The kernel's netfilter trace (used when there are no simulated packets). */
  netfilter?: readonly NfPathPacket[];
  order?: readonly string[];
}

/** Which netfilter steps the packets passed, from the walk (or the kernel's trace). */
export function nfMarks(
  packets: readonly WalkPacket[] | undefined,
  kernel: readonly NfPathPacket[] | undefined,
): NfMarks {
  const marks: NfMarks = new Map();
  const mark = (hook: string, step: string, dropped: boolean): void => {
    const k = nfMarkKey(hook, step);
    if (dropped) marks.set(k, "dropped");
    else if (!marks.has(k)) marks.set(k, "passed");
  };
  if (packets) {
    for (const p of packets) {
      // ct and nat steps name no hook: NAT rewrites inside the nat table's traversal, just
      // after its rule's nf step; conntrack's lookup comes before the first table of
      // PREROUTING or OUTPUT that has a chain.
      let hook: string | undefined;
      let ctPending: string | undefined;
      for (const s of p.steps) {
        if (s.kind === "nf" && s.nf) {
          hook = s.nf.hook;
          if (ctPending === s.ns && (hook === "PREROUTING" || hook === "OUTPUT"))
            mark(hook, "conntrack", false);
          ctPending = undefined;
          mark(s.nf.hook, s.nf.table, /^(DROP|REJECT)/.test(s.nf.verdict));
        }
        if (s.kind === "ct") ctPending = s.ns;
        if (s.kind === "nat" && hook) mark(hook, "nat", false);
      }
    }
    return marks;
  }
  for (const p of kernel ?? []) {
    for (const s of p.steps) {
      // The kernel's trace names the chain; a base chain is named for its hook.
      mark(s.chain, s.table, /^(DROP|REJECT)/.test(s.verdict));
    }
  }
  return marks;
}

export function walkDiagrams(w: WalkDiagramInput): WalkDiagrams {
  const order = w.order ?? [];
  return {
    ...(w.packets
      ? { sequence: walkSequence(w.packets, w.topology, { title: w.title, order }) }
      : {}),
    topology: topologyChart(w.topology, {
      title: w.title,
      order,
      ...(w.packets ? { path: walkPath(w.packets, w.topology) } : {}),
    }),
    netfilter: netfilterMap(nfMarks(w.packets, w.netfilter), w.title),
  };
}
