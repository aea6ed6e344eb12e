// The docker CLI (20.10) over the simulated daemon: each subcommand's arguments, its
// output, Docker's error texts and exit codes (checked against real captures in
// /work/docker-captures: a daemon error is "Error response from daemon: ..." with exit 1,
// `docker run` prefixes "docker: ", ends with "." and exits 125).
import type { CommandResult } from "../../backend.js";
import { parseIp4, readSysctl, type NetNs } from "../kernel/netlink/index.js";
import { notSimulatedResult } from "../userland/not-simulated.js";
import type { Waiting } from "../userland/program.js";
import { CLI_MS, DaemonError, Dockerd, type Container, type PortSpec } from "./daemon.js";
import { parseSubnet, type Subnet } from "./ipam.js";
import { containerJson, containerJsonRefusal } from "./inspect-json.js";
import { goJson, runTemplate, TemplateError, type GoValue } from "./template.js";
import {
  containerView,
  networkRow,
  networkJson,
  networkView,
  NETWORK_HEADERS,
  psRow,
  PS_HEADERS,
  table,
} from "./views.js";

/** Programs the image holds (packetwalk's image: sh ip ping nc sleep cat). */
const IMAGE_PROGRAMS = new Set(["ip", "ping", "nc", "sleep", "cat"]);

type Result = CommandResult | Waiting;

const ok = (stdout = ""): CommandResult => ({ exit: 0, stdout, stderr: "" });
const fail = (stderr: string, exit = 1, stdout = ""): CommandResult => ({ exit, stdout, stderr });
/** The project's one refusal (userland/not-simulated.ts): "docker WHAT is not simulated". */
const notSimulated = (what: string): CommandResult =>
  notSimulatedResult(`docker ${what}`.trimEnd());

/** reportError: "docker: MSG." and the help hint. */
function runError(sub: string, msg: string, help: boolean, stdout = ""): CommandResult {
  const m = msg.endsWith(".") ? msg : `${msg}.`;
  return fail(`docker: ${m}\n${help ? `See 'docker ${sub} --help'.\n` : ""}`, 125, stdout);
}

const daemonErr = (e: DaemonError): string => `Error response from daemon: ${e.message}`;

/** Runs `docker ARGS`; `files` answers /etc/hosts and friends for `docker exec C cat`. */
export function dockerCli(d: Dockerd, args: readonly string[]): Result {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case "run":
        return run(d, rest, true);
      case "create":
        return run(d, rest, false);
      case "start":
        return start(d, rest);
      case "stop":
        return stop(d, rest, false);
      case "restart":
        return stop(d, rest, true);
      case "rm":
        return rm(d, rest);
      case "exec":
        return exec(d, rest);
      case "ps":
        return ps(d, rest);
      case "inspect":
        return inspect(d, rest);
      case "port":
        return port(d, rest);
      case "network":
        return network(d, rest);
      default:
        return notSimulated(sub ?? "");
    }
  } catch (e) {
    if (e instanceof TemplateError) return fail(`template parsing error: ${e.message}\n`, 1);
    if (e instanceof DaemonError) return fail(`${daemonErr(e)}\n`);
    throw e;
  }
}

// ---- options ------------------------------------------------------------------------

interface Parsed {
  flags: Map<string, string[]>;
  positional: string[];
}

/**
 * pflag as docker uses it: `--name N`, `--name=N`, bundled short flags (`-dit`), and
 * positional arguments; parsing stops at the first positional when `interspersed` is off
 * (run, exec: what follows the image is the command).
 */
function parseFlags(
  args: readonly string[],
  spec: Record<string, "bool" | "value">,
  interspersed: boolean,
): Parsed | string {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  const add = (k: string, v: string): void => void flags.set(k, [...(flags.get(k) ?? []), v]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const [k, v] = a.includes("=")
        ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
        : [a, undefined];
      const kind = spec[k];
      if (kind === undefined) return k;
      if (kind === "bool") add(k, v ?? "true");
      else {
        const val = v ?? args[++i];
        if (val === undefined) return `${k}=`;
        add(k, val);
      }
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const k = `-${a[j]}`;
        const kind = spec[k];
        if (kind === undefined) return k;
        if (kind === "bool") add(k, "true");
        else {
          const val = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          if (val === undefined) return `${k}=`;
          add(k, val);
          break;
        }
      }
      continue;
    }
    if (!interspersed) {
      positional.push(...args.slice(i));
      break;
    }
    positional.push(a);
  }
  return { flags, positional };
}

const one = (p: Parsed, ...names: string[]): string | undefined =>
  names.flatMap((n) => p.flags.get(n) ?? []).at(-1);
const has = (p: Parsed, ...names: string[]): boolean => one(p, ...names) === "true";

/** nat.ParsePortSpec for -p [IP:]HOST:CONT[/proto] and HOST:CONT. */
function parsePort(s: string): PortSpec | string {
  const m = /^(?:(\d+\.\d+\.\d+\.\d+):)?(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(s);
  if (!m) return `-p ${s}`;
  return {
    hostIp: m[1] ?? "0.0.0.0",
    hostPort: Number(m[2]),
    port: Number(m[3]),
    proto: (m[4] ?? "tcp") as "tcp" | "udp",
    ...(m[1] !== undefined ? { hostIpGiven: true } : {}),
  };
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

// ---- containers -----------------------------------------------------------------------

const RUN_FLAGS = {
  "-d": "bool",
  "--detach": "bool",
  "--rm": "bool",
  "--name": "value",
  "--network": "value",
  "--net": "value",
  "-p": "value",
  "--publish": "value",
  "--ip": "value",
  "-h": "value",
  "--hostname": "value",
  "--sysctl": "value",
} as const;

function run(d: Dockerd, args: readonly string[], start: boolean): Result {
  const sub = start ? "run" : "create";
  const p = parseFlags(args, RUN_FLAGS, false);
  if (typeof p === "string") return notSimulated(`${sub} ${p}`);
  const [image, ...cmd] = p.positional;
  if (image === undefined) {
    return fail(
      `"docker ${sub}" requires at least 1 argument.\nSee 'docker ${sub} --help'.\n\nUsage:  docker ${sub} [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n${start ? "Run a command in a new container" : "Create a new container"}\n`,
      start ? 125 : 1,
    );
  }
  const ports: PortSpec[] = [];
  for (const s of [...(p.flags.get("-p") ?? []), ...(p.flags.get("--publish") ?? [])]) {
    const ps = parsePort(s);
    if (typeof ps === "string") return notSimulated(`${sub} ${ps}`);
    ports.push(ps);
  }
  const name = one(p, "--name");
  const network = one(p, "--network", "--net") ?? "default";
  const ipText = one(p, "--ip");
  const hostname = one(p, "-h", "--hostname");
  const sysctls: [string, string][] = [];
  for (const kv of p.flags.get("--sysctl") ?? []) {
    const i = kv.indexOf("=");
    if (i < 0 || !kv.startsWith("net.")) {
      return notSimulated(`${sub} --sysctl ${kv}`);
    }
    sysctls.push([kv.slice(0, i), kv.slice(i + 1)]);
  }
  const err = (msg: string, stdout = "", help = true): CommandResult =>
    start
      ? runError(sub, `Error response from daemon: ${msg}`, help, stdout)
      : fail(`Error response from daemon: ${msg}\n`, 1, stdout);
  if (name !== undefined && !NAME_RE.test(name)) {
    return err(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  const ip = ipText !== undefined ? parseIp4(ipText) : undefined;
  if (ipText !== undefined && ip === undefined) {
    return err(`invalid IPv4 address: ${ipText}`);
  }
  // The daemon's warnings (verifyPlatformContainerSettings), printed by the CLI once the
  // container is created: forwarding off (read at each create) for a container with a
  // network of its own, and -p dropped for the host's network.
  const hostNet = network === "host";
  const forwarding = readSysctl(d.world.root, "net.ipv4.ip_forward");
  const forwardingOff =
    !hostNet && network !== "none" && !(forwarding.ok && forwarding.value === "1");
  const warning =
    (forwardingOff ? "WARNING: IPv4 forwarding is disabled. Networking will not work.\n" : "") +
    (hostNet && ports.length > 0
      ? "WARNING: Published ports are discarded when using host network mode\n"
      : "");
  const warned = (r: CommandResult): CommandResult =>
    warning === "" ? r : { ...r, stderr: warning + r.stderr };
  let c: Container;
  try {
    c = d.create({
      name: name ?? `container_${d.containers.length + 1}`,
      image,
      cmd: cmd.length > 0 ? cmd : ["sleep", "infinity"],
      network,
      ...(ip !== undefined ? { ip } : {}),
      ports: hostNet ? [] : ports,
      sysctls,
      ...(hostname !== undefined ? { hostname } : {}),
    });
  } catch (e) {
    if (e instanceof DaemonError) return err(e.message);
    throw e;
  }
  const detach = has(p, "-d", "--detach");
  c.autoRemove = has(p, "--rm");
  c.attached = !detach;
  const idLine = `${c.id}\n`;
  if (!start) return { ...ok(idLine), stderr: warning };
  const prog = c.cmd[0]!;
  if (!IMAGE_PROGRAMS.has(prog)) {
    // runc cannot exec it: the start fails and the container stays Created (exit 127).
    // Text as containerd 1.6 / runc 1.1 word it (not yet checked against a capture).
    const r = runError(
      sub,
      `Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${prog}": executable file not found in $PATH: unknown`,
      false,
      detach ? idLine : "",
    );
    return warned({ ...r, exit: 127 });
  }
  try {
    d.start(c, detach);
  } catch (e) {
    if (e instanceof DaemonError) return warned(err(e.message, detach ? idLine : "", false));
    throw e;
  }
  if (detach) return { ...ok(idLine), stderr: warning };
  // Attached: the command's own output and exit status; then the container has exited.
  const where = d.nsOf(c)!;
  const ended = (r: CommandResult): CommandResult => {
    d.exited(c, r.exit);
    if (has(p, "--rm")) d.remove(c);
    return r;
  };
  const r = runInContainer(d, c, where, c.cmd, false);
  if ("waiting" in r)
    return { waiting: { ...r.waiting, finish: () => warned(ended(r.waiting.finish())) } };
  return warned(ended(r));
}

/** A program of the image, run in the container's namespace. */
function runInContainer(
  d: Dockerd,
  c: Container,
  ns: NetNs,
  argv: string[],
  background: boolean,
): Result {
  const prog = argv[0]!;
  if (prog === "cat" && argv.length === 2 && argv[1]!.startsWith("/etc/")) {
    const text = etcFile(d, c, argv[1]!);
    if (text !== undefined) return ok(text);
  }
  if (!IMAGE_PROGRAMS.has(prog)) {
    return fail(
      "",
      126,
      `OCI runtime exec failed: exec failed: unable to start container process: exec: "${prog}": executable file not found in $PATH: unknown\r\n`,
    );
  }
  return d.run(ns, argv, background, d.envOf(c));
}

/** The files Docker writes for a container (/etc/hosts, /etc/hostname, /etc/resolv.conf). */
function etcFile(d: Dockerd, c: Container, path: string): string | undefined {
  const hostname = c.hostname ?? c.id.slice(0, 12);
  if (path === "/etc/hostname") return `${hostname}\n`;
  if (path === "/etc/resolv.conf") {
    const ns = d.nsOf(c);
    const user = ns !== undefined && d.embeddedDns(ns);
    return user ? "nameserver 127.0.0.11\noptions ndots:0\n" : "nameserver 192.0.2.53\n";
  }
  if (path === "/etc/hosts") {
    const base =
      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";
    const ep = c.endpoints[0];
    return ep
      ? `${base}${ep.ip >>> 24}.${(ep.ip >>> 16) & 255}.${(ep.ip >>> 8) & 255}.${ep.ip & 255}\t${hostname}\n`
      : base;
  }
  void d;
  return undefined;
}

function containerArgs(
  d: Dockerd,
  sub: string,
  args: readonly string[],
  spec: Record<string, "bool" | "value">,
): Parsed | CommandResult {
  const p = parseFlags(args, spec, true);
  if (typeof p === "string") return notSimulated(`${sub} ${p}`);
  if (p.positional.length === 0) {
    return fail(`"docker ${sub}" requires at least 1 argument.\nSee 'docker ${sub} --help'.\n`, 1);
  }
  void d;
  return p;
}

function start(d: Dockerd, args: readonly string[]): Result {
  const p = containerArgs(d, "start", args, {});
  if ("exit" in p) return p;
  let out = "";
  let errs = "";
  const failed: string[] = [];
  for (const ref of p.positional) {
    const c = d.container(ref);
    try {
      if (!c) throw new DaemonError(`No such container: ${ref}`);
      d.start(c, true);
      out += `${ref}\n`;
    } catch (e) {
      if (!(e instanceof DaemonError)) throw e;
      errs += `${daemonErr(e)}\n`;
      failed.push(ref);
    }
  }
  if (failed.length > 0)
    return fail(`${errs}Error: failed to start containers: ${failed.join(", ")}\n`, 1, out);
  return ok(out);
}

/**
 * docker stop: SIGTERM, and SIGKILL when the 10-second grace period ends. The image's
 * programs run as PID 1 without a SIGTERM handler, and the kernel does not deliver a
 * default-action signal to a namespace's init: they die only at SIGKILL (exit 137).
 */
function stop(d: Dockerd, args: readonly string[], restart: boolean): Result {
  const sub = restart ? "restart" : "stop";
  const p = containerArgs(d, sub, args, { "-t": "value", "--time": "value" });
  if ("exit" in p) return p;
  const grace = Number(one(p, "-t", "--time") ?? "10") * 1000;
  const found: { ref: string; c: Container }[] = [];
  let errs = "";
  for (const ref of p.positional) {
    const c = d.container(ref);
    if (c) found.push({ ref, c });
    else errs += `Error response from daemon: No such container: ${ref}\n`;
  }
  const running = found.filter(({ c }) => d.state(c) === "running");
  let startErrs = "";
  // SIGKILL at the end of the grace period: the container exits then (its network goes),
  // and a restart starts it again at once.
  const kill = (): void => {
    for (const { c } of found) {
      if (d.state(c) === "running") d.exited(c, 137);
      if (!restart) continue;
      try {
        d.start(c, true);
      } catch (e) {
        if (!(e instanceof DaemonError)) throw e;
        startErrs += `${daemonErr(e)}\n`;
      }
    }
  };
  const finish = (): CommandResult => {
    const out = found.map(({ ref }) => `${ref}\n`).join("");
    return errs || startErrs ? fail(errs + startErrs, 1, out) : ok(out);
  };
  if (running.length === 0) {
    kill();
    return finish();
  }
  d.world.scheduler.at(grace, "docker stop: SIGKILL", kill);
  return { waiting: { until: d.now + grace + CLI_MS, done: () => false, finish } };
}

function rm(d: Dockerd, args: readonly string[]): Result {
  const p = containerArgs(d, "rm", args, { "-f": "bool", "--force": "bool" });
  if ("exit" in p) return p;
  const force = has(p, "-f", "--force");
  let out = "";
  let errs = "";
  for (const ref of p.positional) {
    const c = d.container(ref);
    if (!c) {
      errs += `Error: No such container: ${ref}\n`;
      continue;
    }
    if (d.state(c) === "running") {
      if (!force) {
        errs += `Error response from daemon: You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove\n`;
        continue;
      }
      d.exited(c, 137);
    }
    d.remove(c);
    out += `${ref}\n`;
  }
  // With -f a missing container is reported but is not a failure (the daemon's 404 is ignored).
  const failed = errs !== "" && !(force && !errs.includes("Error response"));
  return { exit: failed ? 1 : 0, stdout: out, stderr: errs };
}

function exec(d: Dockerd, args: readonly string[]): Result {
  const p = parseFlags(args, {}, false);
  if (typeof p === "string") return notSimulated(`exec ${p}`);
  const [ref, ...cmd] = p.positional;
  if (ref === undefined || cmd.length === 0) {
    return fail(`"docker exec" requires at least 2 arguments.\nSee 'docker exec --help'.\n`, 1);
  }
  const c = d.container(ref);
  if (!c) return fail(`Error: No such container: ${ref}\n`);
  const where = d.nsOf(c);
  if (!where) return fail(`Error response from daemon: Container ${c.id} is not running\n`);
  return runInContainer(d, c, where, cmd, false);
}

/** A `--format` table: "table {{.A}}\t{{.B}}" gets a header row from the names. */
function formatted(
  rows: Record<string, GoValue>[],
  format: string,
  headers: Record<string, string>,
): string {
  if (format.startsWith("table")) {
    const body = format.slice("table".length).trim();
    const cells = (s: string): string[] => s.split("\t");
    const head = cells(
      body.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, k: string) => headers[k] ?? k.toUpperCase()),
    );
    return table([head, ...rows.map((r) => cells(runTemplate(body, r)))]);
  }
  return rows.map((r) => `${runTemplate(format, r)}\n`).join("");
}

function ps(d: Dockerd, args: readonly string[]): Result {
  const p = parseFlags(
    args,
    {
      "-a": "bool",
      "--all": "bool",
      "--format": "value",
      "-q": "bool",
      "--quiet": "bool",
      "--no-trunc": "bool",
    },
    true,
  );
  if (typeof p === "string") return notSimulated(`ps ${p}`);
  if (p.positional.length > 0) {
    return fail(`"docker ps" accepts no arguments.\nSee 'docker ps --help'.\n`, 1);
  }
  const all = has(p, "-a", "--all");
  const list = d.containers
    .filter((c) => d.state(c) !== "removed" && (all || d.state(c) === "running"))
    .reverse();
  const rows = list.map((c) => psRow(d, c));
  if (has(p, "-q", "--quiet")) return ok(rows.map((r) => `${String(r.ID)}\n`).join(""));
  const format = one(p, "--format");
  if (format !== undefined) return ok(formatted(rows, format, PS_HEADERS));
  const cols = ["ID", "Image", "Command", "RunningFor", "Status", "Ports", "Names"];
  return ok(
    table([cols.map((k) => PS_HEADERS[k]!), ...rows.map((r) => cols.map((k) => String(r[k])))]),
  );
}

/**
 * `docker inspect` without a format: one JSON array of the objects found, in the order
 * named, "[]" when none; each missing one is an error line.
 */
function inspectJson(d: Dockerd, refs: readonly string[]): Result {
  const views: GoValue[] = [];
  let errs = "";
  for (const ref of refs) {
    const c = d.container(ref);
    const n = c ? undefined : d.network(ref);
    if (c) {
      const why = containerJsonRefusal(c);
      if (why !== undefined) return notSimulated(why);
      views.push(containerJson(d, c));
    } else if (n) views.push(networkView(d, n));
    else errs += `Error: No such object: ${ref}\n`;
  }
  const out = views.length > 0 ? networkJson(views) : "[]\n";
  return errs ? fail(errs, 1, out) : ok(out);
}

function inspect(d: Dockerd, args: readonly string[]): Result {
  const p = parseFlags(args, { "-f": "value", "--format": "value", "--type": "value" }, true);
  if (typeof p === "string") return notSimulated(`inspect ${p}`);
  const format = one(p, "-f", "--format");
  if (p.positional.length === 0)
    return fail(
      `"docker inspect" requires at least 1 argument.\nSee 'docker inspect --help'.\n`,
      1,
    );
  if (format === undefined) return inspectJson(d, p.positional);
  let out = "";
  let errs = "";
  for (const ref of p.positional) {
    const c = d.container(ref);
    const n = c ? undefined : d.network(ref);
    if (!c && !n) {
      errs += `Error: No such object: ${ref}\n`;
      continue;
    }
    out += `${runTemplate(format, c ? containerView(d, c) : networkView(d, n!))}\n`;
  }
  return errs ? fail(errs, 1, out) : ok(out);
}

function port(d: Dockerd, args: readonly string[]): Result {
  const p = parseFlags(args, {}, true);
  if (typeof p === "string") return notSimulated(`port ${p}`);
  const [ref, which] = p.positional;
  if (ref === undefined)
    return fail(`"docker port" requires at least 1 argument.\nSee 'docker port --help'.\n`, 1);
  const c = d.container(ref);
  if (!c) return fail(`Error: No such container: ${ref}\n`);
  const bound = d.state(c) === "running" ? c.bound : [];
  if (which === undefined) {
    return ok(
      bound
        .map((b) => `${b.spec.port}/${b.spec.proto} -> ${b.spec.hostIp}:${b.spec.hostPort}\n`)
        .join(""),
    );
  }
  const [num, proto = "tcp"] = which.split("/");
  const hits = bound.filter((b) => String(b.spec.port) === num && b.spec.proto === proto);
  if (hits.length === 0)
    return fail(`Error: No public port '${num}/${proto}' published for ${ref}\n`);
  return ok(hits.map((b) => `${b.spec.hostIp}:${b.spec.hostPort}\n`).join(""));
}

// ---- networks ---------------------------------------------------------------------------

function network(d: Dockerd, args: readonly string[]): Result {
  const [sub, ...rest] = args;
  switch (sub) {
    case "create":
      return networkCreate(d, rest);
    case "ls":
    case "list": {
      const p = parseFlags(rest, { "--format": "value", "-q": "bool", "--quiet": "bool" }, true);
      if (typeof p === "string") return notSimulated(`network ls ${p}`);
      const nets = d.networks
        .filter((n) => n.actor.getSnapshot().value === "active")
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const rows = nets.map(networkRow);
      if (has(p, "-q", "--quiet")) return ok(rows.map((r) => `${String(r.ID)}\n`).join(""));
      const format = one(p, "--format");
      if (format !== undefined) return ok(formatted(rows, format, NETWORK_HEADERS));
      const cols = ["ID", "Name", "Driver", "Scope"];
      return ok(
        table([
          cols.map((k) => NETWORK_HEADERS[k]!),
          ...rows.map((r) => cols.map((k) => String(r[k]))),
        ]),
      );
    }
    case "rm":
    case "remove": {
      let out = "";
      let errs = "";
      for (const ref of rest) {
        const n = d.network(ref);
        if (!n) {
          errs += `Error: No such network: ${ref}\n`;
          continue;
        }
        try {
          d.removeNetwork(n);
          out += `${ref}\n`;
        } catch (e) {
          if (!(e instanceof DaemonError)) throw e;
          errs += `${daemonErr(e)}\n`;
        }
      }
      return errs ? fail(errs, 1, out) : ok(out);
    }
    case "inspect": {
      const p = parseFlags(rest, { "-f": "value", "--format": "value" }, true);
      if (typeof p === "string") return notSimulated(`network inspect ${p}`);
      const format = one(p, "-f", "--format");
      let out = "";
      let errs = "";
      const views: GoValue[] = [];
      for (const ref of p.positional) {
        const n = d.network(ref);
        if (!n) errs += `Error: No such network: ${ref}\n`;
        else views.push(networkView(d, n));
      }
      if (format === undefined) out = networkJson(views);
      else for (const v of views) out += `${runTemplate(format, v)}\n`;
      return errs ? fail(errs, 1, out) : ok(out);
    }
    case "connect":
    case "disconnect": {
      const p = parseFlags(
        rest,
        sub === "connect" ? { "--ip": "value" } : { "-f": "bool", "--force": "bool" },
        true,
      );
      if (typeof p === "string") return notSimulated(`network ${sub} ${p}`);
      const [netRef, ref] = p.positional;
      if (netRef === undefined || ref === undefined || p.positional.length !== 2) {
        return fail(
          `"docker network ${sub}" requires exactly 2 arguments.\nSee 'docker network ${sub} --help'.\n`,
          1,
        );
      }
      const c = d.container(ref);
      if (!c) return fail(`Error response from daemon: No such container: ${ref}\n`);
      const n = d.network(netRef);
      if (!n) return fail(`Error response from daemon: network ${netRef} not found\n`);
      if (sub === "connect") {
        const ipText = one(p, "--ip");
        const ip = ipText !== undefined ? parseIp4(ipText) : undefined;
        d.connect(c, n, ip);
      } else d.disconnect(c, n);
      return ok();
    }
    default:
      return notSimulated(`network ${sub ?? ""}`);
  }
}

function networkCreate(d: Dockerd, args: readonly string[]): Result {
  const p = parseFlags(
    args,
    {
      "-d": "value",
      "--driver": "value",
      "--subnet": "value",
      "--gateway": "value",
      "--ip-range": "value",
      "--internal": "bool",
      "-o": "value",
      "--opt": "value",
    },
    true,
  );
  if (typeof p === "string") return notSimulated(`network create ${p}`);
  const [name] = p.positional;
  if (name === undefined || p.positional.length !== 1) {
    return fail(
      `"docker network create" requires exactly 1 argument.\nSee 'docker network create --help'.\n`,
      1,
    );
  }
  const driver = one(p, "-d", "--driver") ?? "bridge";
  if (driver !== "bridge") return notSimulated(`network create -d ${driver}`);
  const subnetText = one(p, "--subnet");
  const gwText = one(p, "--gateway");
  const rangeText = one(p, "--ip-range");
  if (subnetText === undefined && (gwText !== undefined || rangeText !== undefined)) {
    return fail("every ip-range or gateway must have a corresponding subnet\n");
  }
  let subnet: Subnet | undefined;
  if (subnetText !== undefined) {
    subnet = parseSubnet(subnetText);
    if (!subnet)
      return fail(
        `Error response from daemon: Invalid subnet ${subnetText} : invalid CIDR address: ${subnetText}\n`,
      );
  }
  const gateway = gwText !== undefined ? parseIp4(gwText) : undefined;
  if (gwText !== undefined && (gateway === undefined || !subnet || !inSubnet(gateway, subnet))) {
    return fail(`no matching subnet for gateway ${gwText}\n`);
  }
  const range = rangeText !== undefined ? parseSubnet(rangeText) : undefined;
  if (rangeText !== undefined && (!range || !subnet || !inSubnet(range.addr, subnet))) {
    return fail(`no matching subnet for range ${rangeText}\n`);
  }
  const opts = new Map<string, string>();
  for (const o of [...(p.flags.get("-o") ?? []), ...(p.flags.get("--opt") ?? [])]) {
    const i = o.indexOf("=");
    opts.set(i < 0 ? o : o.slice(0, i), i < 0 ? "" : o.slice(i + 1));
  }
  const known = new Set([
    "com.docker.network.bridge.name",
    "com.docker.network.bridge.enable_icc",
    "com.docker.network.bridge.enable_ip_masquerade",
  ]);
  for (const k of opts.keys()) if (!known.has(k)) return notSimulated(`network create -o ${k}`);
  const n = d.createBridgeNetwork(name, {
    ...(subnet
      ? {
          subnet: { addr: (subnet.addr & ~(2 ** (32 - subnet.plen) - 1)) >>> 0, plen: subnet.plen },
        }
      : {}),
    ...(range ? { range } : {}),
    ...(gateway !== undefined ? { gateway } : {}),
    ...(opts.has("com.docker.network.bridge.name")
      ? { bridge: opts.get("com.docker.network.bridge.name")! }
      : {}),
    internal: has(p, "--internal"),
    icc: opts.get("com.docker.network.bridge.enable_icc") !== "false",
    masquerade: opts.get("com.docker.network.bridge.enable_ip_masquerade") !== "false",
    options: [...opts.entries()],
  });
  return ok(`${n.id}\n`);
}

function inSubnet(a: number, s: Subnet): boolean {
  const mask = s.plen === 0 ? 0 : ~(2 ** (32 - s.plen) - 1) >>> 0;
  return (a & mask) >>> 0 === (s.addr & mask) >>> 0;
}

export { goJson };
