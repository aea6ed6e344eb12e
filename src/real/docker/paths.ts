// Debian's docker.io (20.10), the daemon and the CLI that matches it. Absolute paths: on
// some machines another docker client (a newer static build) comes first on PATH.
import { accessSync, constants } from "node:fs";

export const DOCKER_CLI = "/usr/bin/docker";
export const DOCKERD = "/usr/sbin/dockerd";
export const CONTAINERD = "/usr/bin/containerd";
export const RUNC = "/usr/sbin/runc";
/** tini, Debian's docker-init: the daemon's reaper inside the sandbox. */
export const DOCKER_INIT = "/usr/bin/docker-init";

const REQUIRED = [DOCKER_CLI, DOCKERD, CONTAINERD, RUNC, DOCKER_INIT];

/** How to get it; doctor prints it and the kernel backend refuses docker lines with it. */
export const DOCKER_INSTALL_HINT =
  "docker lines on the kernel need Debian's docker.io (20.10): apt-get install docker.io " +
  "(packetwalk runs its dockerd inside the sandbox, never on the machine; keep the " +
  "machine's docker service stopped)";

/** The docker.io programs that are missing, or [] when all are there. */
export function missingDockerPrograms(): string[] {
  return REQUIRED.filter((p) => {
    try {
      accessSync(p, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/** Why docker lines cannot run on the kernel here, or undefined. */
export function dockerUnavailable(): string | undefined {
  const missing = missingDockerPrograms();
  if (missing.length > 0) return `${DOCKER_INSTALL_HINT}; missing: ${missing.join(", ")}`;
  if (process.getuid?.() !== 0) {
    return "docker lines on the kernel need root: dockerd cannot run in a rootless sandbox (run packetwalk with sudo)";
  }
  return undefined;
}
