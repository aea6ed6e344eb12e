// One kernel sandbox per run: unshare(1) starts sandbox-init as PID 1 of fresh network,
// mount and PID namespaces (and a user namespace when not root), and commands are sent to
// it over a pipe. Nothing here touches the machine's own namespaces.
//
// Lab lines go to the sandbox's process server (process-server.ts) on a socket passed
// through unshare as fd 3, not through the init: the init starts the server and keeps
// monitors, `echo > file` and the lines the server cannot take (no perl in the sandbox).
//
// Teardown does not depend on packetwalk behaving: the init exits when its stdin reaches
// EOF, which the kernel causes when packetwalk's end of the pipe closes, even on SIGKILL.
// close() adds a bound: if the init has not gone in time, unshare is SIGKILLed, and
// --kill-child makes the kernel SIGKILL the init with it.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createInterface } from "node:readline";
import type { Duplex, Readable, Writable } from "node:stream";
import { childrenOf, pidNamespaceOf, processesInPidNamespace } from "./host-procs.js";
import { findProgram, SANDBOX_PATH } from "./paths.js";
import { ProcessServer } from "./process-server.js";
import { PROCESS_SERVER_NAME } from "./process-server-perl.js";
import type { InitEvent, InitHello, InitReply, InitRequest, MonitorOp } from "./protocol.js";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "../backend.js";

export const DEFAULT_TIMEOUT_MS = DEFAULT_COMMAND_TIMEOUT_MS;
const START_TIMEOUT_MS = 15_000;
const CLOSE_GRACE_MS = 3_000;
/** How long perl may take to compile the process server and answer. */
const SERVER_READY_MS = 5_000;
/** The fd the process server's socket has in unshare and the init. */
const SERVER_FD = 3;

type SandboxProcess = ChildProcessByStdio<Writable, Readable, Readable>;

export interface SandboxOptions {
  /** Per-command limit; a command over it is killed and reports exit 124. */
  timeoutMs?: number;
  /** Add a user namespace. Default: only when not running as root. */
  userns?: boolean;
  /** Lines through the process server (default), or all through the init (to compare). */
  processServer?: boolean;
}

export type SandboxRequest = Omit<InitRequest, "id" | "timeoutMs"> & {
  timeoutMs?: number;
  /**
   * The process server runs it in turn, after every earlier request sent in turn has
   * ended (ProcessServer's `inTurn`): only when `takesTurn(argv)`, for a foreground line with no
   * stdin, and the caller keeps every other request until those have ended.
   */
  inTurn?: boolean;
};
export type SandboxReply = Omit<InitReply, "id" | "running">;
type RawReply = Omit<InitReply, "id">;
/** A monitor's output so far; exit is its status once it has exited (0 while running). */
export type MonitorReply = SandboxReply & { running: boolean };

export interface SandboxPids {
  /** The unshare process (in the machine's PID namespace, the sandbox's other namespaces). */
  unshare: number;
  /** sandbox-init: PID 1 inside, this number outside. */
  init: number;
  /** The process server, when lines go to it (a child of the init). */
  server?: number;
}

/** How long a line whose process server went away waits to see whether the sandbox ended. */
const SERVER_GONE_WAIT_MS = 2_000;

/** How long settleJobs waits for a background job to reach its program and wait. */
const JOB_SETTLE_MS = 2_000;
const WRAPPERS = new Set(["ip", "nsenter"]);
const JOB_PROGRAMS = new Set(["nc", "nc.openbsd", "ping"]);

/** Whether a process of the sandbox is past a job's start-up (or no job at all). */
function jobSettled(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return true; // gone
  }
  const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
  const state = stat.slice(stat.lastIndexOf(")") + 2)[0];
  if (WRAPPERS.has(comm)) return false;
  if (JOB_PROGRAMS.has(comm)) return state !== "R" && state !== "D";
  return true;
}

/** A bundled sandbox-init to run instead (the tests build one per run: test/global-setup.ts). */
export const SANDBOX_INIT_ENV = "PACKETWALK_SANDBOX_INIT";

/**
 * How to run sandbox-init with node: the compiled .js beside this file (dist/), or, when
 * running from source (vitest, tsx), the .ts through tsx's loader.
 */
function initCommand(): string[] {
  const server = ["--server-fd", String(SERVER_FD)];
  const bundled = process.env[SANDBOX_INIT_ENV];
  if (bundled !== undefined && existsSync(bundled)) return [process.execPath, bundled, ...server];
  const js = fileURLToPath(new URL("./sandbox-init.js", import.meta.url));
  if (existsSync(js)) return [process.execPath, js, ...server];
  const ts = fileURLToPath(new URL("./sandbox-init.ts", import.meta.url));
  const tsx = createRequire(import.meta.url).resolve("tsx");
  return [process.execPath, "--import", pathToFileURL(tsx).href, ts, ...server];
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The unshare argv that makes the sandbox (also used by preflight to explain failures). */
export function unshareArgs(userns: boolean): string[] {
  return [
    ...(userns ? ["--user", "--map-root-user"] : []),
    "--net",
    "--mount", // propagation private by default: mounts inside never reach the machine
    "--pid",
    "--fork",
    "--kill-child", // unshare dies -> kernel SIGKILLs the init (PR_SET_PDEATHSIG)
    "--mount-proc", // /proc shows only the sandbox's processes
  ];
}

export class Sandbox {
  readonly timeoutMs: number;
  readonly userns: boolean;
  readonly pids: SandboxPids;
  /** The PID namespace of the init, to find every process the sandbox holds. */
  private readonly pidNs: string | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (r: RawReply) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private ended: Error | undefined;
  private closing: Promise<void> | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly proc: SandboxProcess,
    lines: AsyncIterator<string>,
    opts: { timeoutMs: number; userns: boolean; init: number },
    private readonly stderrTail: () => string,
    private readonly server: ProcessServer | undefined,
  ) {
    this.timeoutMs = opts.timeoutMs;
    this.userns = opts.userns;
    const serverPid = server && childrenOf(opts.init).find((p) => isServer(p));
    this.pids = {
      unshare: proc.pid!,
      init: opts.init,
      ...(serverPid ? { server: serverPid } : {}),
    };
    this.pidNs = pidNamespaceOf(opts.init);
    this.exited = new Promise((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once("exit", () => resolve());
    });
    void this.exited.then(() => this.fail(new Error(`the sandbox ended${this.describeEnd()}`)));
    void this.readReplies(lines);
  }

  static async start(opts: SandboxOptions = {}): Promise<Sandbox> {
    const unshare = findProgram("unshare");
    if (!unshare) throw new Error("unshare not found (apt-get install util-linux)");
    const userns = opts.userns ?? !isRoot();
    const argv = [...unshareArgs(userns), "--", ...initCommand()];
    const proc = spawn(unshare, argv, {
      // fd 3: the process server's socket (Node makes a socketpair), inherited through unshare.
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      cwd: "/",
      // LC_ALL=C: the programs print the untranslated text the simulator reproduces.
      env: { PATH: SANDBOX_PATH, LC_ALL: "C" },
    });
    let tail = "";
    proc.stderr.setEncoding("utf8");
    proc.stderr.on("data", (s: string) => {
      tail = (tail + s).slice(-4000);
    });
    proc.stdin.on("error", () => {}); // EPIPE when the sandbox died; reported via "exit"
    const lines = createInterface({ input: proc.stdout, crlfDelay: Infinity })[
      Symbol.asyncIterator
    ]();

    const hello = await Promise.race([
      lines.next().then((r) => (r.done ? undefined : (JSON.parse(r.value) as InitHello))),
      new Promise<undefined>((resolve) => proc.once("exit", () => resolve(undefined))),
      new Promise<"timeout">((resolve) =>
        setTimeout(() => resolve("timeout"), START_TIMEOUT_MS).unref(),
      ),
    ]).catch((e: unknown) => ({ ready: false, error: String(e) }) as InitHello);

    if (hello === undefined || hello === "timeout" || !hello.ready) {
      proc.kill("SIGKILL");
      const why =
        hello === "timeout"
          ? `no answer within ${START_TIMEOUT_MS / 1000} s`
          : (hello?.error ?? tail.trim()) || `unshare exited (${proc.exitCode ?? proc.signalCode})`;
      throw new Error(
        `cannot start the kernel sandbox (${userns ? "rootless, user namespace" : "root"}): ${why}`,
      );
    }
    // The init answered, so it exists: it is unshare's only child.
    const init = childrenOf(proc.pid!)[0];
    if (init === undefined) {
      proc.kill("SIGKILL");
      throw new Error("cannot start the kernel sandbox: its init process is missing");
    }
    const socket = proc.stdio[SERVER_FD] as Duplex;
    // Without an answer the lines go through the init, as they do where perl is missing.
    const server =
      hello.server && opts.processServer !== false
        ? await ProcessServer.connect(socket, SERVER_READY_MS)
        : undefined;
    if (!server) socket.destroy();
    return new Sandbox(
      proc,
      lines,
      { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, userns, init },
      () => tail,
      server,
    );
  }

  /** Whether this argv can be sent in turn (SandboxRequest's `inTurn`): the process server takes it. */
  takesTurn(argv: string[]): boolean {
    return this.server?.usable === true && this.ended === undefined && ProcessServer.serves(argv);
  }

  /** Runs one command (the process server's, or the init's) and waits for its reply. */
  async exec(req: SandboxRequest): Promise<SandboxReply> {
    if (this.ended) throw this.ended;
    if (this.server && !req.writeFile && !req.monitor && this.takesTurn(req.argv)) {
      try {
        return await this.server.run({
          argv: req.argv,
          background: req.background,
          timeoutMs: req.timeoutMs ?? this.timeoutMs,
          ...(req.stdin === undefined ? {} : { stdin: req.stdin }),
          ...(req.inTurn ? { inTurn: true } : {}),
        });
      } catch (e) {
        // The server's socket closes when the whole sandbox dies too, often a moment before
        // unshare's exit is seen: then the sandbox's end is the reason to give.
        await Promise.race([this.exited, new Promise((r) => setTimeout(r, SERVER_GONE_WAIT_MS))]);
        throw this.ended ?? e;
      }
    }
    const { exit, stdout, stderr } = await this.send(req);
    return { exit, stdout, stderr };
  }

  private send(req: SandboxRequest): Promise<RawReply> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    const msg: InitRequest = { ...req, id, timeoutMs: req.timeoutMs ?? this.timeoutMs };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.stdin.write(JSON.stringify(msg) + "\n");
    });
  }

  /**
   * Starts a long-running program (argv, never a shell) whose output is kept until
   * stopMonitor. It dies with the sandbox if never stopped. Exit 127: program not found.
   */
  startMonitor(name: string, argv: string[]): Promise<MonitorReply> {
    return this.monitor("start", name, argv);
  }

  /** Everything the monitor printed so far; it keeps running. */
  peekMonitor(name: string): Promise<MonitorReply> {
    return this.monitor("peek", name);
  }

  /** Writes `input` to the monitor's stdin; answers with its output so far. */
  writeMonitor(name: string, input: string): Promise<MonitorReply> {
    return this.monitor("write", name, [], input);
  }

  /** Ends the monitor (SIGTERM, then SIGKILL if it lingers) and returns all its output. */
  stopMonitor(name: string): Promise<MonitorReply> {
    return this.monitor("stop", name);
  }

  /** Host PIDs of all processes now in the sandbox (the init and what it runs). */
  hostProcesses(): number[] {
    return this.pidNs === undefined ? [] : processesInPidNamespace(this.pidNs);
  }

  /**
   * After a background job started: waits until no process of the sandbox is still on its
   * way into its program (`ip netns exec`, `nsenter`) and every job's program (`nc`, `ping`)
   * has stopped running, i.e. waits (a listener listens), at most JOB_SETTLE_MS. The line
   * after `nc -lk 80 &` would otherwise race the job's start-up; in the simulator the job
   * is ready at once.
   */
  async settleJobs(): Promise<void> {
    if (this.pidNs === undefined) return;
    const end = Date.now() + JOB_SETTLE_MS;
    while (Date.now() < end) {
      if (processesInPidNamespace(this.pidNs).every(jobSettled)) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Ends the sandbox and waits until unshare has exited. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.fail(new Error("the sandbox is closed"));
      this.server?.close();
      this.proc.stdin.end(); // EOF: the init exits, the kernel kills the rest
      const inTime = await Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CLOSE_GRACE_MS).unref()),
      ]);
      if (!inTime) {
        this.proc.kill("SIGKILL");
        await this.exited;
      }
      // Normally nothing is left: PID 1 exiting waits in the kernel until the namespace's
      // other processes are dead (zap_pid_ns_processes), and unshare waits for PID 1. But
      // when unshare was SIGKILLed, the init is only just being sent its own SIGKILL.
      const end = Date.now() + CLOSE_GRACE_MS;
      while (this.hostProcesses().length > 0 && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    return this.closing;
  }

  private async monitor(
    op: MonitorOp,
    name: string,
    argv: string[] = [],
    input?: string,
  ): Promise<MonitorReply> {
    const monitor = input === undefined ? { op, name } : { op, name, input };
    const r = await this.send({ argv, background: false, monitor });
    return { exit: r.exit, stdout: r.stdout, stderr: r.stderr, running: r.running ?? false };
  }

  private async readReplies(lines: AsyncIterator<string>): Promise<void> {
    for (;;) {
      let r: IteratorResult<string>;
      try {
        r = await lines.next();
      } catch {
        return;
      }
      if (r.done) return;
      let reply: InitReply | InitEvent;
      try {
        reply = JSON.parse(r.value) as InitReply | InitEvent;
      } catch {
        continue;
      }
      if ("event" in reply) {
        this.server?.fail(new Error(`the sandbox's process server exited (${reply.exit})`));
        continue;
      }
      const waiter = this.pending.get(reply.id);
      if (!waiter) continue;
      this.pending.delete(reply.id);
      const { id: _id, ...rest } = reply;
      waiter.resolve(rest);
    }
  }

  private fail(e: Error): void {
    this.ended ??= e;
    this.server?.fail(this.ended);
    for (const w of this.pending.values()) w.reject(this.ended);
    this.pending.clear();
  }

  private describeEnd(): string {
    const how = this.proc.signalCode ?? this.proc.exitCode;
    const tail = this.stderrTail().trim();
    return ` (${how ?? "?"})${tail ? `: ${tail}` : ""}`;
  }
}

/** The init's child that is the process server (it names itself; the init may run others). */
function isServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith(PROCESS_SERVER_NAME);
  } catch {
    return false;
  }
}
