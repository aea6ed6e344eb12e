// `packetwalk exercise list|show|check` and `packetwalk labs` as a learner runs them: the
// real CLI (bin/packetwalk.js) in a child process, from a tree laid out as the npm package
// is (bin, dist built from src now, lessons, exercises, diagrams, test/labs), so what the
// package ships is what is tested. Output and exit codes; the simulator only (no sandbox).
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = process.cwd();
const solutions = join(repo, "test/exercises/solutions");
let root = "";
// Asynchronous: a synchronous child would starve the test worker's own messages.
const execFileP = promisify(execFile);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "pw-pkg-"));
  // dist from the sources as they are now, in the temporary tree: a stale dist/ of the
  // working copy cannot pass for the sources. esbuild transpiles file by file as tsc
  // would emit them (the type check is `npm run typecheck`'s), in a second, not a minute.
  const sources = readdirSync(join(repo, "src"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => join(repo, "src", f));
  await build({
    entryPoints: sources,
    outdir: join(root, "dist"),
    outbase: join(repo, "src"),
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "error",
  });
  mkdirSync(join(root, "bin"));
  copyFileSync(join(repo, "bin/packetwalk.js"), join(root, "bin/packetwalk.js"));
  mkdirSync(join(root, "test"));
  for (const p of ["lessons", "exercises", "diagrams", "test/labs", "node_modules", "package.json"])
    symlinkSync(join(repo, p), join(root, p));
}, 180_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

interface Ran {
  out: string;
  err: string;
  exit: number | null;
}

async function cli(...args: string[]): Promise<Ran> {
  const opts = {
    encoding: "utf8" as const,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 60_000,
  };
  try {
    const r = await execFileP(process.execPath, [join(root, "bin/packetwalk.js"), ...args], opts);
    return { out: r.stdout, err: r.stderr, exit: 0 };
  } catch (e) {
    // A non-zero exit rejects, with the output and the code on the error.
    const x = e as { stdout?: string; stderr?: string; code?: unknown };
    return {
      out: x.stdout ?? "",
      err: x.stderr ?? "",
      exit: typeof x.code === "number" ? x.code : null,
    };
  }
}

describe("the packetwalk CLI, spawned", async () => {
  it("exercise list: one line per exercise, id, kind and lesson", async () => {
    const r = await cli("exercise", "list");
    expect(r.exit).toBe(0);
    expect(r.err).toBe("");
    const lines = r.out.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(17);
    expect(lines.find((l) => l.startsWith("fix-forward-drop "))).toMatch(
      /^fix-forward-drop\s+fix\s+docker-firewall-by-hand\s+Broken host/,
    );
    expect(lines.find((l) => l.startsWith("log-forwarded "))).toMatch(/build\s+docker-six-walks/);
  });

  it("exercise show: goal, world, checks, and hints one at a time", async () => {
    const r = await cli("exercise", "show", "log-forwarded", "--hints", "1");
    expect(r.exit).toBe(0);
    expect(r.out).toContain("Goal: A LOG rule in filter FORWARD");
    expect(r.out).toContain("  iptables -P FORWARD DROP\n");
    expect(r.out).toContain("must count packets: the rule -A FORWARD -j LOG");
    expect(r.out).toContain("Hint 1: The 2016 article");
    expect(r.out).not.toContain("Hint 2:");
    expect(r.out).toContain("2 hint(s) left: packetwalk exercise show log-forwarded --hints 2");
  });

  it("exercise check: the reference solves it (exit 0)", async () => {
    const r = await cli(
      "exercise",
      "check",
      "fix-forward-drop",
      join(solutions, "fix-forward-drop/reference.lab"),
    );
    expect(r.out).toContain("solved: 4 of 4 checks hold (sim)");
    expect(r.out).not.toContain("FAIL");
    expect(r.exit).toBe(0);
  });

  it("exercise check: a wrong solution fails (exit 1) and its walk says why", async () => {
    const r = await cli(
      "exercise",
      "check",
      "fix-forward-drop",
      join(solutions, "fix-forward-drop/wrong-no-replies.lab"),
    );
    expect(r.exit).toBe(1);
    const fail = r.out.split("\n").find((l) => l.startsWith("FAIL"));
    expect(fail).toContain(
      "FAIL your ping from a to 203.0.113.80 must get through (`ip netns exec a ping -c1 -W1 203.0.113.80`), but the ping got no reply:",
    );
    expect(fail).toContain(
      "dropped in (root) at filter FORWARD policy DROP, after DNAT to 172.18.0.2; no rule of filter FORWARD accepts this traffic from uplink out of br0",
    );
    expect(r.out).toMatch(/not yet: \d of 4 checks hold \(sim\)\n$/);
  });

  it("exercise check: the cheat fails a rule that must count", async () => {
    const r = await cli(
      "exercise",
      "check",
      "log-forwarded",
      join(solutions, "log-forwarded/wrong-cheat-flush-accept.lab"),
    );
    expect(r.exit).toBe(1);
    expect(r.out).toContain(
      "FAIL counts: -A FORWARD -j LOG: no rule of filter FORWARD carries -j LOG",
    );
    expect(r.out).toContain("FAIL your ping from internet to 172.18.0.2 must stay blocked");
  });

  it("a bad exercise id or solution file: a clear error on stderr, exit 2", async () => {
    for (const args of [
      ["exercise", "show", "no-such-exercise"],
      ["exercise", "check", "no-such-exercise", join(solutions, "fix-forward-drop/reference.lab")],
    ]) {
      const r = await cli(...args);
      expect(r.exit).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(
        /^packetwalk: no exercise "no-such-exercise"\. Exercises: veth-cable, /,
      );
      expect(r.err).toContain("log-forwarded");
    }
    const r = await cli("exercise", "check", "fix-forward-drop", "/nonexistent/solution.lab");
    expect(r.exit).toBe(2);
    expect(r.err).toContain("cannot read /nonexistent/solution.lab: no such file");
  });

  it("labs: lists the lesson labs and the differential labs, and runs one", async () => {
    const list = await cli("labs");
    expect(list.exit).toBe(0);
    expect(list.out).toMatch(/^01-namespaces-veth-bridge\s+Lesson 1:/);
    expect(list.out).toMatch(/\n01-netns-only-lo\s+Seed article 003, step 1:/);
    expect(list.out).toMatch(
      /\n\d+ labs\. Run one: packetwalk labs NAME \[--kernel \| --compare\]\n$/,
    );
    const run = await cli("labs", "01-netns-only-lo");
    expect(run.exit).toBe(0);
    expect(run.out).toContain("$ ip netns add netns0\n");
    expect(run.out).toContain("Network is unreachable");
    const bad = await cli("labs", "no-such-lab");
    expect(bad.exit).toBe(2);
    expect(bad.err).toContain('packetwalk labs: no lab "no-such-lab" (packetwalk labs lists them)');
  });
});
