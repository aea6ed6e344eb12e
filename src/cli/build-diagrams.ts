// `npm run diagrams` writes diagrams/: the topology of every lesson at each step where it
// changes, and the pictures of every walk the docs show, as .mmd and .svg (one browser
// session for all). `npm run diagrams:check` (and test/diagram/stale.test.ts) fails when
// a .mmd is not what the code draws now: Mermaid text is deterministic, so staleness is a
// text comparison and needs no browser.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { withContainers } from "../diagram/containers.js";
import { createdOrder } from "../diagram/created-order.js";
import { netfilterMap } from "../diagram/netfilter-map.js";
import { topologyChart } from "../diagram/topology-chart.js";
import { walkDiagrams } from "../diagram/walk-diagrams.js";
import { openRenderer } from "../render-node/mermaid-render.js";
import { BUILTIN_PROFILES } from "../sim/profile.js";
import { SimBackend } from "../sim/sim-backend.js";
import type { LabScript } from "../script/types.js";
import { parseProbe } from "../walk/probe.js";
import { runWalk } from "../walk/run-walk.js";
import { pick } from "../lessons/format.js";
import { runStep } from "../lessons/run-step.js";
import { dockerContainers } from "./docker-containers.js";
import { lessonDiagramName } from "./lesson-diagram.js";
import { lessonFiles, readLesson } from "./lesson-files.js";
import { loadScript } from "./load-script.js";

/** A topology picture: a lesson's world after one of its steps. */
export interface TopologyItem {
  /** The file's name under diagrams/lessons/, without extension: "03-veth-pairs-step-02". */
  name: string;
  /** The lesson file, relative to the root ("lessons/03-veth-pairs.md"). */
  script: string;
  /** The step's number (1-based). */
  step: number;
  /** The step's title, for diagrams/README.md. */
  title: string;
}

/** A walk's pictures: the script, then the probe. */
export interface WalkItem {
  name: string;
  script: string;
  probe: string[];
}

/** One generated file: its path under diagrams/ and its Mermaid text. */
export interface DiagramFile {
  path: string;
  mmd: string;
  /** The heading diagrams/README.md gives it (the file's name without one). */
  title?: string;
}

/**
 * Every step of every lesson (lessons/*.md, read as `learn` reads them). The only place
 * that knows how lessons are found: a new lesson format changes this function alone.
 */
export function lessonItems(root: string): TopologyItem[] {
  const items: TopologyItem[] = [];
  for (const file of lessonFiles(join(root, "lessons"))) {
    const { lesson } = readLesson(file);
    const script = relative(root, file);
    for (const step of lesson.steps)
      items.push({
        name: lessonDiagramName(script, step.number),
        script,
        step: step.number,
        title: `[${basename(script)}](../${script}), step ${step.number}: ${pick(step.title, "", lesson.lang)}`,
      });
  }
  return items;
}

/** The walks the docs show: each `packetwalk walk SCRIPT -- PROBE` line of docs/*.md. */
export function docWalkItems(root: string): WalkItem[] {
  const dir = join(root, "docs");
  const items: WalkItem[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith(".md"))
    .sort()) {
    const text = readFileSync(join(dir, f), "utf8");
    let n = 0;
    for (const m of text.matchAll(/^packetwalk walk (\S+\.lab) -- (.+)$/gm)) {
      n++;
      items.push({
        name: `${f.replace(/\.md$/, "")}-${n}`,
        script: m[1]!,
        probe: m[2]!.trim().split(/\s+/),
      });
    }
  }
  return items;
}

function newSim(): SimBackend {
  return new SimBackend({ profile: BUILTIN_PROFILES["docker-host"]!, seed: 1 });
}

/**
 * Each item's topology, after the step ran as `learn` runs it (lab lines, walk, checks); a
 * step that draws the same as the one before it in the same lesson is left out (only
 * steps where the picture changes get one).
 */
export async function topologyFiles(root: string, items: TopologyItem[]): Promise<DiagramFile[]> {
  const out: DiagramFile[] = [];
  const byScript = new Map<string, TopologyItem[]>();
  for (const it of items) byScript.set(it.script, [...(byScript.get(it.script) ?? []), it]);
  for (const [script, its] of byScript) {
    const { lesson } = readLesson(join(root, script));
    const order = createdOrder(lesson.steps.flatMap((s) => s.commands));
    const wanted = new Set(its.map((it) => it.step));
    const sim = newSim();
    let previous: string | undefined;
    try {
      for (const step of lesson.steps) {
        if (step.number > Math.max(...wanted)) break;
        await runStep(lesson, step, sim);
        const it = its.find((x) => x.step === step.number);
        if (!it) continue;
        const ran = lesson.steps.filter((x) => x.number <= step.number).flatMap((x) => x.commands);
        const topo = withContainers(await sim.inspect(), await dockerContainers(sim, ran));
        const body = topologyChart(topo, { order });
        if (body === previous) continue;
        previous = body;
        const title = `${script} after step ${step.number}: generated by npm run diagrams`;
        out.push({
          path: `lessons/${it.name}.mmd`,
          mmd: topologyChart(topo, { order, title }),
          title: it.title,
        });
      }
    } finally {
      await sim.close();
    }
  }
  return out;
}

export async function walkFiles(root: string, items: WalkItem[]): Promise<DiagramFile[]> {
  const out: DiagramFile[] = [];
  for (const it of items) {
    const lab: LabScript = loadScript(join(root, it.script));
    const sim = newSim();
    try {
      const walk = await runWalk(lab, parseProbe(it.probe), { sim });
      const d = walkDiagrams({
        title: `packetwalk walk ${it.script} -- ${it.probe.join(" ")}: generated by npm run diagrams`,
        topology: await sim.inspect(),
        packets: walk.sim!.packets,
        order: createdOrder(lab.commands),
      });
      if (d.sequence) out.push({ path: `walks/${it.name}-sequence.mmd`, mmd: d.sequence });
      out.push({ path: `walks/${it.name}-topology.mmd`, mmd: d.topology });
      out.push({ path: `walks/${it.name}-netfilter.mmd`, mmd: d.netfilter });
    } finally {
      await sim.close();
    }
  }
  return out;
}

/** Everything diagrams/ holds, as Mermaid text, index included. */
export async function allDiagrams(root: string): Promise<DiagramFile[]> {
  const files = [
    { path: "netfilter-map.mmd", mmd: netfilterMap(new Map(), "generated by npm run diagrams") },
    ...(await topologyFiles(root, lessonItems(root))),
    ...(await walkFiles(root, docWalkItems(root))),
  ];
  return files;
}

/** diagrams/README.md: every picture, by its SVG (GitHub shows them inline). */
export function indexOf(files: DiagramFile[]): string {
  let s =
    "# Diagrams\n\nGenerated by `npm run diagrams` (do not edit; `npm run diagrams:check` fails when\n" +
    "they are stale). Each picture is also here as Mermaid text (`.mmd`). How they are laid\n" +
    "out: docs/diagrams.md.\n";
  let section = "";
  for (const f of files) {
    const dir = dirname(f.path);
    if (dir !== section) {
      section = dir;
      s += `\n## ${dir === "." ? "The netfilter map" : dir === "lessons" ? "Lessons, step by step" : "Walks from the docs"}\n`;
    }
    const svg = f.path.replace(/\.mmd$/, ".svg");
    const name = basename(f.path, ".mmd");
    s += `\n### ${f.title ?? name}\n\n![${name}](${svg})\n`;
  }
  return s;
}

/** The .mmd files under diagrams/ that differ from what the code draws now. */
export function staleFiles(outDir: string, files: DiagramFile[]): string[] {
  const want = new Map(files.map((f) => [f.path, f.mmd]));
  want.set("README.md", indexOf(files));
  const stale: string[] = [];
  for (const [p, text] of want) {
    const file = join(outDir, p);
    if (!existsSync(file) || readFileSync(file, "utf8") !== text) stale.push(p);
    if (p.endsWith(".mmd") && !existsSync(file.replace(/\.mmd$/, ".svg")))
      stale.push(p.replace(/\.mmd$/, ".svg"));
  }
  for (const sub of ["lessons", "walks"]) {
    const d = join(outDir, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).filter((x) => x.endsWith(".mmd"))) {
      if (!want.has(`${sub}/${f}`)) stale.push(`${sub}/${f} (no longer generated)`);
    }
  }
  return stale;
}

async function main(argv: string[]): Promise<number> {
  const root = process.cwd();
  const outDir = join(root, "diagrams");
  const files = await allDiagrams(root);
  if (argv.includes("--check")) {
    const stale = staleFiles(outDir, files);
    if (stale.length === 0) {
      process.stdout.write(`diagrams/ is up to date (${files.length} diagrams)\n`);
      return 0;
    }
    process.stderr.write(
      `diagrams/ is stale; run npm run diagrams:\n${stale.map((s) => `  ${s}`).join("\n")}\n`,
    );
    return 1;
  }
  // Only what changed is rendered again (--force: everything): Mermaid's edge routing is
  // not byte-for-byte stable, so re-rendering an unchanged diagram would only churn git.
  const force = argv.includes("--force");
  const todo = files.filter((f) => {
    const file = join(outDir, f.path);
    const svg = file.replace(/\.mmd$/, ".svg");
    return force || !existsSync(svg) || !existsSync(file) || readFileSync(file, "utf8") !== f.mmd;
  });
  const wanted = new Set(files.flatMap((f) => [f.path, f.path.replace(/\.mmd$/, ".svg")]));
  for (const sub of ["lessons", "walks"]) {
    const d = join(outDir, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (!wanted.has(`${sub}/${f}`)) rmSync(join(d, f));
  }
  const started = performance.now();
  if (todo.length > 0) {
    const renderer = await openRenderer();
    try {
      for (const f of todo) {
        const file = join(outDir, f.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, f.mmd);
        writeFileSync(file.replace(/\.mmd$/, ".svg"), await renderer.render(f.mmd, "svg"));
      }
    } finally {
      await renderer.close();
    }
  }
  writeFileSync(join(outDir, "README.md"), indexOf(files));
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    `${files.length} diagrams in ${relative(root, outDir)}/: ${todo.length} rendered (${ms} ms)\n`,
  );
  return 0;
}

if (process.argv[1] && basename(process.argv[1]).startsWith("build-diagrams")) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
