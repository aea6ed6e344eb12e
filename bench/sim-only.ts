// Simulator-only build of N containers, for profiling: tsx bench/sim-only.ts N...
// Prints wall time and CPU time (user + system: steadier on a shared machine) per size.
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
  console.log(
    `N=${n}: ${wall.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU for ${script.commands.length} lines`,
  );
}
