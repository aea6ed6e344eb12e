// Benchmark: the memory a long simulated ping holds. `ping -q -c N` on loopback for growing
// N: the heap after the ping (after a full collection) should not grow with N (goal,
// issue 13: constant memory); CPU time grows linearly. Without -q the ping's own output
// (one line a reply, kept as the command's stdout) grows with N, as it must.
//   tsx --expose-gc bench/ping-memory.ts            N = 1000, 10000, 100000
// Never timed in tests.
import { performance } from "node:perf_hooks";
import { parseLine } from "../src/script/parse.js";
import { SimBackend } from "../src/sim/sim-backend.js";

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MB`;

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  console.log("N        flags  CPU        wall       stdout     heap after  peak RSS so far");
  for (const quiet of [true, false]) {
    for (const n of sizes.length ? sizes : [1000, 10000, 100000]) {
      // A ping a second: N seconds of virtual time, past the default 20 s a command may take.
      const sim = new SimBackend({ timeLimitMs: (n + 60) * 1000 });
      await sim.run(parseLine("ip link set lo up", 1)!);
      const cmd = parseLine(`ping ${quiet ? "-q " : ""}-c ${n} 127.0.0.1`, 2)!;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await sim.run(cmd);
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (r.exit !== 0) throw new Error(`ping failed: ${r.stderr}`);
      gc?.();
      const heap = process.memoryUsage().heapUsed;
      console.log(
        [
          String(n).padEnd(8),
          (quiet ? "-q" : "").padEnd(6),
          `${((c.user + c.system) / 1000).toFixed(0)} ms`.padEnd(10),
          `${wall.toFixed(0)} ms`.padEnd(10),
          `${(r.stdout.length / 1024).toFixed(0)} kB`.padEnd(10),
          (gc ? mb(heap) : "n/a").padEnd(11),
          mb(process.resourceUsage().maxRSS * 1024),
        ].join(" "),
      );
    }
  }
}

await main();
