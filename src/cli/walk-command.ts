// `packetwalk walk SCRIPT -- PROBE`: the walk of one probe, for people (or --json), in the
// simulator, on the kernel, or both held against each other.
import { missingTraceTools } from "../real/nf-trace.js";
import type { Expander } from "../script/expand.js";
import type { LabScript } from "../script/types.js";
import { walkJson } from "../walk/json.js";
import { ProbeError, parseProbe } from "../walk/probe.js";
import {
  renderHead,
  renderTail,
  renderWalk,
  STEP_FILTERS,
  walkHops,
  type RenderOptions,
  type StepFilter,
} from "../walk/render.js";
import { runWalk } from "../walk/run-walk.js";
import type { Walk } from "../walk/types.js";
import { chooseMode, openBackends, predictorBackend, type BackendOptions } from "./backends.js";
import { loadScript, UserError } from "./load-script.js";
import { stepThrough } from "./stepper.js";
import { writeWalkDiagrams } from "./walk-diagram.js";
import { withContainers } from "../diagram/containers.js";
import { dockerContainers } from "./docker-containers.js";
import type { Topology } from "../backend/topology.js";
import { useColour } from "./style.js";
import { refuseNotSimulated } from "./sim-preflight.js";
import { untilLine } from "./until.js";

export interface WalkOptions extends BackendOptions {
  json?: boolean;
  step?: boolean;
  /** -v: every step. */
  verbose?: boolean;
  /** --only nf,arp,bridge,route. */
  only?: string;
  /** --packet N. */
  packet?: string;
  /** --trace-all: on the kernel, trace every namespace (no prediction). */
  traceAll?: boolean;
  /** --until LINE: the world as it stood after this script line. */
  until?: string;
  /** Expands lines into several commands (tests inject one; `docker` will). */
  expand?: Expander;
  /** The walk as Mermaid diagrams (src/cli/walk-diagram.ts), to -o FILE or stdout. */
  diagram?: boolean;
  output?: string;
}

type Write = (s: string) => void;

export async function walkCommand(
  file: string,
  probeWords: string[],
  opts: WalkOptions,
  write: Write,
): Promise<number> {
  const mode = chooseMode(opts);
  if (opts.diagram && (opts.json || opts.step))
    throw new UserError("packetwalk walk: --diagram does not mix with --json or --step");
  if (opts.json && opts.step) throw new UserError("packetwalk walk: --step and --json do not mix");
  let probe;
  try {
    probe = parseProbe(probeWords);
  } catch (e) {
    if (e instanceof ProbeError) throw new UserError(e.message);
    throw e;
  }
  const view = viewOptions(opts);
  const script: LabScript = refuseNotSimulated(
    untilLine(loadScript(file, opts.expand ? { expand: opts.expand } : {}), opts.until),
    mode,
  );
  const missing = mode === "sim" ? undefined : missingTraceTools();
  if (missing !== undefined) {
    throw new UserError(
      `packetwalk walk: ${missing}.\nRun \`packetwalk doctor\` to see what the kernel backend needs.`,
      3,
    );
  }
  const open = await openBackends(mode, opts);
  // On the kernel, a simulator of its own predicts where to trace (--trace-all: everywhere).
  const predictor = mode !== "sim" && !opts.traceAll ? predictorBackend(opts) : undefined;
  // Progress goes to stderr, only for people on a terminal, so --json and pipes stay clean.
  const progress = (what: string): void => {
    if (!opts.json && process.stderr.isTTY) process.stderr.write(`packetwalk: ${what}...\n`);
  };
  let walk: Walk;
  let topology: Topology | undefined;
  try {
    walk = await runWalk(script, probe, { ...open, ...(predictor ? { predictor } : {}) }, progress);
    if (opts.diagram) {
      const backend = (open.sim ?? open.kernel)!;
      // Containers by name, as `packetwalk diagram` draws them (asked after the probe ran).
      const containers = await dockerContainers(backend, script.commands);
      topology = withContainers(await backend.inspect(), containers);
    }
  } catch (e) {
    // The sandbox or its tracing failed: say so plainly; the sandbox is gone either way.
    if (mode === "sim" || !(e instanceof Error)) throw e;
    throw new UserError(`packetwalk walk: on the kernel: ${e.message}`, 3);
  } finally {
    await predictor?.close();
    await open.close();
  }
  if (topology) {
    const code = await writeWalkDiagrams(walk, script, topology, opts.output, write);
    return code || exitCode(walk);
  }
  if (opts.json) {
    write(JSON.stringify(walkJson(walk)) + "\n");
  } else if (opts.step && process.stdin.isTTY) {
    const ro = { ...view, colour: useColour(), width: process.stdout.columns };
    write(renderHead(walk, ro));
    const outcome = await stepThrough(walkHops(walk, ro), {
      input: process.stdin,
      output: process.stdout,
    });
    if (outcome === "done") write(renderTail(walk, ro));
  } else {
    if (opts.step) {
      process.stderr.write("packetwalk walk: --step needs a terminal; printing the whole walk\n");
    }
    write(renderWalk(walk, { ...view, colour: useColour(), width: process.stdout.columns }));
  }
  return exitCode(walk);
}

/** -v, --only and --packet as render options; a bad value is a UserError. */
function viewOptions(opts: WalkOptions): Pick<RenderOptions, "verbose" | "only" | "packet"> {
  const view: Pick<RenderOptions, "verbose" | "only" | "packet"> = { verbose: opts.verbose };
  if (opts.only !== undefined) {
    const kinds = opts.only.split(",").map((k) => k.trim());
    const bad = kinds.find((k) => !(STEP_FILTERS as readonly string[]).includes(k));
    if (bad !== undefined)
      throw new UserError(
        `packetwalk walk: --only ${opts.only}: ${bad === "" ? "an empty kind" : `unknown kind ${bad}`}; the kinds are ${STEP_FILTERS.join(", ")}`,
      );
    view.only = kinds as StepFilter[];
  }
  if (opts.packet !== undefined) {
    if (!/^[1-9]\d*$/.test(opts.packet))
      throw new UserError(
        `packetwalk walk: --packet ${opts.packet}: not a packet number (1, 2, ...)`,
      );
    view.packet = Number(opts.packet);
  }
  return view;
}

/** 1 when the two backends disagree (like `run --compare`), else 0. */
function exitCode(walk: Walk): number {
  const c = walk.comparison;
  if (!c) return 0;
  return c.probeMatch && c.netfilterMatch && c.state.every((s) => s.match) ? 0 : 1;
}
