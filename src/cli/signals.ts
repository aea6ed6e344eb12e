// Ctrl-C and SIGTERM while `run` or `walk` has backends open: one line on stderr, the
// simulation cancelled (it stops at its next pause, src/sim/engine/pacer.ts), the backends
// closed (the kernel sandbox with its namespaces); the command then ends with 130 or 143,
// as a shell reports a process ended by the signal.
import type { Backend } from "../backend.js";

const EXIT: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };

let caught: "SIGINT" | "SIGTERM" | undefined;

/**
 * The exit code of the signal that is ending this run, if one is: errors after it (a
 * sandbox closed under a running command, an interrupted simulation) are its echoes.
 */
export function interruption(): number | undefined {
  return caught === undefined ? undefined : EXIT[caught];
}

/**
 * Until the returned function is called, SIGINT/SIGTERM abort `cancel` and close
 * `backends`; a second signal exits at once (the sandbox dies with our end of its pipe).
 */
export function closeOnSignal(backends: Backend[], cancel: AbortController): () => void {
  const handler = (sig: "SIGINT" | "SIGTERM"): void => {
    if (caught !== undefined) process.exit(EXIT[sig]);
    caught = sig;
    process.stderr.write(
      `packetwalk: ${sig === "SIGINT" ? "interrupted" : "terminated"} (${sig})\n`,
    );
    cancel.abort();
    for (const b of backends) void b.close();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/** For tests that run the CLI in-process: forget a signal already handled. */
export function resetInterruption(): void {
  caught = undefined;
}
