// `walk --diagram [-o FILE]`: the walk's pictures (src/diagram/walk-diagrams.ts). Without
// -o, or with FILE.md, one Markdown file of Mermaid blocks; with FILE.mmd, .svg or .png,
// three files: FILE-sequence, FILE-topology and FILE-netfilter.
import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import type { Topology } from "../backend/topology.js";
import type { LabScript } from "../script/types.js";
import { createdOrder } from "../diagram/created-order.js";
import { walkDiagrams } from "../diagram/walk-diagrams.js";
import type { Walk } from "../walk/types.js";
import { diagramFormat, markdownOf, withExtension, writeDiagrams } from "./diagram-output.js";

type Write = (s: string) => void;

export async function writeWalkDiagrams(
  walk: Walk,
  script: LabScript,
  topology: Topology,
  output: string | undefined,
  write: Write,
): Promise<number> {
  const probe = walk.sim?.probe.text ?? walk.kernel?.probe.text ?? "";
  const title = `packetwalk walk ${script.file} -- ${probe}`;
  const d = walkDiagrams({
    title,
    topology,
    ...(walk.sim ? { packets: walk.sim.packets } : {}),
    ...(walk.kernel ? { netfilter: walk.kernel.netfilter } : {}),
    order: createdOrder(script.commands),
  });
  const parts = [
    ...(d.sequence
      ? [{ name: "sequence", heading: "The packets, hop by hop", mmd: d.sequence }]
      : []),
    { name: "topology", heading: "Their path through the topology", mmd: d.topology },
    { name: "netfilter", heading: "The netfilter steps they passed", mmd: d.netfilter },
  ];
  if (!output || extname(output) === ".md") {
    const md = markdownOf(title, parts);
    if (output) writeFileSync(output, md);
    else write(md);
    return 0;
  }
  const format = diagramFormat(undefined, output);
  const base = withExtension(output, "x").slice(0, -2);
  return writeDiagrams(
    parts.map((p) => ({ file: `${base}-${p.name}.${format}`, mmd: p.mmd })),
    format,
  );
}
