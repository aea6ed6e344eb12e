// Benchmark: loading N iptables rules in the simulator, by N `iptables -A` lines and by
// one `iptables-restore FILE` of N rules, and one ping's walk through them (each rule is
// tried and does not match, so the walk costs what N rule checks cost).
//   tsx --expose-gc bench/iptables-rules.ts            N = 1000, 10000, 100000
//   tsx --expose-gc bench/iptables-rules.ts 4000       other sizes
// Goal (issue 13): 100,000 rules load in at most 5 s either way; a walk costs O(N).
// Prints wall and CPU time (user + system, steadier on a shared machine). Never timed in tests.
import { performance } from "node:perf_hooks";
import { parseLine } from "../src/script/parse.js";
import type { LabCommand } from "../src/script/types.js";
import { SimBackend } from "../src/sim/sim-backend.js";

/** Rule i: a destination no ping goes to, so every packet passes every rule. */
function ruleSpec(i: number): string {
  return `-d 198.18.${(i >> 8) & 255}.${i & 255}/32 -p tcp --dport ${1 + (i % 60000)} -j DROP`;
}

const line = (text: string, n = 1): LabCommand => parseLine(text, n)!;

function restoreCommand(n: number): LabCommand {
  const rules = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"];
  for (let i = 0; i < n; i++) rules.push(`-A OUTPUT ${ruleSpec(i)}`);
  rules.push("COMMIT", "");
  const cmd = line("iptables-restore rules.v4");
  return { ...cmd, files: [{ arg: 0, name: "rules.v4", content: rules.join("\n") }] };
}

interface Timed {
  wall: number;
  cpu: number;
}

async function timed(fn: () => Promise<void>): Promise<Timed> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

async function check(sim: SimBackend, cmd: LabCommand): Promise<void> {
  const r = await sim.run(cmd);
  if (r.exit !== 0) throw new Error(`${cmd.text}: exit ${r.exit}: ${r.stderr}`);
}

const ping = line("ping -c1 -W1 127.0.0.1");
const lo = line("ip link set lo up");

/** One ping through the OUTPUT chain's N rules (and INPUT's none), after one to warm up. */
async function timePing(sim: SimBackend): Promise<Timed & { heap?: number }> {
  // The heap grown over the ping (after a full collection, so nothing old is counted): a
  // walk that allocated per rule would grow it with N. Needs --expose-gc.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const h0 = process.memoryUsage().heapUsed;
  const t = await timed(() => check(sim, ping));
  return { ...t, heap: gc ? process.memoryUsage().heapUsed - h0 : undefined };
}

const fmtHeap = (b: number | undefined): string =>
  b === undefined ? "n/a" : `${(b / 1024).toFixed(0)} kB`;

const fmt = (t: Timed): string => {
  const f = (ms: number): string =>
    ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
  return `${f(t.cpu)} (${f(t.wall)})`;
};

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  console.log("CPU time (wall time in brackets)");
  console.log(
    "N        -A lines              restore               ping walk (after -A)  walk heap  ping walk, empty  heap",
  );
  const empty = new SimBackend();
  await check(empty, lo);
  await check(empty, ping);
  const base = await timePing(empty);
  for (const n of sizes.length ? sizes : [1000, 10000, 100000]) {
    const cmds = Array.from({ length: n }, (_, i) => line(`iptables -A OUTPUT ${ruleSpec(i)}`));
    const a = new SimBackend();
    await check(a, lo);
    const appendT = await timed(async () => {
      for (const c of cmds) await check(a, c);
    });
    await check(a, ping);
    const walk = await timePing(a);
    const r = new SimBackend();
    const restore = restoreCommand(n);
    const restoreT = await timed(() => check(r, restore));
    console.log(
      [
        String(n).padEnd(8),
        fmt(appendT).padEnd(21),
        fmt(restoreT).padEnd(21),
        fmt(walk).padEnd(21),
        fmtHeap(walk.heap).padEnd(10),
        fmt(base).padEnd(17),
        fmtHeap(base.heap),
      ].join(" "),
    );
  }
}

await main();
