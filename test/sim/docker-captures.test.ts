// The simulated dockerd against the real one: every command of each capture of Debian's
// docker.io 20.10 in the sandbox (test/sim/docker-captures/) runs in the simulator, and
// its output, after normalisation (ids, veth names, ages: src/compare/docker-normalise.ts
// on top of the comparison's own), must equal the real output, except for the commands
// listed in SKIP (what the simulator does not model, each with its reason).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../../src/backend.js";
import { normaliseDockerResult } from "../../src/compare/docker-normalise.js";
import { normaliseResult } from "../../src/compare/normalise.js";
import { parseLine } from "../../src/script/parse.js";
import { Dockerd, setDaemonConfig } from "../../src/sim/docker/daemon.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { SIM_PROGRAMS } from "../../src/sim/programs.js";
import type { SimProgram } from "../../src/sim/userland/program.js";

const DIR = "test/sim/docker-captures";

interface Block {
  command: string;
  expected: CommandResult;
}

/** The capture format: "$ CMD", then "--- stdout", "--- stderr" sections, "--- exit N". */
function parseCapture(text: string): { header: string; blocks: Block[] } {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let header = "";
  let cur: Block | undefined;
  let section: "stdout" | "stderr" | undefined;
  for (const line of lines) {
    if (cur === undefined) {
      if (line.startsWith("$ ")) {
        cur = { command: line.slice(2), expected: { exit: 0, stdout: "", stderr: "" } };
        section = undefined;
      } else if (line.startsWith("# ")) header += `${line}\n`;
      continue;
    }
    const exit = /^--- exit (\d+)$/.exec(line);
    if (exit) {
      cur.expected.exit = Number(exit[1]);
      blocks.push(cur);
      cur = undefined;
    } else if (line === "--- stdout") section = "stdout";
    else if (line === "--- stderr") section = "stderr";
    else if (section) cur.expected[section] += `${line}\n`;
  }
  return { header, blocks };
}

/**
 * Commands not replayed, by pattern, with the reason. Everything else must match.
 */
const SKIP: [RegExp, string][] = [
  [/^docker images/, "images are the kernel side's (packetwalk's imported image)"],
  [/^docker inspect \S+$/, "the full container JSON is not simulated (inspect -f is)"],
  [/ps -eo/, "not a lab program: the process list"],
  [/^\[host\] ip -d link/, "bridge details the simulator prints differently (gso/tso limits)"],
  [
    /^docker exec \S+ (ip addr|ip -o link)/,
    "IPv6 in containers: dockerd disables it (not simulated)",
  ],
];

/** Per capture: commands whose difference is known, with the reason. */
const SKIP_IN: Record<string, [RegExp, string][]> = {
  "08-userland-proxy-on.txt": [
    [/^\[host\] ss -(t|u)lnp$/, "docker-proxy's [::] listeners: the simulator has no IPv6 sockets"],
  ],
};

function skipped(file: string, command: string): string | undefined {
  return [...SKIP, ...(SKIP_IN[file] ?? [])].find(([re]) => re.test(command))?.[1];
}

/** Runs one capture command in the simulator: docker lines, [host] lines, [in X's netns] lines. */
async function replay(sim: SimBackend, command: string): Promise<CommandResult> {
  const inNs = /^\[in (\S+)'s netns\] (.*)$/.exec(command);
  if (inNs) {
    const d = sim.world.dockerd as Dockerd;
    const c = d.container(inNs[1]!);
    const ns = c ? d.nsOf(c) : undefined;
    if (!ns) return { exit: 1, stdout: "", stderr: "nsenter: failed to parse pid: ''\n" };
    const [prog, ...args] = inNs[2]!.split(" ");
    const p = (SIM_PROGRAMS as Record<string, SimProgram>)[prog!]!;
    const r = p({ world: sim.world, ns, args, program: prog!, background: false });
    if ("waiting" in r) throw new Error("a waiting program in a namespace line");
    return r;
  }
  const text = command.replace(/^\[host\] /, "");
  const cmd = parseLine(text, 1);
  if (!cmd) throw new Error(`not a command: ${command}`);
  return sim.run(cmd);
}

function normalised(r: CommandResult, command: string): CommandResult {
  const text = command.replace(/^\[[^\]]*\] /, "");
  return normaliseDockerResult(normaliseResult(r, text), text);
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".txt"))
  .sort();

describe("the simulated dockerd replays the real one's captures", () => {
  for (const file of files) {
    it(file, async () => {
      const { header, blocks } = parseCapture(readFileSync(join(DIR, file), "utf8"));
      const sim = new SimBackend();
      if (header.includes("--userland-proxy=false")) {
        setDaemonConfig(sim.world, { userlandProxy: false });
      }
      // The captures start dockerd before their first line.
      await sim.run(parseLine("docker network ls", 1)!);
      const diffs: string[] = [];
      for (const b of blocks) {
        if (skipped(file, b.command) !== undefined) continue;
        const got = await replay(sim, b.command);
        const want = normalised(b.expected, b.command);
        const have = normalised(got, b.command);
        if (JSON.stringify(want) !== JSON.stringify(have)) {
          diffs.push(`$ ${b.command}\n- ${JSON.stringify(have)}\n+ ${JSON.stringify(want)}`);
        }
      }
      expect(diffs.join("\n\n")).toBe("");
    });
  }
});
