// Helpers for the iptables tests: a simulator whose scripts live in test/labs (where the
// rules files of iptables-restore are), and replay of kernel transcripts recorded from
// the ipt-*.lab scripts (fixtures/ipt-*.json, already normalised).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { scriptFiles } from "../../../src/cli/script-files.js";
import { normaliseText } from "../../../src/compare/normalise.js";
import { Lab } from "./ip-helpers.js";

const LABS = fileURLToPath(new URL("../../labs/", import.meta.url));

/** Lab lines run where iptables-restore finds the rules files. */
export class IptLab extends Lab {
  constructor() {
    super({}, scriptFiles(LABS));
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
