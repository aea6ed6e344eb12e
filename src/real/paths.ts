// Where packetwalk looks for programs, inside and outside the sandbox.
import { accessSync, constants } from "node:fs";
import { join } from "node:path";

/**
 * The PATH commands run with. Root's PATH, because ip, iptables and sysctl live in the
 * sbin directories, which an unprivileged user's PATH on Debian does not include.
 */
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Full path of an executable found on SANDBOX_PATH, or undefined. */
export function findProgram(name: string): string | undefined {
  for (const dir of SANDBOX_PATH.split(":")) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}
