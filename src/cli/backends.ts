// Choosing and starting the backends a command runs on (`run` and `walk` alike), and
// closing them however the command ends (SIGINT and SIGTERM included).
import type { Backend } from "../backend.js";
import type { DaemonTimings } from "../real/docker/daemon.js";
// The kernel backend (execa, the sandbox, docker) is imported only when a command needs it.
import type { KernelBackend } from "../real/kernel-backend.js";
import { SimBackend } from "../sim/sim-backend.js";
import { UserError } from "./load-script.js";
import { resolveProfile } from "./profile.js";
import { closeOnSignal } from "./signals.js";

export type Mode = "sim" | "kernel" | "compare";

export interface BackendOptions {
  sim?: boolean;
  kernel?: boolean;
  compare?: boolean;
  profile?: string;
  seed?: string;
  timeout?: string;
}

export function chooseMode(opts: BackendOptions): Mode {
  const modes = [opts.sim, opts.kernel, opts.compare].filter(Boolean).length;
  if (modes > 1) throw new UserError("packetwalk: choose one of --sim, --kernel, --compare");
  return opts.kernel ? "kernel" : opts.compare ? "compare" : "sim";
}

export interface OpenBackends {
  sim?: SimBackend;
  kernel?: KernelBackend;
  close(): Promise<void>;
}

export async function openBackends(mode: Mode, opts: BackendOptions): Promise<OpenBackends> {
  const seed = opts.seed === undefined ? 1 : Number(opts.seed);
  if (!Number.isInteger(seed))
    throw new UserError(`packetwalk: --seed must be an integer, not "${opts.seed}"`);
  const timeoutMs = opts.timeout === undefined ? undefined : Number(opts.timeout) * 1000;
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw new UserError(`packetwalk: --timeout must be a number of seconds`);

  const backends: Backend[] = [];
  const cancel = new AbortController();
  const release = closeOnSignal(backends, cancel);
  const close = async (): Promise<void> => {
    release();
    for (const b of backends) await b.close();
  };
  const sim =
    mode !== "kernel"
      ? new SimBackend({
          profile: resolveProfile(opts.profile),
          seed,
          signal: cancel.signal,
          ...(timeoutMs ? { timeLimitMs: timeoutMs } : {}),
        })
      : undefined;
  if (sim) backends.push(sim);
  let kernel: KernelBackend | undefined;
  if (mode !== "sim") {
    try {
      const { KernelBackend } = await import("../real/kernel-backend.js");
      kernel = await KernelBackend.start({
        ...(timeoutMs ? { timeoutMs } : {}),
        docker: { onDaemonStarted: reportDaemonStart },
      });
    } catch (e) {
      await close();
      throw new UserError(
        `packetwalk: cannot start the kernel sandbox: ${e instanceof Error ? e.message : String(e)}\n` +
          "Run `packetwalk doctor` to see what is missing and how to fix it.",
        3,
      );
    }
    backends.push(kernel);
  }
  return { sim, kernel, close };
}

/**
 * A simulator set up as the walk's would be, for the kernel walk's prediction of where its
 * probe goes (src/walk/trace-scope.ts); openBackends has checked the options.
 */
export function predictorBackend(opts: BackendOptions): SimBackend {
  const timeoutMs = opts.timeout === undefined ? undefined : Number(opts.timeout) * 1000;
  return new SimBackend({
    profile: resolveProfile(opts.profile),
    seed: opts.seed === undefined ? 1 : Number(opts.seed),
    ...(timeoutMs ? { timeLimitMs: timeoutMs } : {}),
  });
}

/** The first docker line starts dockerd in the sandbox: say how long that took (stderr). */
function reportDaemonStart(t: DaemonTimings): void {
  const image = `${t.imageBuilt ? "built and " : ""}imported its image in ${(t.imageMs / 1000).toFixed(1)} s`;
  process.stderr.write(
    `packetwalk: dockerd started in the sandbox in ${(t.daemonStartMs / 1000).toFixed(1)} s; ${image}\n`,
  );
}
