// The sandbox init's wire protocol: one JSON object per line, requests on the init's
// stdin, replies on its stdout. Shared by the init (inside) and Sandbox (outside).

export interface InitRequest {
  id: number;
  /** Program and arguments, spawned directly (never through a shell). */
  argv: string[];
  timeoutMs: number;
  /** Start and report exit 0 at once; the job lives until the sandbox ends. */
  background: boolean;
  /** Fed to the program's stdin (iptables-restore's rules); otherwise stdin is /dev/null. */
  stdin?: string;
  /**
   * Instead of spawning, the init writes `content` to `path` itself, the way a shell's
   * `echo VALUE > path` would (argv is then only used to name the command in errors).
   */
  writeFile?: { path: string; content: string };
  /**
   * A monitor: a long-running program (xtables-monitor) whose output is read while it
   * runs. "start" spawns argv under `name` and answers once it is running; "peek" answers
   * with everything it printed so far; "stop" ends it (SIGTERM, SIGKILL if it lingers) and
   * answers with all its output; "write" feeds `input` to its stdin (a program that reads
   * commands, such as `nft -i`, then acts at once, with no process to start). Stop closes
   * its stdin first. timeoutMs does not apply to monitors.
   */
  monitor?: { op: MonitorOp; name: string; input?: string };
}

export type MonitorOp = "start" | "peek" | "write" | "stop";

export interface InitReply {
  id: number;
  exit: number;
  stdout: string;
  stderr: string;
  /** Monitor replies only: whether the program is still running (exit is 0 while it is). */
  running?: boolean;
}

/** First line the init prints: the sandbox is set up (or why it is not). */
export interface InitHello {
  ready: boolean;
  error?: string;
  /** The process server (process-server-perl.ts) runs on the socket passed as --server-fd. */
  server?: boolean;
}

/** Said by the init unasked: the process server exited (lines then go through the init). */
export interface InitEvent {
  event: "server-exit";
  exit: number;
}

/** Exit status of a command killed for running too long, as timeout(1) reports it. */
export const TIMEOUT_EXIT = 124;
