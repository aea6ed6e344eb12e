// Benchmark: `walk --kernel` and `walk --compare` as the world grows (issue 13, goal 3: a
// walk at 200 containers within 2x of the same walk at 4). runWalk as the CLI runs it, with
// a predicting simulator (the trace only where the probe goes) and with --trace-all; one
// `ping -c1` from the first container to the last. Two figures per walk: the set-up (the
// script's lines on the kernel, then a 1.1 s settle), which grows with the world as any
// script does, and the walk after it (prediction, trace start, probe, 300 ms settle, trace
// collected, state read and compared), which is what goal 3 is about.
//   tsx bench/kernel-walk.ts            N = 4, 200
//   tsx bench/kernel-walk.ts 4 50 200   other sizes
//   tsx bench/kernel-walk.ts --docker 4 30   N containers on a docker network (a real
//                                        dockerd in the sandbox), `docker exec c0 ping`
// Needs root (or user namespaces); run it under the kernel lock. Never timed in tests.
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { KernelBackend } from "../src/real/kernel-backend.js";
import { parseLine, parseScript } from "../src/script/parse.js";
import { SimBackend } from "../src/sim/sim-backend.js";
import { runWalk } from "../src/walk/run-walk.js";
import { addr, containersScript } from "./containers-script.js";

type Mode = "kernel" | "kernel --trace-all" | "compare" | "compare --trace-all";
const MODES: Mode[] = ["kernel", "kernel --trace-all", "compare", "compare --trace-all"];

interface Timed {
  setup: number;
  walk: number;
  traced: number;
  warnings: string[];
}

/** N containers on one docker network, c0 to c(N-1) (172.18.0.2 onwards). */
function dockerScript(n: number): string {
  const lines = ["docker network create n1"];
  for (let i = 0; i < n; i++) lines.push(`docker run -d --name c${i} --network n1 alpine`);
  return lines.join("\n") + "\n";
}

async function timeWalk(n: number, mode: Mode, docker = false): Promise<Timed> {
  const { script } = parseScript(docker ? dockerScript(n) : containersScript(n), "bench");
  const probe = parseLine(
    docker
      ? `docker exec c0 ping -c1 -W1 172.18.${Math.floor((n + 1) / 256)}.${(n + 1) % 256}`
      : `ip netns exec c0 ping -c1 -W1 ${addr(n - 1)}`,
    1,
    "<probe>",
  )!;
  const kernel = await KernelBackend.start({ timeoutMs: 120_000 });
  const sim = mode.startsWith("compare") ? new SimBackend() : undefined;
  const predictor = mode.endsWith("--trace-all") ? undefined : new SimBackend();
  try {
    const t0 = performance.now();
    let setupEnd: number | undefined;
    // The first message after the kernel's set-up marks the walk's start.
    const progress = (what: string): void => {
      if (setupEnd === undefined && !what.startsWith("setting up")) setupEnd = performance.now();
    };
    const w = await runWalk(
      script,
      probe,
      { kernel, ...(sim ? { sim } : {}), ...(predictor ? { predictor } : {}) },
      progress,
    );
    const end = performance.now();
    if (w.kernel?.probe.exit !== 0)
      throw new Error(`kernel ping failed: ${w.kernel?.probe.stdout}`);
    if (w.comparison && w.comparison.differences.length > 0) {
      throw new Error(`the walks differ: ${JSON.stringify(w.comparison.differences)}`);
    }
    return {
      setup: (setupEnd ?? end) - t0,
      walk: end - (setupEnd ?? end),
      traced: w.kernel.traced?.length ?? 0,
      warnings: w.kernel.warnings,
    };
  } finally {
    await predictor?.close();
    await sim?.close();
    await kernel.close();
  }
}

const fmt = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;

/** One row per size and mode; the walk's ratio against the first size's, same mode. */
export async function printKernelWalks(
  ns: number[],
  modes: Mode[] = MODES,
  docker = false,
): Promise<void> {
  console.log("N      mode                  set-up     walk       vs first  traced  load");
  const first = new Map<Mode, number>();
  for (const n of ns) {
    for (const mode of modes) {
      process.stderr.write(`N=${n}: walk ${mode}...\n`);
      const t = await timeWalk(n, mode, docker);
      if (!first.has(mode)) first.set(mode, t.walk);
      console.log(
        [
          String(n).padEnd(6),
          mode.padEnd(21),
          fmt(t.setup).padEnd(10),
          fmt(t.walk).padEnd(10),
          (t.walk / first.get(mode)!).toFixed(2).padEnd(9),
          String(t.traced).padEnd(7),
          loadavg()[0]!.toFixed(1),
        ].join(" "),
      );
      for (const w of t.warnings) console.log(`       warning: ${w}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  const docker = process.argv.includes("--docker");
  await printKernelWalks(sizes.length ? sizes : docker ? [4, 30] : [4, 200], MODES, docker);
}
