// `packetwalk walk`: set the world up from a script, send one probe with its walk
// recorded, and (with both backends) hold the simulated walk against the kernel's trace
// and the state the probe left behind.
import type { Backend, CommandResult, KernelTraceAccount, SimTraceAccount } from "../backend.js";
import { runLab } from "../compare/lab-run.js";
import { sameResult } from "../compare/normalise.js";
import { parseLine } from "../script/parse.js";
import type { LabCommand, LabScript } from "../script/types.js";
import { compareNfPaths } from "./compare-nf.js";
import { probeNs } from "./probe.js";
import { kernelProbe, simProbe } from "./traced-probe.js";
import { WALK_SCHEMA, type ProbeResult, type Walk } from "./types.js";

export interface WalkBackends {
  sim?: Backend<SimTraceAccount>;
  kernel?: Backend<KernelTraceAccount>;
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

  for (const [name, be] of [
    ["simulator", b.sim],
    ["kernel", b.kernel],
  ] as const) {
    if (!be) continue;
    progress(`setting up the ${name}: ${script.commands.length} commands`);
    const lines = await runLab(script.commands, be);
    await be.run(SETTLE);
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

  if (b.sim && b.kernel) {
    // The kernel first: the simulator then lets the same time pass around the probe.
    progress("sending the probe on the kernel, with netfilter tracing");
    const k = await kernelProbe(b.kernel, probe);
    progress("walking the probe in the simulator");
    const s = await simProbe(b.sim, probe, k);
    walk.sim = { probe: probeResult(s.result), packets: s.walk.packets, events: s.walk.events };
    walk.kernel = { probe: probeResult(k.result), netfilter: k.netfilter, warnings: k.warnings };
    progress("comparing the state the probe left behind");
    const differences = compareNfPaths(s.netfilter, k.netfilter);
    walk.comparison = {
      probeMatch: sameResult(s.result, k.result, probe.text),
      netfilterMatch: differences.length === 0,
      differences,
      state: await compareState(script, b.sim, b.kernel),
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
    progress("sending the probe on the kernel, with netfilter tracing");
    const k = await kernelProbe(b.kernel, probe);
    const state: { command: string; output: string }[] = [];
    for (const cmd of stateCommands(script)) {
      const r = await b.kernel.run(cmd);
      // conntrack's "N flow entries have been shown" goes to stderr: only errors are kept.
      state.push({ command: cmd.text, output: r.stdout + (r.exit !== 0 ? r.stderr : "") });
    }
    walk.kernel = {
      probe: probeResult(k.result),
      netfilter: k.netfilter,
      warnings: k.warnings,
      state,
    };
  }
  return walk;
}

/** Namespaces the script made (`ip netns add NAME`), in order, the root first. */
function namespacesOf(script: LabScript): (string | undefined)[] {
  const names = script.commands.flatMap((c) =>
    c.program === "ip" && c.args[0] === "netns" && c.args[1] === "add" && c.args[2]
      ? [c.args[2]]
      : [],
  );
  return [undefined, ...new Set(names)];
}

/**
 * What the probe left in each namespace: neighbours, bridge forwarding entries,
 * conntrack entries and iptables counters, read the same way in both backends.
 */
function stateCommands(script: LabScript): LabCommand[] {
  const out: LabCommand[] = [];
  for (const ns of namespacesOf(script)) {
    const prefix = ns === undefined ? "" : `ip netns exec ${ns} `;
    // conntrack per protocol: a bridge's IGMP reports make entries of their own on the
    // kernel (protocol 2), which have nothing to do with the probe.
    for (const c of [
      "ip neigh show",
      "bridge fdb show",
      "conntrack -L -p icmp",
      "conntrack -L -p tcp",
      "conntrack -L -p udp",
      "iptables-save -c",
    ]) {
      const cmd = parseLine(prefix + c, 0, "<walk>");
      if (cmd) out.push(cmd);
    }
  }
  return out;
}

async function compareState(
  script: LabScript,
  sim: Backend,
  kernel: Backend,
): Promise<{ command: string; sim: string; kernel: string; match: boolean }[]> {
  const out: { command: string; sim: string; kernel: string; match: boolean }[] = [];
  for (const cmd of stateCommands(script)) {
    const [s, k] = [await sim.run(cmd), await kernel.run(cmd)];
    out.push({
      command: cmd.text,
      sim: s.stdout + s.stderr,
      kernel: k.stdout + k.stderr,
      match: sameResult(s, k, cmd.text),
    });
  }
  return out;
}
