// Running a probe with its walk recorded: in the simulator from the trace, on the kernel
// from nftables' own trace (src/real/nf-trace.ts). Both let the same settle time pass
// after the probe, so late packets (a delayed ACK, a FIN exchange) are in both accounts.
import type { CommandResult } from "../backend.js";
import { listNamespaces, startNfTrace } from "../real/nf-trace.js";
import type { KernelBackend } from "../real/kernel-backend.js";
import type { LabCommand } from "../script/types.js";
import type { SimBackend } from "../sim/sim-backend.js";
import { buildWalk, type BuiltWalk } from "./build.js";
import type { NfPathPacket } from "./nf-path.js";
import { simNfPath } from "./sim-nf-path.js";

/**
 * How long after the probe ends its packets are still followed. A closing TCP connection
 * ends within a millisecond; a delayed ACK takes 40 ms (tcp_delack_min).
 */
export const SETTLE_MS = 100;

export interface SimProbe {
  result: CommandResult;
  /** Virtual time the probe and the settle took. */
  virtualMs: number;
  walk: BuiltWalk;
  netfilter: NfPathPacket[];
}

export interface KernelProbe {
  result: CommandResult;
  /** Wall time the probe took, tracing set-up and tear-down included. */
  wallMs: number;
  netfilter: NfPathPacket[];
  warnings: string[];
}

export async function simProbe(sim: SimBackend, cmd: LabCommand): Promise<SimProbe> {
  const world = sim.world;
  const trace = world.trace;
  world.scheduler.settle();
  trace.take();
  const t0 = world.scheduler.now;
  trace.enabled = true;
  let result: CommandResult;
  try {
    result = await sim.run(cmd);
    world.scheduler.runUntil(world.scheduler.now + SETTLE_MS);
  } finally {
    trace.enabled = false;
  }
  const entries = trace.take();
  return {
    result,
    virtualMs: world.scheduler.now - t0,
    walk: buildWalk(entries, t0),
    netfilter: simNfPath(entries),
  };
}

export async function kernelProbe(kernel: KernelBackend, cmd: LabCommand): Promise<KernelProbe> {
  const sandbox = kernel.sandbox;
  const t0 = performance.now();
  const session = await startNfTrace(sandbox, await listNamespaces(sandbox));
  let result: CommandResult;
  try {
    result = await kernel.run(cmd);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
  } catch (e) {
    // The trace table must not outlive the probe, whatever happened.
    await session.stop().catch(() => undefined);
    throw e;
  }
  const stopped = await session.stop();
  return {
    result,
    wallMs: performance.now() - t0,
    netfilter: stopped.packets,
    warnings: stopped.warnings,
  };
}

/**
 * After a probe ran in both: tracing made the kernel's probe take longer than the
 * simulator's (monitors to start and stop), and time-driven state (ICMP rate limits,
 * neighbour timers) saw that time pass. The simulator's clock catches up, so what the
 * next commands see is the same in both.
 */
export function catchUp(sim: SimBackend, s: SimProbe, k: KernelProbe): void {
  const extra = k.wallMs - s.virtualMs;
  if (extra > 0) sim.world.scheduler.runUntil(sim.world.scheduler.now + extra);
}
