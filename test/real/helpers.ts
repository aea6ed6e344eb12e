// Shared by the kernel-backend tests: lab lines, host snapshots, bounded polling.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseLine } from "../../src/script/parse.js";
import type { LabCommand } from "../../src/script/types.js";

/** A lab script line, parsed as the CLI would. */
export function lab(text: string, line = 1): LabCommand {
  const cmd = parseLine(text, line);
  if (!cmd) throw new Error(`not a command: ${text}`);
  return cmd;
}

/** A command built without the parser (one it would refuse, or odd argv): only tests build these. */
export function raw(argv: string[]): LabCommand {
  return {
    line: 0,
    text: argv.join(" "),
    argv,
    background: false,
    program: argv[0]!,
    args: argv.slice(1),
    provenance: { line: 0, text: argv.join(" "), step: 1, of: 1 },
  };
}

/**
 * What the machine's own network namespace holds, read with `ip` (read-only).
 * Interface names, not indexes or state, so other activity on the machine does not count.
 */
export function hostNetSnapshot(): { netns: string; links: string[] } {
  const ip = (args: string[]): string => {
    const r = spawnSync("ip", args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const links = ip(["-o", "link"])
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(": ")[1]!)
    .sort();
  return { netns: ip(["netns", "list"]), links };
}

/** Whether one of these processes runs `comm` (a background job has started). */
export function runsProgram(pids: number[], comm: string): boolean {
  return pids.some((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, "utf8").trim() === comm;
    } catch {
      return false;
    }
  });
}

/** Polls until pred() holds or ms pass; returns whether it held. */
export async function waitFor(pred: () => boolean, ms: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (pred()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const isRoot = process.getuid?.() === 0;

/** Can this machine start a sandbox at all (root, or unprivileged user namespaces)? */
export const sandboxUnavailable: string | undefined = (() => {
  const args = isRoot ? ["--net", "true"] : ["--user", "--map-root-user", "--net", "true"];
  const r = spawnSync("unshare", args, { encoding: "utf8" });
  if (r.error) return `unshare missing: ${r.error.message}`;
  return r.status === 0 ? undefined : `no namespaces here: ${r.stderr.trim()}`;
})();

export const FIXTURE = fileURLToPath(new URL("./fixtures/sandbox-fixture.ts", import.meta.url));
export const REPO = fileURLToPath(new URL("../../", import.meta.url));
/** `node --import <tsx>` so fixtures run from source, whatever the working directory. */
export const TSX_IMPORT = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** uid/gid of a local user from /etc/passwd, or undefined. */
export function localUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const f = line.split(":");
  return { uid: Number(f[2]), gid: Number(f[3]) };
}
