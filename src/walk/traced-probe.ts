// Running a probe with its walk recorded: in the simulator from the trace, on the kernel
// from nftables' own trace (src/real/nf-trace.ts). Both follow the probe's packets for the
// same settle time after it ends, so late packets (a delayed ACK, a FIN exchange, a
// retransmitted FIN) are in both accounts or in neither.
import type { CommandResult } from "../backend.js";
import { listNamespaces, startNfTrace } from "../real/nf-trace.js";
import type { KernelBackend } from "../real/kernel-backend.js";
import type { LabCommand } from "../script/types.js";
import type { SimBackend } from "../sim/sim-backend.js";
import { buildWalk, type BuiltWalk } from "./build.js";
import { closedAfterDelayedAck } from "./compare-nf.js";
import type { NfPathPacket } from "./nf-path.js";
import { simNfPath } from "./sim-nf-path.js";

/**
 * How long after the probe ends its packets are still followed. Chosen between the
 * kernel's TCP timers so that neither backend's account ends on one: a delayed ACK
 * (tcp_delack_min, 40 ms) and the first retransmission of a lost FIN (RTO, tcp_rto_min
 * 200 ms plus a little) fall inside, the second retransmission (400 ms later) well after.
 */
export const SETTLE_MS = 300;

/** A program woken after its delayed ACK (TCP_DELACK_MIN, 40 ms) went, as the kernel saw. */
const LATE_WAKEUP_MS = 50;

export interface SimProbe {
  result: CommandResult;
  walk: BuiltWalk;
  netfilter: NfPathPacket[];
}

export interface KernelProbe {
  result: CommandResult;
  netfilter: NfPathPacket[];
  warnings: string[];
  /** Wall time tracing took to start, before the probe ran. */
  beforeMs: number;
  /** Wall time from the probe's end until tracing had stopped (the settle included). */
  afterMs: number;
}

/**
 * The simulator's walk of the probe. Given the kernel's timings (with --compare), its
 * clock lets the same time pass before and after the probe as the kernel's did, so what
 * later commands see (ICMP rate limits, neighbour and TCP timers) stays the same in both.
 */
export async function simProbe(
  sim: SimBackend,
  cmd: LabCommand,
  kernel?: Pick<KernelProbe, "beforeMs" | "afterMs" | "netfilter">,
): Promise<SimProbe> {
  const world = sim.world;
  const scheduler = world.scheduler;
  const trace = world.trace;
  scheduler.settle();
  if (kernel) scheduler.runUntil(scheduler.now + kernel.beforeMs);
  trace.take();
  const t0 = scheduler.now;
  trace.enabled = true;
  // Whether the kernel's server program closed before its delayed ACK was due is a race
  // of the machine's scheduler; the kernel decided it, and the simulator follows, so that
  // counters read later agree.
  const lateClose = kernel !== undefined && closedAfterDelayedAck(kernel.netfilter);
  if (lateClose) world.eofWakeupDelayMs = LATE_WAKEUP_MS;
  let result: CommandResult;
  try {
    result = await sim.run(cmd);
    scheduler.runUntil(scheduler.now + SETTLE_MS);
  } finally {
    trace.enabled = false;
    world.eofWakeupDelayMs = 0;
  }
  const entries = trace.take();
  if (kernel) scheduler.runUntil(scheduler.now + Math.max(0, kernel.afterMs - SETTLE_MS));
  return { result, walk: buildWalk(entries, t0), netfilter: simNfPath(entries) };
}

export async function kernelProbe(kernel: KernelBackend, cmd: LabCommand): Promise<KernelProbe> {
  const sandbox = kernel.sandbox;
  const t0 = performance.now();
  const session = await startNfTrace(sandbox, await listNamespaces(sandbox));
  const t1 = performance.now();
  let result: CommandResult;
  try {
    result = await kernel.run(cmd);
  } catch (e) {
    // The trace table must not outlive the probe, whatever happened.
    await session.stop().catch(() => undefined);
    throw e;
  }
  const t2 = performance.now();
  // The kernel's account ends SETTLE_MS after the probe, as the simulator's does; stop()
  // then only collects (it may take long on a busy machine, and packets sent meanwhile,
  // such as a FIN's next retransmission, are not the probe's to show).
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  await session.cut();
  const stopped = await session.stop();
  return {
    result,
    netfilter: stopped.packets,
    warnings: stopped.warnings,
    beforeMs: t1 - t0,
    afterMs: performance.now() - t2,
  };
}
