// The one image every container runs: no registry is reachable from the sandbox, so it is
// built from the machine's own programs (the ones a lab runs in a container) and the
// libraries ldd names, then `docker import`ed. The tarball is cached per user, keyed by
// the content of every file it holds, so a changed binary gives a new image.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { findProgram } from "../paths.js";

/** What a lab runs inside a container; `sh` so `docker exec C sh -c` behaves as usual. */
export const IMAGE_PROGRAMS = ["sh", "ip", "ping", "nc", "sleep", "cat"] as const;

/** The name the imported image gets before the script's own names are tagged on it. */
export const BASE_IMAGE = "packetwalk/base:latest";

export interface ImageTarball {
  path: string;
  /** Short content hash, also in the file name. */
  key: string;
  /** Whether it was built now (false: taken from the cache). */
  built: boolean;
}

/** One file of the image: where it goes inside, and the machine file it is read from. */
interface Entry {
  inside: string;
  from: string;
}

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "packetwalk");
}

/** The canonical place of a path: its directory resolved, the name kept (a lib's soname). */
function canonical(path: string): string {
  return join(realpathSync(dirname(path)), basename(path));
}

/** Libraries the dynamic loader maps for `exe`, as ldd names them (loader included). */
function librariesOf(exe: string): string[] {
  const r = spawnSync("ldd", [exe], { encoding: "utf8" });
  if (r.status !== 0) return []; // static: nothing to add
  const libs: string[] = [];
  for (const line of r.stdout.split("\n")) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return libs;
}

/** Every file of the image; throws naming the program that is missing. */
export function imageEntries(): Entry[] {
  const entries = new Map<string, Entry>();
  for (const name of IMAGE_PROGRAMS) {
    const found = findProgram(name);
    if (found === undefined) throw new Error(`${name} not found on the machine`);
    const real = realpathSync(found);
    // Under its own name in /usr/bin (dash as sh, nc.openbsd as nc): PATH finds it there.
    entries.set(`/usr/bin/${name}`, { inside: `/usr/bin/${name}`, from: real });
    for (const lib of librariesOf(real)) {
      const inside = canonical(lib);
      entries.set(inside, { inside, from: realpathSync(lib) });
    }
  }
  return [...entries.values()].sort((a, b) => a.inside.localeCompare(b.inside));
}

function contentKey(entries: Entry[]): string {
  const h = createHash("sha256");
  for (const e of entries) {
    h.update(e.inside + "\0");
    h.update(readFileSync(e.from));
  }
  return h.digest("hex").slice(0, 16);
}

/**
 * The image's tarball, from the cache or built now. Building copies the files into a
 * staging tree (merged-/usr layout, as Debian's: /bin -> usr/bin, /lib64 -> usr/lib64)
 * and tars it; ping keeps working as root in the container (docker grants NET_RAW).
 */
export function imageTarball(dir = cacheDir()): ImageTarball {
  const entries = imageEntries();
  const key = contentKey(entries);
  const path = join(dir, `docker-image-${key}.tar`);
  if (existsSync(path)) return { path, key, built: false };

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stage = join(dir, `stage-${key}-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  try {
    for (const d of [
      "usr/bin",
      "usr/sbin",
      "usr/lib",
      "usr/lib64",
      "etc",
      "proc",
      "sys",
      "dev",
      "tmp",
      "run",
      "root",
    ]) {
      mkdirSync(join(stage, d), { recursive: true });
    }
    chmodSync(join(stage, "tmp"), 0o1777);
    for (const [link, target] of [
      ["bin", "usr/bin"],
      ["sbin", "usr/sbin"],
      ["lib", "usr/lib"],
      ["lib64", "usr/lib64"],
    ] as const) {
      symlinkSync(target, join(stage, link));
    }
    for (const e of entries) {
      const to = join(stage, e.inside);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(e.from, to);
      chmodSync(to, 0o755);
    }
    const tmp = `${path}.${process.pid}.tmp`;
    const r = spawnSync(
      "tar",
      ["-C", stage, "--numeric-owner", "--owner=0", "--group=0", "-cf", tmp, "."],
      {
        encoding: "utf8",
      },
    );
    if (r.status !== 0) throw new Error(`tar: ${r.stderr.trim() || `exit ${r.status}`}`);
    renameSync(tmp, path); // atomic: a concurrent run sees the whole file or none
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return { path, key, built: true };
}
