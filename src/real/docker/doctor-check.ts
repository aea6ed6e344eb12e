// `packetwalk doctor`'s docker lines: is Debian's docker.io there, and does its daemon
// start inside a sandbox (measured: the first docker line of a script pays this).
import { spawnSync } from "node:child_process";
import type { Check } from "../preflight.js";
import { Sandbox } from "../sandbox.js";
import { DockerDaemon, removeCgroups } from "./daemon.js";
import {
  DOCKER_CLI,
  DOCKER_INSTALL_HINT,
  DOCKERD,
  dockerUnavailable,
  missingDockerPrograms,
} from "./paths.js";

const ONLY_FOR = "docker lines on the kernel";
const INSTALL =
  "apt-get install docker.io (as .ci/run does: with /usr/sbin/policy-rc.d exiting 101 first, so apt does not start the machine's docker service)";

function version(program: string): string {
  const r = spawnSync(program, ["--version"], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
  return (r.stdout ?? "").split("\n")[0]?.trim() || `exit ${r.status}`;
}

export async function checkDocker(opts: { startDaemon?: boolean } = {}): Promise<Check[]> {
  const missing = missingDockerPrograms();
  if (missing.length > 0) {
    return [
      {
        name: "docker.io",
        ok: false,
        detail: `missing: ${missing.join(", ")}; ${DOCKER_INSTALL_HINT}`,
        fix: INSTALL,
        onlyFor: ONLY_FOR,
      },
    ];
  }
  const installed: Check = {
    name: "docker.io",
    ok: true,
    detail: `${DOCKERD}: ${version(DOCKERD)}; ${DOCKER_CLI}: ${version(DOCKER_CLI)}`,
    fix: INSTALL,
    onlyFor: ONLY_FOR,
  };
  const why = dockerUnavailable();
  if (why !== undefined) {
    return [
      installed,
      {
        name: "dockerd in the sandbox",
        ok: false,
        detail: why,
        fix: "run packetwalk as root (sudo)",
        onlyFor: ONLY_FOR,
      },
    ];
  }
  if (opts.startDaemon === false) return [installed];
  return [installed, await checkDaemon()];
}

/** Starts dockerd in a throwaway sandbox, as the first docker line of a script would. */
async function checkDaemon(): Promise<Check> {
  const name = "dockerd in the sandbox";
  const fix = "see the detail; dockerd's log is in it";
  let sandbox: Sandbox | undefined;
  let cgroupParent: string | undefined;
  try {
    sandbox = await Sandbox.start();
    const d = await DockerDaemon.start(sandbox);
    cgroupParent = d.cgroupParent;
    const t = d.timings;
    return {
      name,
      ok: true,
      detail: `started in ${(t.daemonStartMs / 1000).toFixed(1)} s, image ${t.imageBuilt ? "built and " : ""}imported in ${(t.imageMs / 1000).toFixed(1)} s`,
      fix,
      onlyFor: ONLY_FOR,
    };
  } catch (e) {
    return {
      name,
      ok: false,
      detail: e instanceof Error ? e.message : String(e),
      fix,
      onlyFor: ONLY_FOR,
    };
  } finally {
    await sandbox?.close();
    if (cgroupParent !== undefined) removeCgroups(cgroupParent);
  }
}
