// `packetwalk walk`: set the world up from a script, send one probe with its walk
// recorded, and (with both backends) hold the simulated walk against the kernel's trace
// and the state the probe left behind.
import type { Backend, CommandResult, KernelTraceAccount, SimTraceAccount } from "../backend.js";
import { runLab, type LineResult } from "../compare/lab-run.js";
import { sameResult } from "../compare/normalise.js";
import { parseLine } from "../script/parse.js";
import type { LabCommand, LabScript } from "../script/types.js";
import { compareNfPaths } from "./compare-nf.js";
import { probeNs } from "./probe.js";
import { containersOf, statePlaces, stateReads } from "./state-reads.js";
import {
  predictable,
  predictScope,
  scopeWarnings,
  untracedSimWarnings,
  type TraceScope,
} from "./trace-scope.js";
import { kernelProbe, simProbe, type KernelProbe } from "./traced-probe.js";
import { WALK_SCHEMA, type ProbeResult, type Walk } from "./types.js";

export interface WalkBackends {
  sim?: Backend<SimTraceAccount>;
  kernel?: Backend<KernelTraceAccount>;
  /**
   * With the kernel: a fresh simulator of its own, where the script and the probe run
   * first to predict where the probe goes, so that the kernel traces only there
   * (trace-scope.ts). Without one the kernel traces every namespace.
   */
  predictor?: Backend<SimTraceAccount>;
}

/**
 * The world settles the same way on both sides before the probe. The kernel's setup takes
 * real time, the simulator's almost none: deferred linkwatch events (up to 1 s, HZ) and
 * what addrconf does on them (a bridge's link-local address, whose solicited-node group
 * `bridge fdb show` lists as 33:33:ff:...) would have run on the kernel and not yet in
 * the simulator, a difference no command of the script caused.
 */
const SETTLE: LabCommand = parseLine("sleep 1.1", 0, "<walk>")!;

/** Progress for people while the (slow) kernel side works. */
export type Progress = (what: string) => void;

export async function runWalk(
  script: LabScript,
  probe: LabCommand,
  b: WalkBackends,
  progress: Progress = () => {},
): Promise<Walk> {
  const backend: Walk["backend"] = b.sim && b.kernel ? "compare" : b.kernel ? "kernel" : "sim";
  const walk: Walk = { schema: WALK_SCHEMA, backend, script: script.file, setupFailures: [] };
  const probeResult = (r: CommandResult): ProbeResult => ({
    text: probe.text,
    ns: probeNs(probe),
    ...r,
  });

  // The predictor sets up while the kernel does (which mostly waits for processes).
  const predictor = b.kernel && predictable(script.commands, probe) ? b.predictor : undefined;
  const predicting = predictor ? setUp(script, predictor).catch(() => undefined) : undefined;
  let kernelLines: LineResult[] = [];
  for (const [name, be] of [
    ["simulator", b.sim],
    ["kernel", b.kernel],
  ] as const) {
    if (!be) continue;
    progress(`setting up the ${name}: ${script.commands.length} commands`);
    const lines = await setUp(script, be);
    if (be === b.kernel) kernelLines = lines;
    // Failures count once: the simulator's, or the kernel's when it runs alone.
    if (be === (b.sim ?? b.kernel)) {
      walk.setupFailures = lines
        .filter((l) => l.result.exit !== 0)
        .map((l) => ({
          line: l.line,
          command: l.command,
          exit: l.result.exit,
          stderr: l.result.stderr,
          provenance: l.provenance,
        }));
    }
  }

  let scope: TraceScope | undefined;
  const predicted = await predicting;
  // A world the predictor set up otherwise (a line that failed in one only) predicts nothing.
  if (predictor && predicted && sameExits(predicted, kernelLines)) {
    progress("predicting the probe's way in the simulator");
    scope = await predictScope(predictor, probe, script.commands).catch(() => undefined);
  }
  const traceKernel = async (kernel: Backend<KernelTraceAccount>): Promise<KernelProbe> => {
    progress("sending the probe on the kernel, with netfilter tracing");
    const k = await kernelProbe(kernel, probe, scope?.namespaces);
    if (scope) k.warnings.push(...scopeWarnings(scope, k));
    return k;
  };
  // The kernel's side of the walk, as both kernel modes report it.
  const kernelSide = (k: KernelProbe) => ({
    probe: probeResult(k.result),
    netfilter: k.netfilter,
    warnings: k.warnings,
    traced: k.traced,
    tracing: scope ? ("predicted" as const) : ("all" as const),
  });

  if (b.sim && b.kernel) {
    // The kernel first: the simulator then lets the same time pass around the probe.
    const k = await traceKernel(b.kernel);
    progress("walking the probe in the simulator");
    const s = await simProbe(b.sim, probe, k);
    if (scope) k.warnings.push(...untracedSimWarnings(s.netfilter, k.traced));
    walk.sim = { probe: probeResult(s.result), packets: s.walk.packets, events: s.walk.events };
    walk.kernel = kernelSide(k);
    progress("comparing the state the probe left behind");
    const differences = compareNfPaths(s.netfilter, k.netfilter);
    walk.comparison = {
      probeMatch: sameResult(s.result, k.result, probe.text),
      netfilterMatch: differences.length === 0,
      differences,
      // Where the kernel was traced: elsewhere the probe left nothing (scopeWarnings).
      state: await compareState(script, b.sim, b.kernel, scope ? k.traced : undefined),
    };
    return walk;
  }
  if (b.sim) {
    progress("walking the probe in the simulator");
    const s = await simProbe(b.sim, probe);
    walk.sim = { probe: probeResult(s.result), packets: s.walk.packets, events: s.walk.events };
    return walk;
  }
  if (b.kernel) {
    const k = await traceKernel(b.kernel);
    const state: { command: string; output: string }[] = [];
    // Where the probe could leave state: where it was traced.
    const containers = await containersOf(b.kernel, script.commands);
    for (const place of statePlaces(script, containers, scope ? k.traced : undefined)) {
      for (const read of await stateReads(place, b.kernel)) {
        const r = await b.kernel.run(read.command);
        // conntrack's "N flow entries have been shown" goes to stderr: only errors are kept.
        state.push({ command: read.text, output: r.stdout + (r.exit !== 0 ? r.stderr : "") });
      }
    }
    walk.kernel = { ...kernelSide(k), state };
  }
  return walk;
}

async function setUp(script: LabScript, be: Backend): Promise<LineResult[]> {
  const lines = await runLab(script.commands, be);
  await be.run(SETTLE);
  return lines;
}

function sameExits(a: LineResult[], b: LineResult[]): boolean {
  return a.length === b.length && a.every((l, i) => l.result.exit === b[i]!.result.exit);
}

async function compareState(
  script: LabScript,
  sim: Backend,
  kernel: Backend,
  only?: readonly string[],
): Promise<{ command: string; sim: string; kernel: string; match: boolean }[]> {
  const out: { command: string; sim: string; kernel: string; match: boolean }[] = [];
  const containers = await containersOf(kernel, script.commands);
  for (const place of statePlaces(script, containers, only)) {
    const [s, k] = [await stateReads(place, sim), await stateReads(place, kernel)];
    for (const [i, read] of k.entries()) {
      const [sr, kr] = [await sim.run(s[i]!.command), await kernel.run(read.command)];
      out.push({
        command: read.text,
        sim: sr.stdout + sr.stderr,
        kernel: kr.stdout + kr.stderr,
        match: sameResult(sr, kr, read.text),
      });
    }
  }
  return out;
}
