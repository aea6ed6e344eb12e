// The kernel's trace(): nftables' own trace of a command (nf-trace.ts) in every namespace
// of the sandbox (those `ip netns` names and the running containers', or those asked for
// and the root), its packets followed for SETTLE_MS after it ends; and how long tracing
// took around it, which the simulator lets pass too when both run (TraceOptions).
import type { CommandResult, KernelTraceAccount, Traced } from "../backend.js";
import { SETTLE_MS } from "../backend/trace-types.js";
import type { LabCommand } from "../script/types.js";
import { egressPeers, type Place } from "./egress-peers.js";
import { startEgressWatch } from "./egress-watch.js";
import { listNamespaces, startNfTrace, type NsFile } from "./nf-trace.js";
import type { Sandbox } from "./sandbox.js";

export async function traceOnKernel(
  sandbox: Sandbox,
  run: (cmd: LabCommand) => Promise<CommandResult>,
  cmd: LabCommand,
  only?: readonly string[],
  /** Namespaces `ip netns` does not name: the containers' (docker/container-netns.ts). */
  more: () => Promise<NsFile[]> = () => Promise.resolve([]),
): Promise<Traced<KernelTraceAccount>> {
  const t0 = performance.now();
  // Only namespaces that exist: a scope predicted elsewhere may name one the kernel lacks.
  const [all, files] = await Promise.all([listNamespaces(sandbox), more()]);
  const traced = only === undefined ? all : all.filter((ns) => only.includes(ns));
  const tracedFiles = only === undefined ? files : files.filter((f) => only.includes(f.name));
  // A scoped trace also watches which devices packets left by (egress-watch.ts).
  const watching =
    only === undefined ? undefined : startEgressWatch(sandbox, ["", ...traced], tracedFiles);
  const [session, watch] = await Promise.all([
    startNfTrace(sandbox, traced, tracedFiles).catch(async (e: unknown) => {
      // Its tables must not outlive a trace that never started.
      if (watching) await (await watching).collect();
      throw e;
    }),
    watching,
  ]);
  const t1 = performance.now();
  let result: CommandResult;
  try {
    result = await run(cmd);
  } catch (e) {
    // The trace table must not outlive the command, whatever happened.
    await session.stop().catch(() => undefined);
    await watch?.collect().catch(() => undefined);
    throw e;
  }
  const t2 = performance.now();
  // The kernel's account ends SETTLE_MS after the command, as the simulator's does; stop()
  // then only collects (it may take long on a busy machine, and packets sent meanwhile,
  // such as a FIN's next retransmission, are not the command's to show).
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  await session.cut();
  const [stopped, watched] = await Promise.all([session.stop(), watch?.collect()]);
  // Where each device leads, in the kernel's own names (egress-peers.ts).
  const place = (ns: string): Place => {
    const file = files.find((f) => f.name === ns)?.path;
    return file === undefined ? { ns } : { ns, file };
  };
  const egress =
    watched &&
    (await egressPeers(sandbox, watched.egress, session.namespaces.map(place), () =>
      Promise.resolve([...all, ...files.map((f) => f.name)].map(place)),
    ));
  return {
    result,
    account: {
      backend: "kernel",
      netfilter: stopped.packets,
      warnings: [...stopped.warnings, ...(watched?.warnings ?? [])],
      traced: [...session.namespaces],
      ...(egress ? { egress } : {}),
      beforeMs: t1 - t0,
      afterMs: performance.now() - t2,
    },
  };
}
