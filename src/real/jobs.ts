// The script's shell's job table on the kernel: background lines numbered from 1 in the
// order they started. A capture (tcpdump &) runs as a sandbox monitor, so that its output
// is kept; `kill %N` ends it and answers with what it printed.
import type { CommandResult } from "../backend.js";
import { KILL_IN_NETNS, killedJob, killRefusal } from "../script/programs/kill.js";
import type { LabCommand } from "../script/types.js";
import type { Sandbox } from "./sandbox.js";

/** How long a capture may take to say "listening on" (it opens its socket first). */
const LISTEN_WAIT_MS = 5000;
/** Before kill: the capture has printed nothing new for this long... */
const QUIET_MS = 300;
/** ...or this long has passed. */
const SETTLE_MAX_MS = 3000;
const POLL_MS = 25;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Jobs {
  private count = 0;
  private readonly captures = new Map<number, string>();
  /** Captures that were killed: gone from the table. */
  private readonly gone = new Set<number>();

  constructor(private readonly sandbox: Sandbox) {}

  /** A background line that is not a capture: it only takes its number. */
  note(): void {
    this.count++;
  }

  /**
   * Starts a capture and returns once it listens (its "listening on" line), so that the
   * probe on the next line is seen. `--immediate-mode` hands each packet to tcpdump at
   * once rather than when libpcap's 1 s buffer timeout fires: what it prints is the same.
   */
  async startCapture(cmd: LabCommand): Promise<CommandResult> {
    const job = ++this.count;
    const name = `job${job}`;
    const at = cmd.argv.length - cmd.args.length;
    const argv = [...cmd.argv.slice(0, at), "--immediate-mode", ...cmd.argv.slice(at)];
    const started = await this.sandbox.startMonitor(name, argv);
    if (!started.running) return { exit: started.exit, stdout: "", stderr: started.stderr };
    this.captures.set(job, name);
    const end = Date.now() + LISTEN_WAIT_MS;
    while (Date.now() < end) {
      const r = await this.sandbox.peekMonitor(name);
      if (!r.running || r.stderr.includes("listening on")) break;
      await sleep(POLL_MS);
    }
    return { exit: 0, stdout: "", stderr: "" };
  }

  /** `kill %N`: the capture's output once it has printed what it was handed. */
  async kill(cmd: LabCommand): Promise<CommandResult> {
    if (cmd.argv[0] !== "kill") return { ...KILL_IN_NETNS };
    const n = killedJob(cmd.args);
    if (n === undefined) return { exit: 2, stdout: "", stderr: "packetwalk: only kill %N\n" };
    const name = this.captures.get(n);
    if (name === undefined) return killRefusal(n, n >= 1 && n <= this.count && !this.gone.has(n));
    this.captures.delete(n);
    this.gone.add(n);
    let last = "";
    let quietSince = Date.now();
    const end = Date.now() + SETTLE_MAX_MS;
    while (Date.now() < end && Date.now() - quietSince < QUIET_MS) {
      const r = await this.sandbox.peekMonitor(name);
      if (!r.running) break;
      if (r.stdout !== last) {
        last = r.stdout;
        quietSince = Date.now();
      }
      await sleep(POLL_MS);
    }
    const r = await this.sandbox.stopMonitor(name);
    return { exit: 0, stdout: r.stdout, stderr: r.stderr };
  }
}
