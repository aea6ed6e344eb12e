// Asking docker, through a backend, which containers run: the walk's state reads and trace
// scope, and the topology diagram, list them the same way. Only docker's own read-only
// CLI lines are run, so both backends answer alike.
import type { Backend } from "../backend.js";
import { parseLine } from "../script/parse.js";
import type { LabCommand } from "../script/types.js";

/** Runs one line packetwalk wrote (`source` names it in errors): its stdout, or undefined if it failed. */
export async function ask(
  backend: Backend,
  text: string,
  source: string,
): Promise<string | undefined> {
  const cmd = parseLine(text, 0, source);
  if (!cmd) return undefined;
  const r = await backend.run(cmd);
  return r.exit === 0 ? r.stdout : undefined;
}

/**
 * The running containers with a namespace of their own, by name, sorted: not
 * `--network host` (the root's) nor `--network container:X` (X's). None for a script with
 * no docker line: nothing is asked then.
 */
export async function runningContainers(
  backend: Backend,
  commands: readonly LabCommand[],
  source: string,
): Promise<string[]> {
  if (!commands.some((c) => c.program === "docker")) return [];
  const names = (await ask(backend, "docker ps --format '{{.Names}}'", source))
    ?.split("\n")
    .filter((n) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n));
  if (!names || names.length === 0) return [];
  const modes = await ask(
    backend,
    `docker inspect -f '{{.Name}} {{.HostConfig.NetworkMode}}' ${names.join(" ")}`,
    source,
  );
  const own = (modes ?? "").split("\n").flatMap((l) => {
    const [name, mode] = l.trim().split(" ");
    if (!name || !mode || mode === "host" || mode.startsWith("container:")) return [];
    return [name.replace(/^\//, "")];
  });
  return own.sort();
}
