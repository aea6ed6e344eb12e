// PID 1 of a kernel sandbox. Sandbox starts it as
//   unshare [--user --map-root-user] --net --mount --pid --fork --kill-child --mount-proc -- node sandbox-init
// It gives the sandbox a private /run/netns, then runs the commands it is sent on stdin
// (newline-delimited JSON, see protocol.ts) by argument vector, never through a shell.
// When stdin reaches EOF (packetwalk closed the sandbox, or died and its end of the pipe
// was closed by the kernel) it exits; PID 1 exiting makes the kernel kill every process in
// the PID namespace, and with them go the network namespaces, devices and rules.
//
// Monitors are programs that run on while other commands are sent (xtables-monitor during
// a probe): their output is kept and handed over on request, "peek" or "stop".
//
// Lab lines mostly do not come here: with `--server-fd N` the init starts the process
// server (process-server-perl.ts) on the socket packetwalk passed as fd N, and packetwalk
// sends lines to it directly. The init then runs monitors, `echo > file` and whatever the
// server cannot (no perl), and says when the server exits.
//
// Node does not reap orphans it did not spawn; a process re-parented to this init stays a
// zombie until the sandbox ends, which costs nothing for a lab run.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdirSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { createInterface } from "node:readline";
import { PROCESS_SERVER_PERL } from "./process-server-perl.js";
import type { InitEvent, InitHello, InitReply, InitRequest, MonitorOp } from "./protocol.js";
import { TIMEOUT_EXIT } from "./protocol.js";
import { strerror } from "./strerror.js";

/** After SIGKILL on timeout, how long to wait for the pipes to close before giving up on them. */
const KILL_GRACE_MS = 1000;
/** After SIGTERM, how long a monitor may take to exit before it is SIGKILLed. */
const MONITOR_STOP_GRACE_MS = 2000;

function send(msg: InitReply | InitHello | InitEvent): void {
  process.stdout.write(JSON.stringify(msg) + "\n");
}

/**
 * `ip netns add` keeps its names in /run/netns. A private tmpfs on /run (this mount
 * namespace only; unshare made propagation private) hides the machine's namespaces and
 * is writable even by an unprivileged user in a user namespace, where creating
 * /run/netns on the real /run is not allowed. /var/run is a symlink to /run on Debian.
 */
function setUp(): string | undefined {
  const steps: [string, string[]][] = [
    ["mount", ["-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run"]],
    ["mkdir", ["/run/netns"]],
    ["mount", ["-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run/netns"]],
  ];
  // /sys as this network namespace sees it (what `ip netns exec` does for named ones):
  // brctl reads bridges from /sys/class/net, and the machine's own must not show. Not
  // fatal: where a container masks parts of /sys the kernel refuses a new sysfs, and
  // brctl falls back to ioctls on the sandbox's namespace.
  spawnSync("mount", ["-t", "sysfs", "sysfs", "/sys"], { encoding: "utf8" });
  for (const [prog, args] of steps) {
    if (prog === "mkdir") {
      try {
        mkdirSync(args[0]!, { mode: 0o755 });
      } catch (e) {
        return `mkdir ${args[0]}: ${strerror((e as NodeJS.ErrnoException).code)}`;
      }
      continue;
    }
    const r = spawnSync(prog, args, { encoding: "utf8" });
    if (r.error) return `${prog}: ${r.error.message}`;
    if (r.status !== 0)
      return `${prog} ${args.join(" ")}: ${r.stderr.trim() || `exit ${r.status}`}`;
  }
  return undefined;
}

/** `echo VALUE > PATH`, done the way the shell would: open (create/truncate), one write. */
function writeFile(req: InitRequest, path: string, content: string): InitReply {
  try {
    writeFileSync(path, content);
    return { id: req.id, exit: 0, stdout: "", stderr: "" };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      id: req.id,
      exit: 1,
      stdout: "",
      stderr: `packetwalk: echo: ${path}: ${strerror(code)}\n`,
    };
  }
}

function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  // A shell reports a program killed by signal N as 128+N.
  const signo = signal ? constants.signals[signal] : undefined;
  return signo !== undefined ? 128 + signo : 1;
}

function runCommand(req: InitRequest): void {
  const [program, ...args] = req.argv;
  if (program === undefined) {
    send({ id: req.id, exit: 2, stdout: "", stderr: "packetwalk: empty command\n" });
    return;
  }
  const notFound = (): InitReply => ({
    id: req.id,
    exit: 127,
    stdout: "",
    stderr: `packetwalk: ${program}: command not found\n`,
  });

  if (req.background) {
    // Like `cmd &` in a non-interactive shell: stdin is /dev/null, and the job keeps
    // running until the sandbox ends. Its output has no line to belong to, so it is dropped.
    const child = spawn(program, args, { stdio: "ignore", detached: true });
    child.once("spawn", () => send({ id: req.id, exit: 0, stdout: "", stderr: "" }));
    child.once("error", () => send(notFound()));
    return;
  }

  // detached: its own process group, so a timeout can kill it and anything it started.
  const child = spawn(program, args, {
    stdio: [req.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    detached: true,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (b: Buffer) => out.push(b));
  child.stderr?.on("data", (b: Buffer) => err.push(b));
  if (req.stdin !== undefined && child.stdin) {
    child.stdin.on("error", () => {}); // the program may exit without reading it all (EPIPE)
    child.stdin.end(req.stdin);
  }

  let done = false;
  let timedOut = false;
  let status: number | undefined;
  const finish = (reply: InitReply): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    send(reply);
  };
  const collected = (exit: number): InitReply => {
    let stderr = Buffer.concat(err).toString("utf8");
    if (timedOut) {
      stderr += `packetwalk: ${req.argv.join(" ")}: timed out after ${req.timeoutMs / 1000} s, killed\n`;
    }
    return {
      id: req.id,
      exit: timedOut ? TIMEOUT_EXIT : exit,
      stdout: Buffer.concat(out).toString("utf8"),
      stderr,
    };
  };

  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    // Something outside the group may still hold the pipes; do not wait for it forever.
    setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish(collected(status ?? TIMEOUT_EXIT));
    }, KILL_GRACE_MS).unref();
  }, req.timeoutMs);

  child.once("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") finish(notFound());
    else
      finish({
        id: req.id,
        exit: 126,
        stdout: "",
        stderr: `packetwalk: ${program}: ${strerror(e.code)}\n`,
      });
  });
  child.once("exit", (code, signal) => {
    status = exitStatus(code, signal);
  });
  // "close": the program exited and its output pipes are drained.
  child.once("close", (code, signal) => finish(collected(exitStatus(code, signal))));
}

interface Monitor {
  pid: number;
  stdin: NodeJS.WritableStream;
  out: Buffer[];
  err: Buffer[];
  /** Set when the program has exited. */
  status?: number;
  /** Resolves when its output pipes are closed, or were given up on after SIGKILL. */
  closed: Promise<void>;
  giveUp: () => void;
}

const monitors = new Map<string, Monitor>();

function monitorReply(id: number, m: Monitor): InitReply {
  return {
    id,
    exit: m.status ?? 0,
    stdout: Buffer.concat(m.out).toString("utf8"),
    stderr: Buffer.concat(m.err).toString("utf8"),
    running: m.status === undefined,
  };
}

const monitorError = (id: number, text: string, exit = 1): InitReply => ({
  id,
  exit,
  stdout: "",
  stderr: `packetwalk: ${text}\n`,
  running: false,
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return; // not spawned: kill(-0) or kill(1) would hit the init itself
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function startMonitor(req: InitRequest, name: string): void {
  const [program, ...args] = req.argv;
  if (program === undefined) return send(monitorError(req.id, "empty command", 2));
  if (monitors.has(name)) return send(monitorError(req.id, `monitor ${name} is already running`));
  // detached: its own process group, so stop reaches anything it started.
  const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
  // A program that never reads its stdin, or has exited, must not take the init down.
  child.stdin.on("error", () => undefined);
  let giveUp = (): void => {};
  const closed = new Promise<void>((resolve) => {
    giveUp = resolve;
    child.once("close", () => resolve());
  });
  const m: Monitor = { pid: -1, stdin: child.stdin, out: [], err: [], closed, giveUp };
  monitors.set(name, m); // now, so a second start with this name is refused
  child.stdout.on("data", (b: Buffer) => m.out.push(b));
  child.stderr.on("data", (b: Buffer) => m.err.push(b));
  child.once("exit", (code, signal) => {
    m.status = exitStatus(code, signal);
  });
  child.once("spawn", () => {
    m.pid = child.pid!;
    send({ id: req.id, exit: 0, stdout: "", stderr: "", running: true });
  });
  child.once("error", (e: NodeJS.ErrnoException) => {
    if (m.pid !== -1) return; // a failed kill after it ran: stop copes with that
    monitors.delete(name);
    m.status = 127;
    m.giveUp();
    const why = e.code === "ENOENT" ? "command not found" : strerror(e.code);
    send(monitorError(req.id, `${program}: ${why}`, e.code === "ENOENT" ? 127 : 126));
  });
}

async function stopMonitor(req: InitRequest, name: string, m: Monitor): Promise<void> {
  m.stdin.end();
  // SIGTERM to the group even when the program has exited: a child of it may still hold
  // the pipes open.
  killGroup(m.pid, "SIGTERM");
  const timer = setTimeout(() => {
    killGroup(m.pid, "SIGKILL");
    setTimeout(m.giveUp, KILL_GRACE_MS).unref();
  }, MONITOR_STOP_GRACE_MS);
  await m.closed;
  clearTimeout(timer);
  monitors.delete(name);
  send({ ...monitorReply(req.id, m), running: false });
}

function handleMonitor(req: InitRequest, op: MonitorOp, name: string): void {
  if (op === "start") return startMonitor(req, name);
  const m = monitors.get(name);
  if (m === undefined) return send(monitorError(req.id, `no monitor named ${name}`));
  if (op === "peek") return send(monitorReply(req.id, m));
  if (op === "write") {
    m.stdin.write(req.monitor?.input ?? "");
    return send(monitorReply(req.id, m));
  }
  if (op === "stop") return void stopMonitor(req, name, m);
  send(monitorError(req.id, `unknown monitor operation ${String(op)}`, 2));
}

function handle(line: string): void {
  if (line.trim() === "") return;
  let req: InitRequest;
  try {
    req = JSON.parse(line) as InitRequest;
  } catch {
    return; // not ours to answer: no id to answer to
  }
  try {
    if (req.monitor) handleMonitor(req, req.monitor.op, req.monitor.name);
    else if (req.writeFile) send(writeFile(req, req.writeFile.path, req.writeFile.content));
    else runCommand(req);
  } catch (e) {
    // spawn() throws synchronously for invalid argv (e.g. a NUL byte)
    send({
      id: req.id,
      exit: 126,
      stdout: "",
      stderr: `packetwalk: ${e instanceof Error ? e.message : String(e)}\n`,
    });
  }
}

/** The fd packetwalk passed the process server's socket as (`--server-fd N`). */
function serverFd(): number | undefined {
  const i = process.argv.indexOf("--server-fd");
  const fd = i < 0 ? NaN : Number(process.argv[i + 1]);
  return Number.isInteger(fd) && fd > 2 ? fd : undefined;
}

/**
 * Starts the process server on the socket (its stdin and stdout); whether it started.
 * The init's own copy is closed either way, so nothing it starts later inherits it.
 */
function startServer(fd: number): Promise<boolean> {
  return new Promise((resolve) => {
    const started = (ok: boolean): void => {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      resolve(ok);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn("perl", ["-e", PROCESS_SERVER_PERL, String(fd)], {
        stdio: [fd, fd, "inherit"],
      });
    } catch {
      return started(false); // not a usable fd
    }
    child.once("spawn", () => {
      started(true);
      child.once("exit", (code, signal) =>
        send({ event: "server-exit", exit: exitStatus(code, signal) }),
      );
    });
    child.once("error", () => started(false)); // no perl: lines come to the init
  });
}

async function main(): Promise<void> {
  // If packetwalk is gone, replies cannot be delivered: end the sandbox.
  process.stdout.on("error", () => process.exit(1));
  const problem = setUp();
  if (problem !== undefined) {
    send({ ready: false, error: problem });
    process.exit(1);
  }
  const fd = serverFd();
  const server = fd === undefined ? false : await startServer(fd);
  send({ ready: true, server });
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on("line", handle);
  // EOF: the run is over (or packetwalk died). Exiting PID 1 ends everything.
  rl.on("close", () => process.exit(0));
}

void main();
