// The real-kernel machine: lab commands run in a throwaway sandbox (sandbox.ts).
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { Backend, CommandResult, Topology } from "../backend.js";
import type { LabCommand } from "../script/types.js";
import { refuse } from "./guard.js";
import { inspectSandbox } from "./inspect.js";
import { Sandbox, type SandboxOptions } from "./sandbox.js";
import { strerror } from "./strerror.js";

export interface KernelBackendOptions extends SandboxOptions {
  /** Directory of the lab script: where `iptables-restore FILE` finds FILE. */
  scriptDir?: string;
}

const failed = (stderr: string, exit = 1): CommandResult => ({ exit, stdout: "", stderr });

export class KernelBackend implements Backend {
  readonly kind = "kernel" as const;

  private constructor(
    readonly sandbox: Sandbox,
    private readonly scriptDir: string | undefined,
  ) {}

  static async start(opts: KernelBackendOptions = {}): Promise<KernelBackend> {
    const { scriptDir, ...sandboxOpts } = opts;
    return new KernelBackend(await Sandbox.start(sandboxOpts), scriptDir);
  }

  async run(cmd: LabCommand): Promise<CommandResult> {
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
    if (cmd.argv[0] === "echo") {
      // Prints what it was given; nothing to learn from spawning it.
      return { exit: 0, stdout: cmd.argv.slice(1).join(" ") + "\n", stderr: "" };
    }
    if (cmd.program === "iptables-restore") return this.restore(cmd);
    if (cmd.program === "sleep") {
      // A lesson's pause may be longer than the usual per-command limit.
      const ms = Number(cmd.args[0]) * 1000 + 5_000;
      return this.sandbox.exec({
        argv: cmd.argv,
        background: false,
        timeoutMs: Math.max(ms, this.sandbox.timeoutMs),
      });
    }
    return this.sandbox.exec({ argv: cmd.argv, background: cmd.background });
  }

  inspect(): Promise<Topology> {
    return inspectSandbox(this.sandbox);
  }

  close(): Promise<void> {
    return this.sandbox.close();
  }

  /**
   * `iptables-restore FILE`: FILE lives beside the script. packetwalk reads it and passes
   * its content on stdin, so the sandbox is never told a path on the machine.
   */
  private async restore(cmd: LabCommand): Promise<CommandResult> {
    const at = fileArgIndex(cmd.args);
    if (at === undefined) return this.sandbox.exec({ argv: cmd.argv, background: cmd.background });
    const file = cmd.args[at]!;
    if (this.scriptDir === undefined) {
      return failed(`packetwalk: iptables-restore: no script directory to read ${file} from\n`);
    }
    const dir = resolve(this.scriptDir);
    const path = resolve(dir, file);
    const rel = relative(dir, path);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
      return failed(`packetwalk: iptables-restore: ${file} is not beside the script\n`);
    }
    let rules: string;
    try {
      rules = readFileSync(path, "utf8");
    } catch (e) {
      // iptables-restore's own message for a file it cannot open
      return failed(`Can't open ${file}: ${strerror((e as NodeJS.ErrnoException).code)}\n`);
    }
    const inArgv = cmd.argv.length - cmd.args.length + at; // the args end the argv
    const argv = [...cmd.argv.slice(0, inArgv), ...cmd.argv.slice(inArgv + 1)];
    return this.sandbox.exec({ argv, background: cmd.background, stdin: rules });
  }
}

/** Index in iptables-restore's arguments of the rules file (its one positional), if any. */
function fileArgIndex(args: string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-T" || a === "--table" || a === "-M" || a === "--modprobe") {
      i++; // option with a separate value
      continue;
    }
    if (!a.startsWith("-")) return i;
  }
  return undefined;
}
