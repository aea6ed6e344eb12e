// Simulator-only build of N containers, for profiling: tsx --expose-gc bench/sim-only.ts N...
// Prints wall time and CPU time (user + system: steadier on a shared machine) per size,
// and the memory the world holds (goal, issue 13: 1,000 containers within 300 MB resident).
import { performance } from "node:perf_hooks";
import { runLab } from "../src/compare/lab-run.js";
import { parseScript } from "../src/script/parse.js";
import { SimBackend } from "../src/sim/sim-backend.js";
import { containersScript } from "./containers-script.js";

const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length ? sizes : [1000]) {
  const { script } = parseScript(containersScript(n), "bench");
  const sim = new SimBackend();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await runLab(script.commands, sim);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  // The world's memory: the heap after a full collection (needs --expose-gc) and the
  // process's resident set, now and at its peak (the parsed script is held too).
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const mem = process.memoryUsage();
  const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
  console.log(
    `N=${n}: ${wall.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU for ${script.commands.length} lines; ` +
      `heap ${gc ? mb(mem.heapUsed) : "n/a"}, RSS ${mb(mem.rss)} (peak ${mb(process.resourceUsage().maxRSS * 1024)})`,
  );
  // One more container's 7 lines in the world just built: what a line costs at this size
  // (goal: the same whatever the size; bringing the port up floods one IPv6 multicast
  // report to every port, as the kernel does, so that line grows with N).
  const more = parseScript(containersScript(n + 1), "bench").script.commands.slice(-7);
  const c1 = process.cpuUsage();
  for (let i = 0; i < 20; i++) {
    // Twenty more containers, each a fresh name: their lines are what is timed.
    const lines = more.map(
      (c) =>
        parseScript(c.text.replaceAll(`c${n}`, `x${i}`).replaceAll(`v${n}`, `w${i}`), "bench")
          .script.commands[0]!,
    );
    await runLab(lines, sim);
  }
  const per = process.cpuUsage(c1);
  console.log(
    `       one more line: ${((per.user + per.system) / 1000 / (20 * 7)).toFixed(3)} ms CPU on average`,
  );
}
