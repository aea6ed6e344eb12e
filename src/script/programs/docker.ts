// `docker` (Debian's docker.io 20.10 CLI): containers and their networks. On the kernel a
// real dockerd runs inside the sandbox (src/real/docker/); the simulator models the subset
// issue #10 lists. Two kinds of refusal:
// - check, before anything runs, in both backends: what must not run on the kernel
//   either (it would read or write the machine's files, reach another daemon or a
//   registry, or needs a terminal), and a container without --name (a random name
//   differs between backends and between runs);
// - dockerNotModelled, for the simulator at run time: what the real daemon runs but the
//   simulator does not model, reported as "... is not simulated (run it with --kernel)".
// What the CLI itself rejects (an unknown flag, a missing operand) is left to it: both
// backends print Docker's own error.
import { DOCKER_FLAGS, parseDockerArgs, subcommandOf } from "./docker-flags.js";
import type { ProgramSpec } from "./types.js";

export { parseDockerArgs, subcommandOf, type DockerArgs } from "./docker-flags.js";

/** What the simulator models, per subcommand: the flags it understands (long names). */
const MODELLED: Readonly<Record<string, readonly string[]>> = {
  run: ["detach", "rm", "name", "network", "net", "publish", "ip", "hostname", "sysctl"],
  create: ["rm", "name", "network", "net", "publish", "ip", "hostname", "sysctl"],
  start: [],
  stop: ["time"],
  restart: ["time"],
  rm: ["force"],
  exec: [],
  ps: ["all", "format"],
  port: [],
  inspect: ["format"],
  "network create": ["driver", "subnet", "gateway", "ip-range", "internal", "opt"],
  "network rm": [],
  "network ls": ["format"],
  "network inspect": ["format"],
  "network connect": ["ip"],
  "network disconnect": [],
};

/** The bridge driver's options the simulator models (`-o KEY=VALUE`). */
export const MODELLED_BRIDGE_OPTIONS = [
  "com.docker.network.bridge.name",
  "com.docker.network.bridge.enable_icc",
  "com.docker.network.bridge.enable_ip_masquerade",
] as const;

/**
 * Subcommands the real daemon in the sandbox may run although the simulator does not model
 * them: they touch only the sandbox's daemon (its tmpfs, its containers).
 */
const KERNEL_ONLY = new Set([
  "network prune",
  "container ls",
  "container list",
  "container prune",
  "images",
  "image ls",
  "logs",
  "top",
  "kill",
  "pause",
  "unpause",
  "rename",
  "wait",
  "tag",
  "rmi",
  "history",
  "version",
  "info",
  "stats",
  "volume",
]);

/** Docker commands that never run here, and why (they would leave the sandbox's daemon). */
const NEVER: Readonly<Record<string, string>> = {
  build: "no build context or registry reaches the sandbox",
  builder: "no build context or registry reaches the sandbox",
  buildx: "no build context or registry reaches the sandbox",
  pull: "no registry is reachable: every image name runs packetwalk's own image",
  push: "no registry is reachable",
  search: "no registry is reachable",
  login: "no registry is reachable",
  logout: "no registry is reachable",
  cp: "it copies files of the machine",
  save: "it writes files of the machine",
  load: "it reads files of the machine",
  import: "it reads files of the machine",
  export: "it writes files of the machine",
  commit: "labs run packetwalk's one image",
  attach: "it needs a terminal",
  context: "packetwalk points docker at its own daemon",
  swarm: "swarm mode is not part of the labs",
  service: "swarm mode is not part of the labs",
  stack: "swarm mode is not part of the labs",
  node: "swarm mode is not part of the labs",
  secret: "swarm mode is not part of the labs",
  config: "swarm mode is not part of the labs",
  plugin: "plugins come from a registry",
  trust: "no registry is reachable",
  manifest: "no registry is reachable",
  checkpoint: "checkpoints write files of the machine",
  system: "it reaches beyond the lab's containers",
  events: "it waits until it is killed",
};

/** Flags that never run here, with the reason (the container would reach the machine). */
const NEVER_FLAGS: Readonly<Record<string, string>> = {
  interactive: "a lab line has no terminal",
  tty: "a lab line has no terminal",
  attach: "a lab line has no terminal",
  "detach-keys": "a lab line has no terminal",
  volume: "a container may not see the machine's files",
  mount: "a container may not see the machine's files",
  "volumes-from": "a container may not see the machine's files",
  "volume-driver": "a container may not see the machine's files",
  privileged: "a privileged container could reach the machine",
  device: "a container may not use the machine's devices",
  "device-cgroup-rule": "a container may not use the machine's devices",
  gpus: "a container may not use the machine's devices",
  "security-opt": "containers keep Docker's default confinement",
  pid: "containers keep their own PID namespace",
  ipc: "containers keep their own IPC namespace",
  uts: "a container sharing the machine's UTS namespace could rename the machine",
  userns: "containers keep Docker's default user mapping",
  cgroupns: "containers keep Docker's default cgroup namespace",
  "cgroup-parent": "container cgroups stay below packetwalk's own",
  runtime: "containers run with runc",
  cidfile: "it writes a file of the machine",
  "env-file": "it reads a file of the machine",
  "label-file": "it reads a file of the machine",
};

/** Capabilities a lab container may add: the network ones, confined to its own namespace. */
const CAPS_OK = new Set(["NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE"]);

const neverText = (what: string, why: string): string =>
  `${what} is not simulated and does not run on the kernel either: ${why}`;

/** The refusal of a docker line that must not run anywhere, or undefined. */
export function refuseDocker(args: readonly string[]): string | undefined {
  const first = args[0];
  if (first === undefined) return "docker needs a command: docker run, docker network create, ...";
  if (first.startsWith("-")) {
    return neverText(
      `docker ${first}`,
      "docker's global options are not accepted (packetwalk points docker at its own daemon)",
    );
  }
  const { sub } = subcommandOf(args);
  const [group, word] = sub.split(" ");
  // `docker image pull` is `docker pull`, `docker container cp` is `docker cp`.
  const never =
    NEVER[sub] ??
    NEVER[group!] ??
    (word !== undefined && (group === "image" || group === "container") ? NEVER[word] : undefined);
  if (never !== undefined) return neverText(`docker ${sub}`, never);
  const parsed = parseDockerArgs(args);
  if (parsed === undefined) return undefined; // docker's own "not a docker command", or kernel-only
  // What the CLI rejects itself (an unknown flag, a flag without its value) it reports.
  if (parsed.unknownFlag !== undefined || parsed.missingValue !== undefined) return undefined;
  if (parsed.flags.has("help")) return undefined;
  for (const [flag, values] of parsed.flags) {
    const why = NEVER_FLAGS[flag];
    if (
      why !== undefined &&
      !(flag === "privileged" && sub !== "run" && sub !== "create" && sub !== "exec")
    ) {
      return neverText(`docker ${sub} --${flag}`, why);
    }
    if (flag === "cap-add") {
      const bad = values
        .flatMap((v) => v.split(","))
        .find((c) => !CAPS_OK.has(c.toUpperCase().replace(/^CAP_/, "")));
      if (bad !== undefined) {
        return neverText(
          `docker ${sub} --cap-add ${bad}`,
          "only NET_ADMIN, NET_RAW and NET_BIND_SERVICE may be added",
        );
      }
    }
    if (flag === "sysctl") {
      const bad = values.find((v) => !v.startsWith("net."));
      if (bad !== undefined) {
        return neverText(
          `docker ${sub} --sysctl ${bad}`,
          "only net.* settings belong to the container's own namespace",
        );
      }
    }
  }
  if (
    (sub === "run" || sub === "create") &&
    !parsed.flags.has("name") &&
    parsed.operands.length > 0
  ) {
    return `docker ${sub} needs --name NAME: a generated name differs between runs and between the backends`;
  }
  return undefined;
}

/**
 * For the simulator: what in this docker line it does not model ("docker run --cap-add",
 * "docker network create -d macvlan"), to refuse with notSimulatedText; undefined when it
 * models everything in it. Call it after refuseDocker passed, and after the CLI's own
 * errors (unknown flag, missing value), which the simulator prints as Docker does.
 */
export function dockerNotModelled(args: readonly string[]): string | undefined {
  const { sub } = subcommandOf(args);
  const parsed = parseDockerArgs(args);
  if (parsed === undefined)
    return KERNEL_ONLY.has(sub) || KERNEL_ONLY.has(sub.split(" ")[0]!)
      ? `docker ${sub}`
      : undefined;
  const modelled = MODELLED[sub] ?? [];
  const table = DOCKER_FLAGS[sub] ?? [];
  for (const flag of parsed.flags.keys()) {
    if (!modelled.includes(flag)) {
      const short = table.find((x) => x.long === flag)?.short;
      return `docker ${sub} ${short ? `-${short}` : `--${flag}`}`;
    }
  }
  if (sub === "network create") {
    const driver = parsed.flags.get("driver")?.at(-1);
    if (driver !== undefined && driver !== "bridge") return `docker network create -d ${driver}`;
    for (const o of parsed.flags.get("opt") ?? []) {
      const key = o.split("=")[0]!;
      if (!(MODELLED_BRIDGE_OPTIONS as readonly string[]).includes(key)) {
        return `docker network create -o ${key}`;
      }
    }
  }
  return undefined;
}

/** How long a docker line may take on the kernel: `docker stop` waits -t seconds (10) first. */
function dockerTimeoutMs(args: readonly string[]): number {
  const parsed = parseDockerArgs(args);
  if (parsed?.sub === "stop" || parsed?.sub === "restart" || parsed?.sub === "rm") {
    const t = Number(parsed.flags.get("time")?.at(-1) ?? 10);
    return (Number.isFinite(t) && t >= 0 ? Math.min(t, 120) : 10) * 1000 + 20_000;
  }
  return 30_000;
}

export const docker = {
  help: "docker (run, create, start, stop, restart, rm, exec, ps, port, inspect, network ...)",
  check: (args) => refuseDocker(args),
  kernel: {
    daemon: "dockerd",
    timeoutMs: dockerTimeoutMs,
    guard: (args) => {
      const why = refuseDocker(args);
      return why === undefined ? undefined : `packetwalk: ${why}\n`;
    },
  },
} satisfies ProgramSpec;
