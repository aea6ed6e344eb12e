// A probe run with its walk recorded, through the backends' trace() alone: in the
// simulator its walk is built from the trace entries, on the kernel nftables' own trace is
// taken as it is. With both, the kernel goes first and the simulator lets the same time
// pass around the probe (TraceOptions).
import type { Backend, CommandResult, KernelTraceAccount, SimTraceAccount } from "../backend.js";
import type { NfPathPacket } from "../backend/trace-types.js";
import type { LabCommand } from "../script/types.js";
import { buildWalk, type BuiltWalk } from "./build.js";
import { closedAfterDelayedAck } from "./compare-nf.js";

export { SETTLE_MS } from "../backend/trace-types.js";

export interface SimProbe {
  result: CommandResult;
  walk: BuiltWalk;
  netfilter: NfPathPacket[];
}

export interface KernelProbe extends Omit<KernelTraceAccount, "backend"> {
  result: CommandResult;
}

/**
 * The simulator's walk of the probe. Given the kernel's timings (with --compare), its
 * clock lets the same time pass before and after the probe as the kernel's did, so what
 * later commands see (ICMP rate limits, neighbour and TCP timers) stays the same in both.
 */
export async function simProbe(
  sim: Backend<SimTraceAccount>,
  cmd: LabCommand,
  kernel?: Pick<KernelProbe, "beforeMs" | "afterMs" | "netfilter">,
): Promise<SimProbe> {
  const opts = kernel
    ? {
        padBeforeMs: kernel.beforeMs,
        padAfterMs: kernel.afterMs,
        lateWakeupAfterFin: closedAfterDelayedAck(kernel.netfilter),
      }
    : {};
  const { result, account } = await sim.trace(cmd, opts);
  return { result, walk: buildWalk(account.entries), netfilter: account.netfilter };
}

/** `namespaces`: trace only these and the root (trace-scope.ts); every one when absent. */
export async function kernelProbe(
  kernel: Backend<KernelTraceAccount>,
  cmd: LabCommand,
  namespaces?: readonly string[],
): Promise<KernelProbe> {
  const { result, account } = await kernel.trace(cmd, namespaces ? { namespaces } : {});
  const { backend: _, ...rest } = account;
  return { result, ...rest };
}
