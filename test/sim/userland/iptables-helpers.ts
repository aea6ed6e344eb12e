// Helpers for the iptables tests: a simulator whose scripts live in test/labs (where the
// rules files of iptables-restore are), and replay of kernel transcripts recorded from
// the ipt-*.lab scripts (fixtures/ipt-*.json, already normalised).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CommandResult } from "../../../src/backend.js";
import { normaliseText } from "../../../src/compare/normalise.js";
import { parseLine } from "../../../src/script/parse.js";
import { SimBackend } from "../../../src/sim/sim-backend.js";

const LABS = fileURLToPath(new URL("../../labs/", import.meta.url));

export class IptLab {
  readonly b = new SimBackend({ scriptDir: LABS });

  run(line: string): CommandResult {
    const cmd = parseLine(line, 1);
    if (!cmd) throw new Error(`not a command: ${line}`);
    return this.b.runSync(cmd);
  }

  setup(...lines: string[]): void {
    for (const l of lines) {
      const r = this.run(l);
      if (r.exit !== 0 || r.stderr !== "") throw new Error(`${l}: exit ${r.exit} ${r.stderr}`);
    }
  }

  out(line: string): string {
    const r = this.run(line);
    if (r.exit !== 0) throw new Error(`${line}: exit ${r.exit} ${r.stderr}`);
    return r.stdout;
  }
}

interface Rec {
  cmd: string;
  exit: number;
  stdout: string;
  stderr: string;
}

/** Lines where the simulator differs from the recorded kernel. */
export function replayIptables(fixture: string): string[] {
  const data = JSON.parse(
    readFileSync(fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url)), "utf8"),
  ) as { records: Rec[] };
  const l = new IptLab();
  const bad: string[] = [];
  for (const r of data.records) {
    const got = l.run(r.cmd);
    const have = {
      exit: got.exit,
      stdout: normaliseText(got.stdout),
      stderr: normaliseText(got.stderr),
    };
    const want = { exit: r.exit, stdout: r.stdout, stderr: r.stderr };
    if (JSON.stringify(want) !== JSON.stringify(have))
      bad.push(`${r.cmd}\n  kernel: ${JSON.stringify(want)}\n  sim:    ${JSON.stringify(have)}`);
  }
  return bad;
}
