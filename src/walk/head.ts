// What a walk prints before its packets: the script, the backend, the probe with what it
// printed, and the script lines that failed while the world was set up.
import type { ProbeResult, SetupFailure, Walk } from "./types.js";
import { indent, nsName, outputLines, type Palette } from "./palette.js";

const BACKEND_WORDS: Record<Walk["backend"], string> = {
  sim: "in the simulator",
  kernel: "on the real kernel (in a throwaway sandbox)",
  compare: "in the simulator, held against the real kernel",
};

export function headerSection(walk: Walk, p: Palette): string[] {
  const lines = [`${p.bold("walk")} of ${walk.script}, ${BACKEND_WORDS[walk.backend]}`];
  if (walk.backend === "compare") {
    if (walk.sim) lines.push(...probeLines("probe (simulator)", walk.sim.probe, p));
    if (walk.kernel) lines.push(...probeLines("probe (kernel)", walk.kernel.probe, p));
  } else {
    const probe = walk.sim?.probe ?? walk.kernel?.probe;
    if (probe) lines.push(...probeLines("probe", probe, p));
  }
  return lines;
}

function probeLines(label: string, probe: ProbeResult, p: Palette): string[] {
  const exit = `exit ${probe.exit}`;
  const head = `${label}: ${probe.text}  [in ${p.cyan(nsName(probe.ns))}]  ${probe.exit === 0 ? p.green(exit) : p.yellow(exit)}`;
  return [
    head,
    ...outputLines(probe.stdout).map(indent(4)),
    ...outputLines(probe.stderr).map((l) => `    ${p.dim("stderr:")} ${l}`),
  ];
}

/** " (2 of 5 of `docker run ...`)" for a command a line expanded into; "" otherwise. */
function expansionStep(f: SetupFailure): string {
  const pr = f.provenance;
  return pr?.expandedBy === undefined ? "" : ` (${pr.step} of ${pr.of} of \`${pr.text}\`)`;
}

export function setupSection(walk: Walk, p: Palette): string[] {
  const failures = walk.setupFailures;
  if (failures.length === 0) return [];
  const plural = failures.length === 1 ? "line" : "lines";
  return [
    p.red(
      `setup: ${failures.length} script ${plural} failed (the walk may not be what you meant):`,
    ),
    ...failures.flatMap((f) => [
      `  line ${f.line}${expansionStep(f)}: ${f.command}  ${p.red(`exit ${f.exit}`)}`,
      ...outputLines(f.stderr).map(indent(4)),
    ]),
  ];
}
