// A real dockerd (Debian's docker.io 20.10) inside a kernel sandbox, started at a script's
// first docker line. It never runs on the machine: it lives in the sandbox's network,
// mount and PID namespaces, so its bridge, veths and iptables rules are the lab's, and it
// dies with the sandbox's PID 1 (SIGKILL of packetwalk included, see sandbox.ts).
//
// What the sandbox gets before the daemon starts, all in its private mount namespace:
// - the cgroup hierarchies again under /sys/fs/cgroup (the sandbox mounted its own /sys,
//   which hides the machine's cgroup mounts, and runc needs them);
// - /var/lib as an overlay whose writes go to a tmpfs, and a tmpfs on /var/lib/docker
//   (the default data root, so `docker inspect` shows the usual paths);
// - a tmpfs on /etc/docker (dockerd writes its key.json there);
// - a fixed /etc/resolv.conf (a documentation address), so containers never see the
//   machine's resolver.
// Container cgroups go below the daemon's own cgroup (a relative --cgroup-parent) and are
// removed when the sandbox closes (removeCgroups).
import { readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isAlive } from "../host-procs.js";
import type { Sandbox, SandboxReply } from "../sandbox.js";
import { BASE_IMAGE, imageTarball } from "./image.js";
import { DOCKER_CLI, DOCKER_INIT, DOCKERD } from "./paths.js";

/** Where the daemon's own files go in the sandbox (on its /run tmpfs). */
const STATE = "/run/packetwalk-docker";
const SOCKET = "/run/docker.sock";
const CLI_CONFIG = `${STATE}/cli`;
/** The nameserver containers are given: TEST-NET-1 (RFC 5737), reaches nothing. */
export const SANDBOX_NAMESERVER = "192.0.2.53";
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;
const MONITOR = "dockerd";

export interface DockerDaemonOptions {
  /** dockerd's --userland-proxy (default true, as dockerd's own default). */
  userlandProxy?: boolean;
  /** dockerd's networking flags from a lab's dockerd line (they replace --userland-proxy). */
  flags?: readonly string[];
}

export interface DaemonTimings {
  /** From spawning dockerd until it answered on its socket. */
  daemonStartMs: number;
  /** Building (or finding) and importing the image. */
  imageMs: number;
  imageBuilt: boolean;
}

export class DockerDaemon {
  private readonly tagged = new Set<string>();

  private constructor(
    private readonly sandbox: Sandbox,
    readonly timings: DaemonTimings,
    readonly cgroupParent: string,
  ) {}

  /** Prepares the sandbox, starts dockerd, waits until it answers, imports the image. */
  static async start(sandbox: Sandbox, opts: DockerDaemonOptions = {}): Promise<DockerDaemon> {
    const cgroupParent = `packetwalk-${sandbox.pids.init}`;
    sweepStaleCgroups();
    await prepare(sandbox);
    const t0 = Date.now();
    const started = await sandbox.startMonitor(MONITOR, [
      DOCKER_INIT,
      "-s", // subreaper: reaps the shims that containerd leaves orphaned
      "--",
      DOCKERD,
      `--host=unix://${SOCKET}`,
      "--data-root=/var/lib/docker",
      "--exec-root=/run/docker",
      "--pidfile=/run/docker.pid",
      "--storage-driver=vfs",
      `--cgroup-parent=${cgroupParent}`,
      ...(opts.flags ?? [`--userland-proxy=${opts.userlandProxy ?? true}`]),
      "--log-level=warn",
    ]);
    if (started.exit !== 0) throw new Error(`cannot start dockerd: ${started.stderr.trim()}`);
    await waitReady(sandbox, t0);
    const daemonStartMs = Date.now() - t0;

    const t1 = Date.now();
    const image = imageTarball();
    const imported = await sandbox.exec({
      argv: [
        DOCKER_CLI,
        ...cliFlags(),
        "import",
        "--change",
        'CMD ["sleep","infinity"]',
        image.path,
        BASE_IMAGE,
      ],
      background: false,
      timeoutMs: 60_000,
    });
    if (imported.exit !== 0) throw new Error(`docker import: ${imported.stderr.trim()}`);
    return new DockerDaemon(
      sandbox,
      { daemonStartMs, imageMs: Date.now() - t1, imageBuilt: image.built },
      cgroupParent,
    );
  }

  /** `docker ARGS` with the matching CLI, against this daemon; argv only. */
  run(args: readonly string[], timeoutMs?: number, background = false): Promise<SandboxReply> {
    return this.sandbox.exec({
      argv: [DOCKER_CLI, ...cliFlags(), ...args],
      background,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  }

  /** Gives the image the name a script uses (`docker run ... nginx`), once per name. */
  async tag(image: string): Promise<void> {
    if (this.tagged.has(image)) return;
    const r = await this.run(["tag", BASE_IMAGE, image]);
    if (r.exit !== 0) throw new Error(`docker tag ${image}: ${r.stderr.trim()}`);
    this.tagged.add(image);
  }

  /** The daemon's log so far (warnings and errors). */
  async log(): Promise<string> {
    const r = await this.sandbox.peekMonitor(MONITOR);
    return r.stderr + r.stdout;
  }
}

/** The CLI's flags: this daemon's socket, and a config directory that is not the user's. */
export function cliFlags(): string[] {
  return ["--config", CLI_CONFIG, "--host", `unix://${SOCKET}`];
}

async function must(sandbox: Sandbox, argv: string[]): Promise<void> {
  const r = await sandbox.exec({ argv, background: false });
  if (r.exit !== 0) {
    throw new Error(
      `preparing the sandbox for dockerd: ${argv.join(" ")}: ${r.stderr.trim() || `exit ${r.exit}`}`,
    );
  }
}

/** The cgroup mounts of the machine, as the sandbox's mount table still lists them. */
function cgroupMounts(mounts: string): { type: string; options: string; target: string }[] {
  return mounts
    .split("\n")
    .map((l) => l.split(" "))
    .filter((f) => (f[2] === "cgroup" || f[2] === "cgroup2") && f[1]!.startsWith("/sys/fs/cgroup/"))
    .map((f) => ({ type: f[2]!, target: f[1]!, options: f[3]! }));
}

async function prepare(sandbox: Sandbox): Promise<void> {
  const mounts = await sandbox.exec({ argv: ["cat", "/proc/self/mounts"], background: false });
  if (mounts.exit !== 0) throw new Error(`reading the sandbox's mounts: ${mounts.stderr.trim()}`);
  const cgroups = cgroupMounts(mounts.stdout);
  const unified = mounts.stdout.split("\n").some((l) => / \/sys\/fs\/cgroup cgroup2 /.test(l));

  await must(sandbox, ["mkdir", "-p", `${STATE}/varlib-upper`, `${STATE}/varlib-work`, CLI_CONFIG]);
  // cgroups: a pure v2 machine mounts cgroup2 on /sys/fs/cgroup itself.
  if (unified) {
    await must(sandbox, ["mount", "-t", "cgroup2", "cgroup2", "/sys/fs/cgroup"]);
  } else if (cgroups.length > 0) {
    await must(sandbox, ["mount", "-t", "tmpfs", "-o", "mode=0755", "cgroup", "/sys/fs/cgroup"]);
    for (const c of cgroups) {
      await must(sandbox, ["mkdir", "-p", c.target]);
      await must(sandbox, ["mount", "-t", c.type, "-o", c.options, c.type, c.target]);
    }
  }
  await must(sandbox, [
    "mount",
    "-t",
    "overlay",
    "-o",
    `lowerdir=/var/lib,upperdir=${STATE}/varlib-upper,workdir=${STATE}/varlib-work`,
    "overlay",
    "/var/lib",
  ]);
  await must(sandbox, ["mkdir", "-p", "/var/lib/docker"]);
  await must(sandbox, ["mount", "-t", "tmpfs", "-o", "mode=0711", "tmpfs", "/var/lib/docker"]);
  if (isDir("/etc/docker")) {
    await must(sandbox, ["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/etc/docker"]);
  }
  const resolv = await sandbox.exec({
    argv: ["resolv.conf"],
    background: false,
    writeFile: { path: `${STATE}/resolv.conf`, content: `nameserver ${SANDBOX_NAMESERVER}\n` },
  });
  if (resolv.exit !== 0) throw new Error(resolv.stderr.trim());
  await must(sandbox, ["mount", "--bind", `${STATE}/resolv.conf`, "/etc/resolv.conf"]);
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function waitReady(sandbox: Sandbox, t0: number): Promise<void> {
  for (;;) {
    const r = await sandbox.exec({
      argv: [DOCKER_CLI, ...cliFlags(), "version", "--format", "{{.Server.Version}}"],
      background: false,
      timeoutMs: 10_000,
    });
    if (r.exit === 0) return;
    const log = await sandbox.peekMonitor(MONITOR);
    if (!log.running) {
      throw new Error(
        `dockerd exited (${log.exit}): ${(log.stderr + log.stdout).trim().slice(-2000)}`,
      );
    }
    if (Date.now() - t0 > READY_TIMEOUT_MS) {
      throw new Error(
        `dockerd did not answer within ${READY_TIMEOUT_MS / 1000} s: ${log.stderr.trim().slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

/**
 * Removes the (empty) cgroups dockerd made for containers below its own, on the machine,
 * after the sandbox ended: the kernel killed their processes, the directories stay.
 * Only directories named by this daemon's cgroup parent are touched.
 */
export function removeCgroups(cgroupParent: string, ownCgroups = readOwnCgroups()): void {
  for (const { mount, path } of ownCgroups) {
    const dir = join(mount, path, cgroupParent);
    removeTree(dir);
  }
}

function removeTree(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return;
  }
  for (const n of names) removeTree(join(dir, n));
  try {
    rmdirSync(dir);
  } catch {
    // busy (a process still in it) or gone: nothing more to do
  }
}

/** This process's cgroup per hierarchy, with where the machine mounts that hierarchy. */
export function readOwnCgroups(): { mount: string; path: string }[] {
  const out: { mount: string; path: string }[] = [];
  let self: string;
  let mounts: string;
  try {
    self = readFileSyncUtf8("/proc/self/cgroup");
    mounts = readFileSyncUtf8("/proc/self/mounts");
  } catch {
    return out;
  }
  const byController = new Map<string, string>();
  for (const l of mounts.split("\n")) {
    const f = l.split(" ");
    if (f[2] === "cgroup2") byController.set("", f[1]!);
    if (f[2] !== "cgroup") continue;
    const opts = f[3]!
      .split(",")
      .filter((o) => o !== "rw" && o !== "ro" && !o.startsWith("relatime"));
    for (const o of opts) byController.set(o, f[1]!);
  }
  for (const l of self.split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(l);
    if (!m) continue;
    const mount =
      m[1] === ""
        ? byController.get("")
        : m[1]!
            .split(",")
            .map((c) => byController.get(c))
            .find(Boolean);
    if (mount !== undefined) out.push({ mount, path: m[2]! });
  }
  return out;
}

function readFileSyncUtf8(p: string): string {
  return readFileSync(p, "utf8");
}

/**
 * Removes what earlier runs that were killed (SIGKILL: no cleanUp ran) left: cgroup
 * directories named for a sandbox init that no longer exists. Empty ones only: rmdir
 * fails on a cgroup that still has processes or children with processes.
 */
export function sweepStaleCgroups(ownCgroups = readOwnCgroups()): void {
  for (const { mount, path } of ownCgroups) {
    let names: string[];
    try {
      names = readdirSync(join(mount, path));
    } catch {
      continue;
    }
    for (const n of names) {
      const m = /^packetwalk-(\d+)$/.exec(n);
      if (m && !isAlive(Number(m[1]))) removeTree(join(mount, path, n));
    }
  }
}
