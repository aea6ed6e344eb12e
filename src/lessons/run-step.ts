// Running one lesson step on a backend: its lab lines, the probe it walks, its checks.
// Through the Backend interface alone, so the simulator and the kernel run a step alike;
// the simulator's trace gives the walk, the kernel's its netfilter path.
import type { Backend, CommandResult } from "../backend.js";
import type { NfPathPacket } from "../backend/trace-types.js";
import { sameResult } from "../compare/normalise.js";
import type { LabCommand } from "../script/types.js";
import { buildWalk } from "../walk/build.js";
import { probeNs } from "../walk/probe.js";
import { WALK_SCHEMA, type Walk, type WalkPacket } from "../walk/types.js";
import { ruleCountWhy } from "./rule-count.js";
import { checkText, type Check, type Lesson, type Step } from "./format.js";

export interface CommandRun {
  command: LabCommand;
  result: CommandResult;
}

export interface WalkRun {
  probe: LabCommand;
  result: CommandResult;
  /** The simulator's walk, for renderWalk (the kernel gives only its netfilter path). */
  walk?: Walk;
  /** Per packet and namespace, the netfilter rules and policies it met. */
  netfilter: NfPathPacket[];
  /** One line a packet: what it was and what became of it (the simulator's), or the exit. */
  verdict: string[];
}

export interface CheckRun {
  check: Check;
  result: CommandResult;
  ok: boolean;
  /** Why it failed, for people; "" when it held. */
  why: string;
}

export interface StepRun {
  backend: "sim" | "kernel";
  commands: CommandRun[];
  walk?: WalkRun;
  checks: CheckRun[];
}

/** Runs the step's lines, then its walk's probe (traced), then its checks, in that order. */
export async function runStep(lesson: Lesson, step: Step, backend: Backend): Promise<StepRun> {
  const commands: CommandRun[] = [];
  for (const command of step.commands)
    commands.push({ command, result: await backend.run(command) });
  const walk = step.walk ? await walkProbe(lesson, step.walk, backend) : undefined;
  const checks: CheckRun[] = [];
  for (const check of step.checks) checks.push(judge(check, await backend.run(check.command)));
  return { backend: backend.kind, commands, ...(walk ? { walk } : {}), checks };
}

async function walkProbe(lesson: Lesson, probe: LabCommand, backend: Backend): Promise<WalkRun> {
  const { result, account } = await backend.trace(probe);
  if (account.backend === "kernel") {
    return { probe, result, netfilter: account.netfilter, verdict: [exitVerdict(probe, result)] };
  }
  const built = buildWalk(account.entries);
  const walk: Walk = {
    schema: WALK_SCHEMA,
    backend: "sim",
    script: lesson.file,
    setupFailures: [],
    sim: {
      probe: { text: probe.text, ns: probeNs(probe), ...result },
      packets: built.packets,
      events: built.events,
    },
  };
  return {
    probe,
    result,
    walk,
    netfilter: account.netfilter,
    verdict: [exitVerdict(probe, result), ...built.packets.map(packetVerdict)],
  };
}

function exitVerdict(probe: LabCommand, r: CommandResult): string {
  return `${probe.text}: ${r.exit === 0 ? "got through" : "did not get through"} (exit ${r.exit})`;
}

function packetVerdict(p: WalkPacket): string {
  const why = p.fate.reason ? `: ${p.fate.reason}` : "";
  return `  packet ${p.id}, ${p.summary}: ${p.fate.text}${why}`;
}

/** Does the check hold for what its command did? */
export function judge(check: Check, result: CommandResult): CheckRun {
  const e = check.expect;
  const out = result.stdout + result.stderr;
  const last = out.trim().split("\n").at(-1) ?? "";
  const said = last === "" ? "" : `: ${last}`;
  let why = "";
  if (e.kind === "reaches" && result.exit !== 0)
    why = `expected to get through, but it exited ${result.exit}${said}`;
  else if (e.kind === "blocked" && result.exit === 0)
    why = `expected not to get through, but it exited 0${said}`;
  else if (e.kind === "counts") why = ruleCountWhy(e.rule, result.stdout, result.exit);
  else if (e.kind === "run") {
    const problems = [
      ...(e.exit !== undefined && result.exit !== e.exit
        ? [`exited ${result.exit}, not ${e.exit}${said}`]
        : []),
      ...e.contains
        .filter((s) => !out.includes(s))
        .map((s) => `no ${JSON.stringify(s)} in its output`),
      ...e.lacks.filter((s) => out.includes(s)).map((s) => `${JSON.stringify(s)} in its output`),
    ];
    why = problems.join("; ");
  }
  return { check, result, ok: why === "", why };
}

/** A command whose output differs between the two backends, after normalisation. */
export interface Divergence {
  command: LabCommand;
  sim: CommandResult;
  kernel: CommandResult;
}

/** Where a step's run in the simulator and on the kernel differ: outputs, probe, checks. */
export function divergences(sim: StepRun, kernel: StepRun): Divergence[] {
  const pairs: [LabCommand, CommandResult, CommandResult | undefined][] = [
    ...sim.commands.map((c, i) => [c.command, c.result, kernel.commands[i]?.result] as const),
    ...(sim.walk ? [[sim.walk.probe, sim.walk.result, kernel.walk?.result] as const] : []),
    ...sim.checks.map((c, i) => [c.check.command, c.result, kernel.checks[i]?.result] as const),
  ].map(([c, s, k]) => [c, s, k]);
  return pairs.flatMap(([command, s, k]) =>
    k === undefined || sameResult(s, k, command.text) ? [] : [{ command, sim: s, kernel: k }],
  );
}

export { checkText };
