// Simulator-only build of N containers, for profiling: tsx bench/sim-only.ts N
import { performance } from "node:perf_hooks";
import { runLab } from "../src/compare/lab-run.js";
import { parseScript } from "../src/script/parse.js";
import { SimBackend } from "../src/sim/sim-backend.js";
import { containersScript } from "./containers-script.js";

const n = Number(process.argv[2] ?? 1000);
const { script } = parseScript(containersScript(n), "bench");
const sim = new SimBackend();
const t0 = performance.now();
await runLab(script.commands, sim);
console.log(
  `N=${n}: ${(performance.now() - t0).toFixed(0)} ms for ${script.commands.length} lines`,
);
