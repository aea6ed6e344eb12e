// The simulator's trace(): a command run with the world's trace on, its packets followed
// for SETTLE_MS of virtual time after it ends, and the trace handed over as plain data.
import type { CommandResult, SimTraceAccount, TraceOptions, Traced } from "../../backend.js";
import { SETTLE_MS } from "../../backend/trace-types.js";
import type { LabCommand } from "../../script/types.js";
import type { World } from "../kernel/core/world.js";
import { traceAccount } from "./account.js";
import { simNfPath } from "./nf-path.js";

/** A program woken after its delayed ACK (TCP_DELACK_MIN, 40 ms) went. */
const LATE_WAKEUP_MS = 50;

export async function traceInSim(
  world: World,
  run: (cmd: LabCommand) => Promise<CommandResult>,
  cmd: LabCommand,
  opts: TraceOptions = {},
): Promise<Traced<SimTraceAccount>> {
  const { scheduler, trace } = world;
  scheduler.settle();
  if (opts.padBeforeMs !== undefined) scheduler.runUntil(scheduler.now + opts.padBeforeMs);
  trace.take();
  const t0 = scheduler.now;
  trace.enabled = true;
  if (opts.lateWakeupAfterFin) world.eofWakeupDelayMs = LATE_WAKEUP_MS;
  let result: CommandResult;
  try {
    result = await run(cmd);
    scheduler.runUntil(scheduler.now + SETTLE_MS);
  } finally {
    trace.enabled = false;
    world.eofWakeupDelayMs = 0;
  }
  const entries = trace.take();
  if (opts.padAfterMs !== undefined)
    scheduler.runUntil(scheduler.now + Math.max(0, opts.padAfterMs - SETTLE_MS));
  return {
    result,
    account: { backend: "sim", entries: traceAccount(entries, t0), netfilter: simNfPath(entries) },
  };
}
