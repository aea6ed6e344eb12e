// Checking a solution: the exercise's starting world, then the learner's lines, then the
// checks, on one backend. Only what the network does is judged, never the commands. A
// failed probe check explains itself with the walk of that probe: its verdict, where its
// packet was dropped and why (src/walk/verdict.ts).
import type { Backend, CommandResult } from "../backend.js";
import { nsDisplay } from "../backend/trace-types.js";
import { checkText, type Check } from "../lessons/format.js";
import { judge } from "../lessons/run-step.js";
import type { LabCommand } from "../script/types.js";
import { buildWalk } from "../walk/build.js";
import { dockerExecProgram, probeNs } from "../walk/probe.js";
import { verdictOf, verdictText } from "../walk/verdict.js";
import { WALK_SCHEMA, type Walk } from "../walk/types.js";
import type { Exercise } from "./format.js";

export interface CheckOutcome {
  check: Check;
  ok: boolean;
  /** For people: the check, and when it failed, why (the probe's walk verdict). */
  text: string;
}

export interface SolutionVerdict {
  backend: "sim" | "kernel";
  /** Starting-world lines that failed (the exercise's fault, not the learner's). */
  startFailures: { command: LabCommand; result: CommandResult }[];
  /** Solution lines that exited non-zero: shown, not judged. */
  solutionErrors: { command: LabCommand; result: CommandResult }[];
  checks: CheckOutcome[];
  passed: boolean;
}

export async function checkSolution(
  exercise: Exercise,
  solution: readonly LabCommand[],
  backend: Backend,
): Promise<SolutionVerdict> {
  const startFailures = [];
  for (const command of exercise.start) {
    const result = await backend.run(command);
    if (result.exit !== 0 && !command.background) startFailures.push({ command, result });
  }
  const solutionErrors = [];
  for (const command of solution) {
    const result = await backend.run(command);
    if (result.exit !== 0 && !command.background) solutionErrors.push({ command, result });
  }
  const checks: CheckOutcome[] = [];
  for (const check of exercise.checks) {
    const probe = check.expect.kind === "reaches" || check.expect.kind === "blocked";
    // Probes run traced in the simulator: a failure is explained by the probe's walk.
    const traced = probe && backend.kind === "sim" ? await backend.trace(check.command) : undefined;
    const result = traced ? traced.result : await backend.run(check.command);
    const run = judge(check, result);
    let text = checkText(check);
    if (!run.ok) {
      const walk =
        traced?.account.backend === "sim"
          ? walkOf(exercise, check.command, result, traced.account.entries)
          : undefined;
      text = probe ? probeFailure(check, result, walk) : `${text}: ${run.why}`;
    }
    checks.push({ check, ok: run.ok, text });
  }
  return {
    backend: backend.kind,
    startFailures,
    solutionErrors,
    checks,
    passed: startFailures.length === 0 && checks.every((c) => c.ok),
  };
}

function walkOf(
  exercise: Exercise,
  probe: LabCommand,
  result: CommandResult,
  entries: Parameters<typeof buildWalk>[0],
): Walk {
  const built = buildWalk(entries);
  return {
    schema: WALK_SCHEMA,
    backend: "sim",
    script: exercise.file,
    setupFailures: [],
    sim: {
      probe: { text: probe.text, ns: probeNs(probe), ...result },
      packets: built.packets,
      events: built.events,
    },
  };
}

/** "your ping from web to 203.0.113.8" */
export function probePhrase(probe: LabCommand): string {
  // A `docker exec C ...` probe: the program it runs in the container.
  const run = (probe.program === "docker" ? dockerExecProgram(probe.args) : undefined) ?? probe;
  const what = run.program === "ping" ? "ping" : "connection";
  const words = run.args.filter((a) => !a.startsWith("-"));
  // ping's last word is the address; nc -z takes HOST PORT.
  const dest =
    run.program === "ping"
      ? words.at(-1)
      : words.length >= 2
        ? `${words.at(-2)} port ${words.at(-1)}`
        : words.at(-1);
  return `your ${what} from ${nsDisplay(probeNs(probe))} to ${dest ?? "?"}`;
}

function probeFailure(check: Check, result: CommandResult, walk: Walk | undefined): string {
  const must = check.expect.kind === "reaches" ? "must get through" : "must stay blocked";
  const head = `${probePhrase(check.command)} ${must} (\`${check.command.text}\`)`;
  const v = walk ? verdictOf(walk) : undefined;
  // The verdict says "dropped in X : no route" for a drop without a rule; one colon reads better.
  if (v) return `${head}, but ${verdictText(v).replace(/ : /g, ": ")}${policyWhy(walk!)}`;
  const last = (result.stdout + result.stderr).trim().split("\n").at(-1) ?? "";
  const how = result.exit === 0 ? "it got through" : `it did not get through (exit ${result.exit})`;
  return `${head}, but ${how}${last ? `: ${last}` : ""}`;
}

/**
 * A drop by a chain's policy means no rule of that chain accepted the packet: say which
 * traffic it was ("; no rule of filter FORWARD accepts traffic from br0 out of uplink").
 */
function policyWhy(walk: Walk): string {
  for (const pkt of walk.sim?.packets ?? []) {
    if (pkt.protocol === "arp" || pkt.fate.kind !== "dropped") continue;
    const drop = pkt.steps.findLast((x) => x.kind === "drop");
    const nf = pkt.steps.findLast(
      (x) => x.kind === "nf" && drop !== undefined && x.seq <= drop.seq,
    );
    if (!drop || !nf?.nf?.policy || !/DROP|REJECT/.test(nf.nf.verdict)) continue;
    const before = pkt.steps.filter((x) => x.ns === nf.ns && x.seq < nf.seq);
    // The device it entered the IP stack by (a bridge's own device, not its port): the
    // last hop into this namespace before the routing decision.
    const route = before.findLast((x) => x.kind === "route");
    const inDev = before
      .filter((x) => route === undefined || x.seq < route.seq)
      .findLast((x) => x.kind === "wire" || x.kind === "up")?.dev;
    const outDev = route?.route?.dev;
    const from = inDev ? ` from ${inDev}` : "";
    const out = outDev && nf.nf.chain !== "INPUT" ? ` out of ${outDev}` : "";
    return `; no rule of ${nf.nf.table} ${nf.nf.chain} accepts this traffic${from}${out}`;
  }
  return "";
}
