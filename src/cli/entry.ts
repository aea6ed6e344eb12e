// Runs the CLI with this process's arguments and exit code.
import { main } from "./main.js";
import { interruption, watchStdout } from "./signals.js";

watchStdout(process.stdout);
main(process.argv).then(
  (code) => {
    process.exitCode = interruption() ?? code;
    // After a signal, nothing may keep the process waiting (a sandbox slow to go).
    if (interruption() !== undefined) setTimeout(() => process.exit(), 2000).unref();
  },
  (err: unknown) => {
    const signalled = interruption();
    if (signalled !== undefined) {
      process.exitCode = signalled;
      setTimeout(() => process.exit(), 2000).unref();
      return;
    }
    process.stderr.write(
      `packetwalk: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
