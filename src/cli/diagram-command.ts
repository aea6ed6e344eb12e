// `packetwalk diagram SCRIPT`: the topology a script builds, as a Mermaid flowchart (or
// an SVG/PNG of it), from the backend's inspect() after the script (or --until LINE).
import { runLab } from "../compare/lab-run.js";
import { createdOrder } from "../diagram/created-order.js";
import { withContainers } from "../diagram/containers.js";
import { topologyChart } from "../diagram/topology-chart.js";
import { dockerContainers } from "./docker-containers.js";
import { chooseMode, openBackends, type BackendOptions } from "./backends.js";
import { diagramFormat, writeDiagrams } from "./diagram-output.js";
import { loadScript, UserError } from "./load-script.js";
import { refuseNotSimulated } from "./sim-preflight.js";
import { untilLine } from "./until.js";

export interface DiagramOptions extends BackendOptions {
  until?: string;
  format?: string;
  output?: string;
}

type Write = (s: string) => void;

export async function diagramCommand(
  file: string,
  opts: DiagramOptions,
  write: Write,
): Promise<number> {
  if (opts.compare) throw new UserError("packetwalk diagram: draw one backend: --sim or --kernel");
  const mode = chooseMode(opts);
  const format = diagramFormat(opts.format, opts.output);
  if (format === "png" && !opts.output)
    throw new UserError("packetwalk diagram: --format png needs -o FILE");
  const script = refuseNotSimulated(untilLine(loadScript(file), opts.until), mode);
  const open = await openBackends(mode, opts);
  let mmd: string;
  try {
    const backend = (open.sim ?? open.kernel)!;
    await runLab(script.commands, backend);
    const until = opts.until ? ` --until ${opts.until}` : "";
    const topo = await backend.inspect();
    const containers = await dockerContainers(backend, script.commands);
    mmd = topologyChart(withContainers(topo, containers), {
      title: `packetwalk diagram ${script.file}${until}`,
      order: createdOrder(script.commands),
    });
  } finally {
    await open.close();
  }
  if (!opts.output) {
    if (format === "mmd") {
      write(mmd);
      return 0;
    }
    throw new UserError(`packetwalk diagram: --format ${format} needs -o FILE`);
  }
  return writeDiagrams([{ file: opts.output, mmd }], format);
}
