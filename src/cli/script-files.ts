// The node:fs side of loading a script (src/script/load.ts): names resolve in the script's
// directory, symlinks followed, so load.ts can refuse what lands outside it.
import { readFileSync, realpathSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { strerror } from "../real/strerror.js";
import type { FileLookup, ScriptFiles } from "../script/load.js";

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/** Files named by a script in `dir` (made real here: a script reached through a symlink). */
export function scriptFiles(dir: string): ScriptFiles {
  const real = realpathSync(dir);
  return {
    dir: real,
    read(name: string): FileLookup {
      const path = resolve(real, name);
      let realPath: string;
      try {
        realPath = realpathSync(path);
      } catch (e) {
        // Missing: as real as its directory is (a missing file under a symlinked one).
        return { realPath: realParent(path), error: strerror(code(e)) };
      }
      try {
        return { realPath, content: readFileSync(realPath, "utf8") };
      } catch (e) {
        return { realPath, error: strerror(code(e)) };
      }
    },
  };
}

function realParent(path: string): string {
  try {
    return resolve(realpathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}
