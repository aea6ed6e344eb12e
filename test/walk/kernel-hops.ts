// Two kernel walks of the same probe, in two sandboxes, compared hop by hop: what may
// differ between the runs is folded.
import type { NfPathPacket } from "../../src/backend/trace-types.js";
import { foldDelayedAcks } from "../../src/walk/compare-nf.js";
import type { Walk } from "../../src/walk/types.js";

/**
 * The kernel's trace namespace by namespace, each packet through `normalise`, with a
 * delayed ACK before a listener's FIN folded: whether the listener closes before its
 * kernel's 40 ms ACK timer fires is the machine's scheduling, so two runs differ on a busy
 * machine (the walk's own comparison folds it too).
 */
export function kernelHops(w: Walk, normalise: (p: NfPathPacket) => unknown): unknown[] {
  const byNs = new Map<string, NfPathPacket[]>();
  for (const p of w.kernel!.netfilter.filter((q) => q.steps.length > 0))
    byNs.set(p.ns, [...(byNs.get(p.ns) ?? []), p]);
  return [...byNs.keys()].sort().map((ns) => [ns, foldDelayedAcks(byNs.get(ns)!).map(normalise)]);
}
