// Benchmark: build N "containers" on a bridge (the lines Docker's bridge driver runs),
// in the simulator, in the kernel backend and as a plain shell script of the same lines,
// and the cost of one traced ping walk (the walk built from the trace; on the kernel, with
// xtables-monitor in every namespace) as N grows; then world snapshots of the same worlds
// (bench/snapshot.ts).
//   npm run bench              N = 10, 200, 1000
//   npm run bench -- 10 50     other sizes
// Needs root (or user namespaces) for the kernel and shell columns. Never timed in tests.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runLab } from "../src/compare/lab-run.js";
import { KernelBackend } from "../src/real/kernel-backend.js";
import { parseLine, parseScript } from "../src/script/parse.js";
import type { LabCommand } from "../src/script/types.js";
import { SimBackend } from "../src/sim/sim-backend.js";
import { kernelProbe, SETTLE_MS, simProbe } from "../src/walk/traced-probe.js";
import { addr, containersScript } from "./containers-script.js";
import { fmtBytes, fmtMs, timeSnapshot } from "./snapshot.js";

async function timeSim(script: string, n: number): Promise<{ build: number; ping: number }> {
  const { script: s } = parseScript(script, "bench");
  const sim = new SimBackend();
  const t0 = performance.now();
  await runLab(s.commands, sim);
  const build = performance.now() - t0;
  // One ping walk from the first to the last container (ARP, bridge, reply), then a second
  // one with warm caches; report the first.
  const t1 = performance.now();
  const w = await simProbe(sim, probe(n));
  const pingMs = performance.now() - t1;
  if (w.result.exit !== 0) throw new Error(`sim ping failed: ${w.result.stdout}${w.result.stderr}`);
  return { build, ping: pingMs };
}

function probe(n: number): LabCommand {
  return parseLine(`ip netns exec c0 ping -c1 -W1 ${addr(n - 1)}`, 1)!;
}

async function timeKernel(
  script: string,
  n: number,
  processServer = true,
): Promise<{ build: number; walk: number | string }> {
  const { script: s } = parseScript(script, "bench");
  const k = await KernelBackend.start({ timeoutMs: 60_000, processServer });
  try {
    const t0 = performance.now();
    const res = await runLab(s.commands, k);
    const bad = res.find((r) => r.result.exit !== 0);
    if (bad) throw new Error(`kernel: line ${bad.line} failed: ${bad.result.stderr}`);
    const build = performance.now() - t0;
    if (!processServer) return { build, walk: "-" }; // only the build is compared
    const t1 = performance.now();
    // A trace that cannot start (a starved monitor on a busy machine) fails the walk only.
    const w = await kernelProbe(k, probe(n)).catch((e: unknown) => String(e));
    if (typeof w === "string") return { build, walk: `failed: ${w}` };
    if (w.result.exit !== 0) throw new Error(`kernel ping failed: ${w.result.stdout}`);
    // The settle time is a fixed wait, not work: it is left out.
    return { build, walk: performance.now() - t1 - SETTLE_MS };
  } finally {
    await k.close();
  }
}

function timeShell(script: string): number {
  const dir = mkdtempSync(join(tmpdir(), "pw-bench-"));
  const file = join(dir, "build.sh");
  writeFileSync(
    file,
    "set -e\nmount -t tmpfs tmpfs /run && mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns\n" +
      script,
  );
  const userns = process.getuid?.() !== 0 ? ["--user", "--map-root-user"] : [];
  const t0 = performance.now();
  execFileSync(
    "unshare",
    [
      ...userns,
      "--net",
      "--mount",
      "--pid",
      "--fork",
      "--kill-child",
      "--mount-proc",
      "bash",
      file,
    ],
    {
      stdio: "inherit",
    },
  );
  return performance.now() - t0;
}

const fmt = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  const ns = sizes.length ? sizes : [10, 200, 1000];
  console.log(
    "N      lines   sim build   kernel      shell       kernel/sim  shell/sim  kernel/shell  sim walk    kernel walk  init spawn  init/shell  per line: kernel / init / shell",
  );
  for (const n of ns) {
    const script = containersScript(n);
    const lines = script.trim().split("\n").length;
    process.stderr.write(`N=${n}: simulator...`);
    const sim = await timeSim(script, n);
    process.stderr.write(" kernel backend...");
    const { build: kernel, walk: kernelWalk } = await timeKernel(script, n);
    process.stderr.write(" init spawn...");
    // The same through the sandbox's init (Node's spawn), as before the process server.
    const { build: init } = await timeKernel(script, n, false);
    process.stderr.write(" shell...\n");
    const shell = timeShell(script);
    const perLine = (ms: number): string => `${(ms / lines).toFixed(2)} ms`;
    console.log(
      [
        String(n).padEnd(6),
        String(lines).padEnd(7),
        fmt(sim.build).padEnd(11),
        fmt(kernel).padEnd(11),
        fmt(shell).padEnd(11),
        (kernel / sim.build).toFixed(1).padEnd(11),
        (shell / sim.build).toFixed(1).padEnd(10),
        (kernel / shell).toFixed(2).padEnd(13),
        fmt(sim.ping).padEnd(11),
        (typeof kernelWalk === "string" ? kernelWalk : fmt(kernelWalk)).padEnd(12),
        fmt(init).padEnd(11),
        (init / shell).toFixed(2).padEnd(11),
        `${perLine(kernel)} / ${perLine(init)} / ${perLine(shell)}`,
      ].join(" "),
    );
  }
  // World snapshots (bench/snapshot.ts): take, the heap a snapshot holds, restore (a replay).
  console.log("\nN      snap take   snap heap   restore     world heap");
  for (const n of ns) {
    process.stderr.write(`N=${n}: snapshot...\n`);
    const f = await timeSnapshot(n);
    console.log(
      [
        String(n).padEnd(6),
        fmtMs(f.take).padEnd(11),
        fmtBytes(f.snapBytes).padEnd(11),
        fmtMs(f.restore).padEnd(11),
        fmtBytes(f.worldBytes),
      ].join(" "),
    );
  }
}

await main();
