// How a run ends early. Ctrl-C and SIGTERM while `run` or `walk` has backends open: one
// line on stderr, the simulation cancelled (it stops at its next pause,
// src/sim/engine/pacer.ts), the backends closed (the kernel sandbox with its namespaces);
// the command then ends with 130 or 143, as a shell reports a process ended by the signal.
// A reader that went away (`packetwalk run x.lab | head -2`, EPIPE) ends it the same way,
// quietly, with exit 0: the reader asked for no more.
import type { Backend } from "../backend.js";

type Reason = "SIGINT" | "SIGTERM" | "EPIPE";

const EXIT: Record<Reason, number> = { SIGINT: 130, SIGTERM: 143, EPIPE: 0 };

let caught: Reason | undefined;
/** The run under way: what to cancel and close when it must end early. */
let active: { backends: Backend[]; cancel: AbortController } | undefined;

/**
 * The exit code of the signal (or closed stdout) that is ending this run, if one is:
 * errors after it (a sandbox closed under a running command, an interrupted simulation)
 * are its echoes.
 */
export function interruption(): number | undefined {
  return caught === undefined ? undefined : EXIT[caught];
}

/** Has the reader of stdout gone away? Then nothing more is written to it. */
export function stdoutGone(): boolean {
  return caught === "EPIPE";
}

function endRun(reason: Reason): void {
  caught = reason;
  if (!active) return;
  active.cancel.abort();
  for (const b of active.backends) void b.close();
}

const onSignal = (sig: "SIGINT" | "SIGTERM"): void => {
  // A second signal while closing: exit at once (the sandbox dies with our end of its pipe).
  if (caught === "SIGINT" || caught === "SIGTERM") process.exit(EXIT[sig]);
  process.stderr.write(`packetwalk: ${sig === "SIGINT" ? "interrupted" : "terminated"} (${sig})\n`);
  endRun(sig);
};

/**
 * Until the returned function is called, SIGINT/SIGTERM (and a closed stdout) abort
 * `cancel` and close `backends`.
 */
export function closeOnSignal(backends: Backend[], cancel: AbortController): () => void {
  active = { backends, cancel };
  if (caught !== undefined) endRun(caught);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    active = undefined;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/** For the entry point: a stdout whose reader went away ends the run quietly. */
export function watchStdout(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") {
      if (caught === undefined) endRun("EPIPE");
      return;
    }
    throw e;
  });
}

/** For tests that run the CLI in-process: forget an ending already handled. */
export function resetInterruption(): void {
  caught = undefined;
}
