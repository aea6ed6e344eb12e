// Benchmark: start-up of the command line as a whole process, the built path
// (bin/packetwalk.js -> dist/, `npm run build` first) and through npx.
//   tsx bench/startup.ts [RUNS]        (default 7 runs each; the minimum and median shown)
// Goals (issue 13): `--help` within 150 ms, lesson 1 in the simulator within 400 ms.
// CPU time (user + system, from /usr/bin/time when present) is steadier than wall time on
// a shared machine. Never timed in tests.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const runs = Number(process.argv[2] ?? 7);
const TIME = "/usr/bin/time";
const hasTime = existsSync(TIME);

interface Run {
  wall: number;
  cpu?: number;
}

function once(argv: string[]): Run {
  const out = join(mkdtempSync(join(tmpdir(), "pw-start-")), "time");
  const cmd = hasTime ? [TIME, "-o", out, "-f", "%U %S", ...argv] : argv;
  const t0 = performance.now();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: exit ${r.status}: ${String(r.stderr)}`);
  if (!hasTime) return { wall };
  const [u, s] = readFileSync(out, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  return { wall, cpu: (u! + s!) * 1000 };
}

const ms = (x: number | undefined): string => (x === undefined ? "n/a" : `${x.toFixed(0)} ms`);
const stats = (xs: number[]): { min: number; median: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]! };
};

if (!existsSync("dist/cli/entry.js")) {
  console.error("dist/ is missing: run `npm run build` first");
  process.exit(1);
}
const cases: [string, string[]][] = [
  ["node -e 0 (Node itself)", ["node", "-e", "0"]],
  ["--help", ["node", "bin/packetwalk.js", "--help"]],
  [
    "run lesson 1 (sim)",
    ["node", "bin/packetwalk.js", "run", "lessons/01-namespaces-veth-bridge.lab"],
  ],
  ["npx packetwalk --help", ["npx", "--no-install", "packetwalk", "--help"]],
];
console.log(`${runs} runs each; min / median`);
console.log("command                      wall (min / median)    CPU (min / median)");
for (const [name, argv] of cases) {
  once(argv); // warm the file cache
  const rs = Array.from({ length: runs }, () => once(argv));
  const w = stats(rs.map((r) => r.wall));
  const c = hasTime ? stats(rs.map((r) => r.cpu!)) : undefined;
  console.log(
    [
      name.padEnd(28),
      `${ms(w.min)} / ${ms(w.median)}`.padEnd(22),
      c ? `${ms(c.min)} / ${ms(c.median)}` : "n/a",
    ].join(" "),
  );
}
