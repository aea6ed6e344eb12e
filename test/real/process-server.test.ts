// The sandbox's process server on its own: started as the init starts it (a socket as its
// stdin and stdout, through a small Node parent), outside any sandbox, running only
// harmless programs (perl one-liners, cat, sleep). Each line gets its own output, exit
// status, time limit; jobs start and are left running; EOF of the socket ends the server.
import { spawn, type ChildProcess } from "node:child_process";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "../../src/real/host-procs.js";
import { PROCESS_SERVER_PERL } from "../../src/real/process-server-perl.js";
import { ProcessServer } from "../../src/real/process-server.js";
import { findProgram } from "../../src/real/paths.js";
import { waitFor } from "./helpers.js";

/** What sandbox-init does: perl on fd 3 as stdin and stdout, then its own copy closed. */
const PARENT = `
const { spawn } = require("node:child_process");
const p = spawn("perl", ["-e", process.argv[1], "3"], { stdio: [3, 3, "inherit"] });
p.once("spawn", () => { require("node:fs").closeSync(3); console.log(p.pid); });
p.once("exit", (c, s) => { console.log("exit " + (c ?? s)); process.exit(0); });
`;

const perl = findProgram("perl");

describe.skipIf(!perl)("the process server", () => {
  let parent: ChildProcess;
  let server: ProcessServer;
  let serverPid = 0;
  let said = "";

  beforeAll(async () => {
    parent = spawn(process.execPath, ["-e", PARENT, PROCESS_SERVER_PERL], {
      stdio: ["ignore", "pipe", "inherit", "pipe"],
    });
    parent.stdout!.setEncoding("utf8").on("data", (s: string) => (said += s));
    expect(await waitFor(() => /^\d+\n/.test(said), 5000)).toBe(true);
    serverPid = Number(said.split("\n")[0]);
    const s = await ProcessServer.connect(parent.stdio[3] as Duplex, 5000);
    expect(s).toBeDefined();
    server = s!;
  });

  afterAll(() => {
    parent.kill("SIGKILL");
    if (serverPid > 0 && isAlive(serverPid)) process.kill(serverPid, "SIGKILL");
  });

  const run = (argv: string[], more: { stdin?: string; timeoutMs?: number } = {}) =>
    server.run({ argv, background: false, timeoutMs: more.timeoutMs ?? 20_000, ...more });

  it("gives each line its own stdout, stderr and exit status", async () => {
    const [a, b] = await Promise.all([
      run(["perl", "-e", 'print "out a\\n"; print STDERR "err a\\n"; exit 3']),
      run(["perl", "-e", 'print "out b\\n"']),
    ]);
    expect(a).toEqual({ exit: 3, stdout: "out a\n", stderr: "err a\n" });
    expect(b).toEqual({ exit: 0, stdout: "out b\n", stderr: "" });
  });

  it("passes arguments as they are: no shell sees them", async () => {
    const args = ["$(id)", "a b", "*", "'", ";", ""];
    const r = await run(["perl", "-e", 'print join("|", @ARGV)', ...args]);
    expect(r.stdout).toBe(args.join("|"));
  });

  it("reports a signal as 128+N, a missing program as 127, one it cannot run as 126", async () => {
    expect((await run(["perl", "-e", "kill 'TERM', $$"])).exit).toBe(143);
    expect(await run(["no-such-program-pw"])).toEqual({
      exit: 127,
      stdout: "",
      stderr: "packetwalk: no-such-program-pw: command not found\n",
    });
    expect(await run(["/etc/passwd"])).toMatchObject({ exit: 126 });
  });

  it("feeds stdin, large or empty, and returns large output whole", async () => {
    const big = "x".repeat(500_000) + "\n";
    expect((await run(["cat"], { stdin: big })).stdout).toBe(big);
    expect(await run(["cat"], { stdin: "" })).toEqual({ exit: 0, stdout: "", stderr: "" });
    const out = await run(["perl", "-e", 'print "y" x 1_000_000']);
    expect(out.stdout.length).toBe(1_000_000);
  });

  it("kills a line over its time limit, with what it started, and reports 124", async () => {
    const r = await run(
      ["perl", "-e", '$| = 1; if (my $k = fork) { print "$k\\n"; sleep 30 } else { sleep 30 }'],
      { timeoutMs: 300 },
    );
    expect(r.exit).toBe(124);
    expect(r.stderr).toMatch(/timed out after 0\.3 s, killed\n$/);
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    expect(await waitFor(() => !isAlive(pid), 2000)).toBe(true);
  });

  it("starts a job and answers at once, the job running on", async () => {
    const r = await server.run({
      argv: ["sleep", "2"],
      background: true,
      timeoutMs: 100,
    });
    expect(r).toEqual({ exit: 0, stdout: "", stderr: "" });
    expect((await run(["perl", "-e", "print 1"])).stdout).toBe("1");
  });

  const inTurn = (argv: string[], timeoutMs = 20_000) =>
    server.run({ argv, background: false, timeoutMs, inTurn: true });

  it("runs lines sent in turn one after the other, each with its own output", async () => {
    // Each line notes when it started and ended (ms): sent at once, they must not overlap.
    const line = (name: string, exit: number) => [
      "perl",
      "-MTime::HiRes=time,sleep",
      "-e",
      `my $s = time; sleep 0.05; printf "${name} %.6f %.6f\\n", $s, time; print STDERR "e${name}"; exit ${exit}`,
    ];
    const rs = await Promise.all([
      inTurn(line("a", 0)),
      inTurn(line("b", 2)),
      inTurn(line("c", 0)),
    ]);
    expect(rs.map((r) => r.exit)).toEqual([0, 2, 0]);
    expect(rs.map((r) => r.stderr)).toEqual(["ea", "eb", "ec"]);
    const spans = rs.map((r) => r.stdout.trim().split(" ").slice(1).map(Number));
    expect(rs.map((r) => r.stdout[0])).toEqual(["a", "b", "c"]);
    expect(spans[1]![0]).toBeGreaterThanOrEqual(spans[0]![1]!);
    expect(spans[2]![0]).toBeGreaterThanOrEqual(spans[1]![1]!);
  });

  it("goes on in turn after a line that failed to start or ran out of time", async () => {
    const [missing, slow, next] = await Promise.all([
      inTurn(["no-such-program-pw"]),
      inTurn(["perl", "-e", "sleep 30"], 300),
      inTurn(["perl", "-e", "print 'next'"], 300),
    ]);
    expect(missing.exit).toBe(127);
    expect(slow.exit).toBe(124);
    // Its time counted from its own turn, not from when it was sent with the slow one.
    expect(next).toEqual({ exit: 0, stdout: "next", stderr: "" });
  });

  it("exits when packetwalk's end of the socket closes", async () => {
    server.close();
    await expect(run(["true"])).rejects.toThrow(/closed/);
    expect(await waitFor(() => said.includes("exit 0"), 5000)).toBe(true);
  });
});
