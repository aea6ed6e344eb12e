// The docker CLI's (20.10) flags per subcommand, as `docker SUB --help` lists them, and a
// parser that reads a docker line the way the CLI's pflag does: long flags as --flag or
// --flag=value, short ones as -x value, -xvalue, or clustered (-dp 80:80); run, create
// and exec stop at their first operand (the image or the container), the command after
// it belongs to the container. Browser-safe: the simulator uses it too.

/** One flag: its long name, its short letter, and whether it takes a value. */
interface Flag {
  long: string;
  short?: string;
  value: boolean;
}

const f = (spec: string): Flag[] =>
  spec
    .split(";")
    .filter(Boolean)
    .map((s) => {
      const m = /^(?:-([a-zA-Z]), )?--([a-z0-9-]+)( \S+)?$/.exec(s.trim());
      if (!m) throw new Error(`bad flag spec: ${s}`);
      return { long: m[2]!, value: m[3] !== undefined, ...(m[1] ? { short: m[1] } : {}) };
    });

const RUN_CREATE =
  "--add-host list;-a, --attach list;--blkio-weight uint;--blkio-weight-device list;--cap-add list;--cap-drop list;--cgroup-parent string;--cgroupns string;--cidfile string;--cpu-period int;--cpu-quota int;--cpu-rt-period int;--cpu-rt-runtime int;-c, --cpu-shares int;--cpus decimal;--cpuset-cpus string;--cpuset-mems string;--device list;--device-cgroup-rule list;--device-read-bps list;--device-read-iops list;--device-write-bps list;--device-write-iops list;--disable-content-trust;--dns list;--dns-option list;--dns-search list;--domainname string;--entrypoint string;-e, --env list;--env-file list;--expose list;--gpus gpu;--group-add list;--health-cmd string;--health-interval duration;--health-retries int;--health-start-period duration;--health-timeout duration;--help;-h, --hostname string;--init;-i, --interactive;--ip string;--ip6 string;--ipc string;--isolation string;--kernel-memory bytes;-l, --label list;--label-file list;--link list;--link-local-ip list;--log-driver string;--log-opt list;--mac-address string;-m, --memory bytes;--memory-reservation bytes;--memory-swap bytes;--memory-swappiness int;--mount mount;--name string;--network network;--net network;--network-alias list;--net-alias list;--no-healthcheck;--oom-kill-disable;--oom-score-adj int;--pid string;--pids-limit int;--platform string;--privileged;-p, --publish list;-P, --publish-all;--pull string;--read-only;--restart string;--rm;--runtime string;--security-opt list;--shm-size bytes;--stop-signal string;--stop-timeout int;--storage-opt list;--sysctl map;--tmpfs list;-t, --tty;--ulimit ulimit;-u, --user string;--userns string;--uts string;-v, --volume list;--volume-driver string;--volumes-from list;-w, --workdir string";

/** Every subcommand packetwalk knows the flags of ("network create" for the two-word ones). */
export const DOCKER_FLAGS: Readonly<Record<string, readonly Flag[]>> = {
  run: f(RUN_CREATE + ";-d, --detach;--detach-keys string;--sig-proxy"),
  create: f(RUN_CREATE),
  start: f("-a, --attach;--detach-keys string;-i, --interactive;--help"),
  stop: f("-t, --time int;--help"),
  restart: f("-t, --time int;--help"),
  rm: f("-f, --force;-l, --link;-v, --volumes;--help"),
  exec: f(
    "-d, --detach;--detach-keys string;-e, --env list;--env-file list;-i, --interactive;--privileged;-t, --tty;-u, --user string;-w, --workdir string;--help",
  ),
  ps: f(
    "-a, --all;-f, --filter filter;--format string;-n, --last int;-l, --latest;--no-trunc;-q, --quiet;-s, --size;--help",
  ),
  port: f("--help"),
  inspect: f("-f, --format string;-s, --size;--type string;--help"),
  "network create": f(
    "--attachable;--aux-address map;--config-from string;--config-only;-d, --driver string;--gateway strings;--ingress;--internal;--ip-range strings;--ipam-driver string;--ipam-opt map;--ipv6;--label list;-o, --opt map;--scope string;--subnet strings;--help",
  ),
  "network rm": f("--help"),
  "network ls": f("-f, --filter filter;--format string;--no-trunc;-q, --quiet;--help"),
  "network inspect": f("-f, --format string;-v, --verbose;--help"),
  "network connect": f(
    "--alias strings;--driver-opt strings;--ip string;--ip6 string;--link list;--link-local-ip strings;--help",
  ),
  "network disconnect": f("-f, --force;--help"),
};

/** Subcommands whose flags end at the first operand (what follows is the container's command). */
const STOPS_AT_OPERAND = new Set(["run", "create", "exec"]);

export interface DockerArgs {
  /** "run", "network create", ...; for a subcommand packetwalk does not know, its words. */
  sub: string;
  /** Given flags by long name, values in order ("" for a flag without a value). */
  flags: Map<string, string[]>;
  /** The operands: for run/create the image then the command, for exec the container then the command. */
  operands: string[];
  /** A flag the CLI itself does not know (docker prints its own error for it). */
  unknownFlag?: string;
  /** A flag that needs a value and has none (docker's own error too). */
  missingValue?: string;
}

/** The subcommand words at the start of a docker argv (after any global options). */
export function subcommandOf(args: readonly string[]): { sub: string; rest: readonly string[] } {
  const first = args[0] ?? "";
  if (MANAGEMENT.has(first) && args[1] !== undefined && !args[1].startsWith("-")) {
    // `docker container run` is `docker run`, and so on.
    if (first === "container" && DOCKER_FLAGS[args[1]] !== undefined) {
      return { sub: args[1], rest: args.slice(2) };
    }
    return { sub: `${first} ${args[1]}`, rest: args.slice(2) };
  }
  return { sub: first, rest: args.slice(1) };
}

/** docker's management commands: their subcommand is the second word. */
const MANAGEMENT = new Set([
  "builder",
  "buildx",
  "checkpoint",
  "config",
  "container",
  "context",
  "image",
  "manifest",
  "network",
  "node",
  "plugin",
  "secret",
  "service",
  "stack",
  "swarm",
  "system",
  "trust",
  "volume",
]);

/** Reads a docker line's arguments (what follows `docker`), or undefined for an unknown subcommand. */
export function parseDockerArgs(args: readonly string[]): DockerArgs | undefined {
  const { sub, rest } = subcommandOf(args);
  const table = DOCKER_FLAGS[sub];
  if (table === undefined) return undefined;
  const byLong = new Map(table.map((x) => [x.long, x]));
  const byShort = new Map(table.filter((x) => x.short).map((x) => [x.short!, x]));
  const out: DockerArgs = { sub, flags: new Map(), operands: [] };
  const add = (flag: Flag, v: string): void => {
    out.flags.set(flag.long, [...(out.flags.get(flag.long) ?? []), v]);
  };
  const stops = STOPS_AT_OPERAND.has(sub);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--") {
      out.operands.push(...rest.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      if (stops) {
        out.operands.push(...rest.slice(i));
        break;
      }
      out.operands.push(a);
      continue;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const flag = byLong.get(name);
      if (flag === undefined) {
        out.unknownFlag ??= `--${name}`;
        continue;
      }
      if (!flag.value) add(flag, eq < 0 ? "" : a.slice(eq + 1));
      else if (eq >= 0) add(flag, a.slice(eq + 1));
      else if (i + 1 < rest.length) add(flag, rest[++i]!);
      else out.missingValue ??= `--${name}`;
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const flag = byShort.get(a[j]!);
      if (flag === undefined) {
        out.unknownFlag ??= `-${a[j]}`;
        break;
      }
      if (!flag.value) {
        add(flag, "");
        continue;
      }
      if (j + 1 < a.length) add(flag, a.slice(j + 1));
      else if (i + 1 < rest.length) add(flag, rest[++i]!);
      else out.missingValue ??= `-${a[j]}`;
      break;
    }
  }
  return out;
}
