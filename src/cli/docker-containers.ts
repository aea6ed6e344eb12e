// Asking docker, through the backend, which containers run and what their interfaces are,
// for the topology diagram (src/diagram/containers.ts says why). Only docker's own CLI
// and `docker exec NAME ip ...` lines are run, read-only, so both backends answer alike
// (the docker labs hold those lines' outputs equal). Nothing is asked of a lab that ran
// no docker line.
import type { Backend } from "../backend.js";
import { parseContainer, type ContainerView } from "../diagram/containers.js";
import type { LabCommand } from "../script/types.js";
import { ask as askLine, runningContainers } from "../walk/running-containers.js";

const ask = async (backend: Backend, line: string): Promise<string> =>
  (await askLine(backend, line, "<diagram>")) ?? "";

export async function dockerContainers(
  backend: Backend,
  commands: readonly LabCommand[],
): Promise<ContainerView[]> {
  const names = await runningContainers(backend, commands, "<diagram>");
  const out: ContainerView[] = [];
  const keys = new Set<string>();
  for (const name of names) {
    const key = (
      await ask(backend, `docker inspect -f '{{.NetworkSettings.SandboxKey}}' ${name}`)
    ).trim();
    if (key === "" || keys.has(key)) continue;
    keys.add(key);
    out.push(
      parseContainer(
        name,
        await ask(backend, `docker exec ${name} ip -o link`),
        await ask(backend, `docker exec ${name} ip -o -4 addr`),
        await ask(backend, `docker exec ${name} ip route show default`),
      ),
    );
  }
  return out;
}
