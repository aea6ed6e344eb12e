// The network namespaces of the running containers, for the kernel's netfilter trace
// (nf-trace.ts): `ip netns` does not name them, dockerd keeps each as a file under
// /run/docker/netns (its SandboxKey), which the sandbox can enter with nsenter. Each is
// called "NAME (container)", as the simulator's walks call it (sim/docker/daemon.ts).
import type { NsFile } from "../nf-trace.js";
import type { DockerDaemon } from "./daemon.js";

/** One `docker inspect` line per container: name, network mode, sandbox key. */
const FORMAT = "{{.Name}}\t{{.HostConfig.NetworkMode}}\t{{.NetworkSettings.SandboxKey}}";

/** What traces call a container's namespace. */
export const containerNsName = (name: string): string => `${name} (container)`;

export async function containerNamespaces(daemon: DockerDaemon): Promise<NsFile[]> {
  const ps = await daemon.run(["ps", "-q", "--no-trunc"]);
  if (ps.exit !== 0) throw new Error(`docker ps: ${ps.stderr.trim() || `exit ${ps.exit}`}`);
  const ids = ps.stdout.split("\n").filter((l) => /^[0-9a-f]+$/.test(l));
  if (ids.length === 0) return [];
  const r = await daemon.run(["inspect", "-f", FORMAT, ...ids]);
  // A container that ended between the two calls makes inspect fail for it alone: the
  // others' lines are still printed.
  return parseInspect(r.stdout);
}

/**
 * The namespaces of its own that each container has, by name. Left out: `--network host`
 * (the sandbox's namespace, traced anyway) and `--network container:X` (X's namespace,
 * traced as X's; docker gives such a container no sandbox key).
 */
export function parseInspect(text: string): NsFile[] {
  const out = new Map<string, NsFile>();
  for (const line of text.split("\n")) {
    const [name, mode, key] = line.split("\t");
    if (name === undefined || mode === undefined || key === undefined) continue;
    if (mode === "host" || mode.startsWith("container:") || !key.startsWith("/")) continue;
    if (out.has(key)) continue;
    out.set(key, { name: containerNsName(name.replace(/^\//, "")), path: key });
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
