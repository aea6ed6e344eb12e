// The real-kernel machine: lab commands run in a throwaway sandbox (sandbox.ts), each as
// its registry entry's kernel policy says (src/script/programs/).
import type {
  Backend,
  CommandResult,
  KernelTraceAccount,
  Topology,
  Traced,
  TraceOptions,
} from "../backend.js";
import { unloadedFiles } from "../script/load.js";
import { runSubstituted, traceSubstituted } from "../script/run-substituted.js";
import { programSpec } from "../script/programs/registry.js";
import type { LabCommand } from "../script/types.js";
import { refuse } from "./guard.js";
import { inspectSandbox } from "./inspect.js";
import { Jobs } from "./jobs.js";
import { traceOnKernel } from "./kernel-trace.js";
import { DockerLines, type DockerLinesOptions } from "./docker/docker-lines.js";
import { Sandbox, type SandboxOptions } from "./sandbox.js";

export type KernelBackendOptions = SandboxOptions & { docker?: DockerLinesOptions };

const failed = (stderr: string, exit = 1): CommandResult => ({ exit, stdout: "", stderr });

interface SpawnRequest {
  argv: string[];
  timeoutMs?: number;
}

/**
 * How a line is spawned when nothing else is done for it (no substitution, redirect, job
 * builtin, capture job, printed words, files on stdin or daemon): its argv, and its
 * program's longer time limit if it has one. Undefined for any other line.
 */
function spawnedAsIs(cmd: LabCommand, timeoutMs: number): SpawnRequest | undefined {
  if (cmd.substitution || cmd.redirect !== undefined) return undefined;
  const policy = programSpec(cmd.program)?.kernel;
  if (policy?.builtin || (cmd.background && policy?.capture)) return undefined;
  if (policy?.printsArgs && cmd.argv[0] === cmd.program) return undefined;
  if (policy?.filesOnStdin || policy?.daemon) return undefined;
  const longer = policy?.timeoutMs?.(cmd.args);
  return longer === undefined
    ? { argv: cmd.argv }
    : { argv: cmd.argv, timeoutMs: Math.max(longer, timeoutMs) };
}

export class KernelBackend implements Backend<KernelTraceAccount> {
  readonly kind = "kernel" as const;

  /** docker lines: a real dockerd in the sandbox, started at the first one. */
  readonly docker: DockerLines;

  /** The script's background jobs, for `kill %N` (captures). */
  private readonly jobs: Jobs;

  /** run() may be called again before the last call settled: lines still run in order. */
  readonly ordered = true;

  /** Settles once every line run() was given so far has ended. */
  private inFlight: Promise<unknown> = Promise.resolve();
  /** Whether every line still in flight was sent to the process server in turn. */
  private onlyInTurn = true;

  private constructor(
    readonly sandbox: Sandbox,
    docker: DockerLinesOptions = {},
  ) {
    this.docker = new DockerLines(sandbox, docker);
    this.jobs = new Jobs(sandbox);
  }

  static async start(opts: KernelBackendOptions = {}): Promise<KernelBackend> {
    return new KernelBackend(await Sandbox.start(opts), opts.docker);
  }

  /**
   * Runs one line after every line given before it. A plain foreground line goes to the
   * process server at once, in turn (it starts the moment the line before it ends, without
   * a round trip through packetwalk); every other line waits here until those have ended.
   */
  run(cmd: LabCommand): Promise<CommandResult> {
    const plain = this.onlyInTurn ? this.plainLine(cmd) : undefined;
    if (plain !== undefined) {
      const p = this.sandbox.exec({ ...plain, background: false, inTurn: true });
      this.inFlight = Promise.allSettled([this.inFlight, p]);
      return p;
    }
    this.onlyInTurn = false;
    const p = this.inFlight.then(() => this.runNow(cmd));
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight = settled;
    void settled.then(() => {
      if (this.inFlight === settled) this.onlyInTurn = true;
    });
    return p;
  }

  /** A line the process server can run in turn: a foreground line spawned as it is. */
  private plainLine(cmd: LabCommand): SpawnRequest | undefined {
    if (cmd.background || refuse(cmd) !== undefined || !this.sandbox.takesTurn(cmd.argv))
      return undefined;
    return spawnedAsIs(cmd, this.sandbox.timeoutMs);
  }

  private async runNow(cmd: LabCommand): Promise<CommandResult> {
    if (cmd.substitution) return runSubstituted(cmd, cmd.substitution, (c) => this.runNow(c));
    const refusal = refuse(cmd);
    if (refusal !== undefined) return failed(refusal);
    if (cmd.redirect !== undefined) {
      // The shell would open the file in the script's root namespace: the init lives there.
      return this.sandbox.exec({
        argv: cmd.argv,
        background: false,
        writeFile: { path: cmd.redirect, content: cmd.args.join(" ") + "\n" },
      });
    }
    const policy = programSpec(cmd.program)?.kernel;
    if (policy?.builtin === "kill") return this.jobs.kill(cmd);
    if (cmd.background && policy?.capture) return this.jobs.startCapture(cmd);
    if (cmd.background) this.jobs.note();
    if (policy?.printsArgs && cmd.argv[0] === cmd.program) {
      // Prints what it was given; nothing to learn from spawning it.
      return { exit: 0, stdout: cmd.args.join(" ") + "\n", stderr: "" };
    }
    if (policy?.filesOnStdin) return this.withStdin(cmd);
    if (policy?.daemon === "dockerd") {
      return this.docker.run(
        cmd,
        Math.max(policy.timeoutMs?.(cmd.args) ?? 0, this.sandbox.timeoutMs),
      );
    }
    const req = spawnedAsIs(cmd, this.sandbox.timeoutMs) ?? { argv: cmd.argv };
    const r = await this.sandbox.exec({ ...req, background: cmd.background });
    // A job with a limit of its own (sleep's) is no listener to wait for.
    if (cmd.background && r.exit === 0 && req.timeoutMs === undefined)
      await this.sandbox.settleJobs();
    return r;
  }

  /** TraceOptions other than namespaces are the simulator's: the kernel's clock is the wall's. */
  trace(cmd: LabCommand, opts?: TraceOptions): Promise<Traced<KernelTraceAccount>> {
    if (cmd.substitution)
      // The probe's PID first (run, not traced), then the probe itself, traced.
      return traceSubstituted(
        cmd,
        cmd.substitution,
        (c) => this.run(c),
        (c) => this.trace(c, opts),
        (result) => ({
          result,
          account: {
            backend: "kernel",
            netfilter: [],
            warnings: [],
            traced: [],
            beforeMs: 0,
            afterMs: 0,
          },
        }),
      );
    return traceOnKernel(
      this.sandbox,
      (c) => this.run(c),
      cmd,
      opts?.namespaces,
      () => this.docker.traceNamespaces(),
    );
  }

  inspect(): Promise<Topology> {
    return inspectSandbox(this.sandbox);
  }

  async close(): Promise<void> {
    await this.sandbox.close();
    await this.docker.cleanUp();
  }

  /**
   * `iptables-restore FILE`: the content read when the script was loaded goes on stdin,
   * and FILE leaves the argv, so the sandbox is never told a path on the machine.
   */
  private async withStdin(cmd: LabCommand): Promise<CommandResult> {
    const unread = unloadedFiles(cmd);
    if (unread !== undefined) return failed(unread);
    const files = cmd.files ?? [];
    if (files.length === 0)
      return this.sandbox.exec({ argv: cmd.argv, background: cmd.background });
    for (const f of files) {
      if ("error" in f) {
        // The program's own message for a file it cannot open.
        const says = programSpec(cmd.program)?.cannotOpen;
        return failed(says ? says(f.name, f.error) : `${cmd.program}: ${f.name}: ${f.error}\n`);
      }
    }
    const prefix = cmd.argv.length - cmd.args.length; // the args end the argv
    const drop = new Set(files.map((f) => prefix + f.arg));
    const argv = cmd.argv.filter((_, i) => !drop.has(i));
    const first = files[0]!;
    const stdin = "content" in first ? first.content : "";
    return this.sandbox.exec({ argv, background: cmd.background, stdin });
  }
}
