// Asking docker, through the backend, which containers run and what their interfaces are,
// for the topology diagram (src/diagram/containers.ts says why). Only docker's own CLI
// and `docker exec NAME ip ...` lines are run, read-only, so both backends answer alike
// (the docker labs hold those lines' outputs equal). Nothing is asked of a lab that ran
// no docker line.
import type { Backend } from "../backend.js";
import { parseContainer, type ContainerView } from "../diagram/containers.js";
import { parseLine } from "../script/parse.js";
import type { LabCommand } from "../script/types.js";

async function ask(backend: Backend, line: string): Promise<string> {
  const command = parseLine(line, 0, "<diagram>");
  if (!command) return "";
  const r = await backend.run(command);
  return r.exit === 0 ? r.stdout : "";
}

export async function dockerContainers(
  backend: Backend,
  commands: readonly LabCommand[],
): Promise<ContainerView[]> {
  if (!commands.some((c) => c.program === "docker")) return [];
  const names = (await ask(backend, "docker ps --format '{{.Names}}'"))
    .split("\n")
    .filter((n) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n))
    .sort();
  const out: ContainerView[] = [];
  const keys = new Set<string>();
  for (const name of names) {
    // Only a container with a namespace of its own: not --network host (the "default"
    // sandbox) and not --network container:X (X's sandbox, drawn once, under X).
    const mode = (
      await ask(backend, `docker inspect -f '{{.HostConfig.NetworkMode}}' ${name}`)
    ).trim();
    if (mode === "host" || mode.startsWith("container:")) continue;
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
