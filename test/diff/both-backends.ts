// Runs one lab script in the simulator and on the kernel (a fresh sandbox) and describes
// every line that differs after normalisation: the differential tests' shared step. Every
// probe line (ping, nc -z) runs traced: the simulated netfilter path of each of its
// packets must equal the kernel's own trace (xtables-monitor) of the same probe.
import { differences } from "../../src/compare/diff.js";
import { sameResult } from "../../src/compare/normalise.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { readMachineProfile } from "../../src/real/preflight.js";
import { dirname } from "node:path";
import { scriptFiles } from "../../src/cli/script-files.js";
import { loadLabScript } from "../../src/script/load.js";
import type {
  Backend,
  CommandResult,
  KernelTraceAccount,
  SimTraceAccount,
} from "../../src/backend.js";
import { nsDisplay, ROOT_NS } from "../../src/backend/trace-types.js";
import type { LabCommand } from "../../src/script/types.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { compareNfPaths } from "../../src/walk/compare-nf.js";
import { isProbe } from "../../src/walk/probe.js";
import { kernelProbe, simProbe } from "../../src/walk/traced-probe.js";
import type { NfDifference } from "../../src/walk/types.js";
import { checkTopology } from "./topology-check.js";

// Both backends start from this machine's world: the kernel's new namespaces inherit it.
const profile = readMachineProfile();

export interface Mismatches {
  /** Lines the parser refused (none expected). */
  errors: string[];
  /** One block per differing line; empty when every line matches. */
  report: string;
  /** Packets the kernel traced through at least one chain, over all the script's probes. */
  traced: number;
  /** End-of-lab topology differences that topology-check.ts allows, with their reasons. */
  allowed: string[];
}

export async function mismatches(
  text: string,
  file: string,
  scriptDir?: string,
  /** Also compare the two backends' inspect() at the end (the lab files do). */
  opts: { topology?: boolean } = {},
): Promise<Mismatches> {
  // File arguments (iptables-restore FILE) are read as the CLI reads them.
  const files = scriptFiles(scriptDir ?? dirname(file));
  const { script, errors } = loadLabScript(text, file, { files });
  if (errors.length > 0)
    return { errors: errors.map((e) => e.message), report: "", traced: 0, allowed: [] };
  const sim = new SimBackend({ profile });
  const kernel = await KernelBackend.start();
  try {
    const blocks: string[] = [];
    let traced = 0;
    for (const cmd of script.commands) {
      // A probe by name too: its DNS queries are traced packets in both backends.
      const { s, k, nf, n } = isProbe(cmd)
        ? await tracedProbe(cmd, sim, kernel)
        : { s: await sim.run(cmd), k: await kernel.run(cmd), nf: [], n: 0 };
      traced += n;
      const out = sameResult(s, k, cmd.text)
        ? []
        : differences(s, k, cmd.text).flatMap((d) => [
            `  ${d.field}:`,
            ...d.lines.map((x) => `    ${x}`),
          ]);
      for (const d of nf) out.push(...nfDifferenceLines(d));
      if (out.length > 0) blocks.push(`line ${cmd.line}: ${cmd.text}\n${out.join("\n")}`);
    }
    const topo = opts.topology
      ? await checkTopology(file, sim, kernel)
      : { report: [], allowed: [] };
    if (topo.report.length > 0) blocks.push(`end of lab, inspect():\n${topo.report.join("\n")}`);
    return { errors: [], report: blocks.join("\n"), traced, allowed: topo.allowed };
  } finally {
    await kernel.close();
  }
}

async function tracedProbe(
  cmd: LabCommand,
  sim: Backend<SimTraceAccount>,
  kernel: Backend<KernelTraceAccount>,
): Promise<{ s: CommandResult; k: CommandResult; nf: NfDifference[]; n: number }> {
  // The kernel first: the simulator then lets the same time pass around the probe.
  const b = await kernelProbe(kernel, cmd);
  const a = await simProbe(sim, cmd, b);
  const warnings = b.warnings.map((w): NfDifference => ({
    ns: ROOT_NS,
    index: -1,
    packet: w,
    at: 0,
  }));
  return {
    s: a.result,
    k: b.result,
    nf: [...warnings, ...compareNfPaths(a.netfilter, b.netfilter)],
    n: b.netfilter.filter((p) => p.steps.length > 0).length,
  };
}

function nfDifferenceLines(d: NfDifference): string[] {
  if (d.index < 0) return [`  netfilter trace: ${d.packet}`];
  const side = (name: string, steps: string[] | undefined): string[] => [
    `    ${name}:`,
    ...(steps ?? ["(no such packet)"]).map((x, i) => `      ${i === d.at ? ">>" : "  "} ${x}`),
  ];
  return [
    `  netfilter path, namespace ${nsDisplay(d.ns)}, packet ${d.index + 1}: ${d.packet}`,
    ...side("sim", d.sim),
    ...side("kernel", d.kernel),
  ];
}
