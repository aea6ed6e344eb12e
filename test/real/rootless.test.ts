// Without root: the sandbox adds a user namespace, and a lab still works end to end.
// Run as root in CI, so the test becomes the unprivileged user `pwtest` with setpriv.
import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FIXTURE, isRoot, localUser, REPO, sandboxUnavailable, TSX_IMPORT } from "./helpers.js";

const USER = "pwtest";

/** Every directory up to / searchable by others and the file readable by others. */
function othersCanRead(path: string): boolean {
  for (let p = path; ; p = dirname(p)) {
    const mode = statSync(p).mode;
    const needed = p === path && !statSync(p).isDirectory() ? 0o004 : 0o001;
    if ((mode & needed) === 0) return false;
    if (p === "/") return true;
  }
}

const tsxFile = fileURLToPath(TSX_IMPORT);
const skipReason = ((): string | undefined => {
  if (sandboxUnavailable) return sandboxUnavailable;
  if (!isRoot) return "needs root to switch to the unprivileged user (run as root, e.g. in CI)";
  if (!localUser(USER)) return `user ${USER} does not exist`;
  try {
    accessSync("/usr/bin/setpriv", constants.X_OK);
  } catch {
    return "setpriv (util-linux) is missing";
  }
  if (![FIXTURE, tsxFile, process.execPath].every(othersCanRead)) {
    return `the repository or node is not readable by ${USER}`;
  }
  // Root's own check (sandboxUnavailable) needs no user namespace: the user's does.
  const r = spawnSync(
    "/usr/bin/setpriv",
    [
      `--reuid=${USER}`,
      `--regid=${USER}`,
      "--init-groups",
      "--",
      "unshare",
      "--user",
      "--map-root-user",
      "--net",
      "true",
    ],
    { encoding: "utf8", env: { PATH: "/usr/local/bin:/usr/bin:/bin" } },
  );
  if (r.status !== 0) {
    return `no user namespaces for ${USER} here: ${(r.stderr || r.error?.message || "").trim()}`;
  }
  return undefined;
})();

describe("rootless sandbox", () => {
  it.skipIf(skipReason)(
    `pings across a veth pair as ${USER} (${skipReason ?? "user namespace"})`,
    () => {
      const r = spawnSync(
        "/usr/bin/setpriv",
        [
          `--reuid=${USER}`,
          `--regid=${USER}`,
          "--init-groups",
          "--",
          process.execPath,
          "--import",
          TSX_IMPORT,
          FIXTURE,
          "ping",
        ],
        {
          cwd: REPO,
          encoding: "utf8",
          timeout: 30_000,
          // The user's own environment: nothing of root's (HOME, TMPDIR) that it cannot write.
          env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/tmp", LANG: "C" },
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as {
        uid: number;
        userns: boolean;
        exit: number;
        stdout: string;
      };
      expect(out.uid).toBe(localUser(USER)!.uid);
      expect(out.userns).toBe(true);
      expect(out.exit).toBe(0);
      expect(out.stdout).toContain("1 packets transmitted, 1 received, 0% packet loss");
    },
  );
});
