// Replays a transcript recorded on the real kernel (test/sim/userland/fixtures/*.json,
// made from the lab script it names) in a fresh simulator, line by line. Only what the
// kernel makes random or time-dependent is normalised: MAC addresses, ping times.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Lab } from "./ip-helpers.js";

interface Rec {
  cmd: string;
  exit?: number;
  stdout?: string;
  stderr?: string;
  sleep?: number;
}

function normalise(s: string): string {
  return s
    .replace(/\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/g, "MAC")
    .replace(/time=\d+(?:\.\d+)? ms/g, "time=RTT ms")
    .replace(/^rtt min\/avg\/max\/mdev = .*$/gm, "rtt RTT")
    .replace(/(packet loss, time )\d+ms/g, "$1Tms");
}

/** Mismatches between the simulator and the recorded kernel, one text per line that differs. */
export function replay(fixture: string): string[] {
  const data = JSON.parse(
    readFileSync(fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url)), "utf8"),
  ) as { records: Rec[] };
  const l = new Lab();
  const bad: string[] = [];
  for (const r of data.records) {
    if (r.sleep !== undefined) {
      l.wait(r.sleep * 1000);
      continue;
    }
    const got = l.run(r.cmd);
    const want = {
      exit: r.exit,
      stdout: normalise(r.stdout ?? ""),
      stderr: normalise(r.stderr ?? ""),
    };
    const have = { exit: got.exit, stdout: normalise(got.stdout), stderr: normalise(got.stderr) };
    if (JSON.stringify(want) !== JSON.stringify(have)) {
      bad.push(`${r.cmd}\n  kernel: ${JSON.stringify(want)}\n  sim:    ${JSON.stringify(have)}`);
    }
  }
  return bad;
}
