// packetwalk's side of the sandbox's process server (process-server-perl.ts): lab lines
// go straight to it over a socket passed into the sandbox, not through the init, so a
// line costs one fork+exec in a small process and one round trip. Each line keeps what the
// init gave it: its own stdout, stderr and exit status (128+N for a signal), a time limit
// after which its process group is SIGKILLed (exit 124), `&` jobs that live on.
import { constants } from "node:os";
import type { Duplex } from "node:stream";
import { TIMEOUT_EXIT } from "./protocol.js";
import { strerror } from "./strerror.js";

/** After SIGKILL on timeout, how long to wait for the pipes to close before giving up on them. */
const KILL_GRACE_MS = 1000;

export interface ServerRun {
  argv: string[];
  background: boolean;
  /** Fed to its stdin; otherwise stdin is /dev/null. */
  stdin?: string;
  timeoutMs: number;
  /**
   * In turn: it starts once every earlier line sent in turn has ended, so a script's next
   * lines can be sent before the one running ends (foreground, no stdin). Its time limit
   * counts from when its turn comes.
   */
  inTurn?: boolean;
}

export interface ServerReply {
  exit: number;
  stdout: string;
  stderr: string;
}

const errnoName = new Map(Object.entries(constants.errno).map(([k, v]) => [v, k]));

interface Running {
  run: ServerRun;
  out: Buffer[];
  err: Buffer[];
  status?: number;
  drained: boolean;
  timedOut: boolean;
  timer?: NodeJS.Timeout;
  resolve: (r: ServerReply) => void;
  reject: (e: Error) => void;
}

export class ProcessServer {
  private readonly runs = new Map<number, Running>();
  /** Lines sent in turn and not ended yet, in their order: the first one is running. */
  private readonly turns: number[] = [];
  private nextId = 1;
  private pending = Buffer.alloc(0);
  private gone: Error | undefined;
  private onReady: (() => void) | undefined;

  private constructor(private readonly socket: Duplex) {
    socket.on("data", (b: Buffer) => this.read(b));
    socket.on("error", () => this.fail(new Error("the sandbox's process server is gone")));
    socket.on("close", () => this.fail(new Error("the sandbox's process server is gone")));
  }

  /** The server behind `socket`, once it answers; undefined if it does not within waitMs. */
  static async connect(socket: Duplex, waitMs: number): Promise<ProcessServer | undefined> {
    const server = new ProcessServer(socket);
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), waitMs);
      server.onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      server.send("ready", 0, Buffer.alloc(0));
    });
    if (ready) return server;
    server.fail(new Error("the sandbox's process server did not answer"));
    return undefined;
  }

  /** False once the server is gone: lines then go through the init. */
  get usable(): boolean {
    return this.gone === undefined;
  }

  /** Whether it can run this argv as Node's spawn would (else the init reports the error). */
  static serves(argv: string[]): boolean {
    return argv.length > 0 && argv[0] !== "" && argv.every((a) => !a.includes("\0"));
  }

  run(run: ServerRun): Promise<ServerReply> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const r: Running = {
        run,
        out: [],
        err: [],
        drained: false,
        timedOut: false,
        resolve,
        reject,
      };
      this.runs.set(id, r);
      const mode = run.background ? "b" : run.stdin === undefined ? "n" : "p";
      if (run.inTurn && mode === "n") {
        this.turns.push(id);
        this.send("seq", id, Buffer.from([mode, ...run.argv].join("\0")));
        if (this.turns[0] === id) this.startTimer(id, r);
        return;
      }
      this.send("run", id, Buffer.from([mode, ...run.argv].join("\0")));
      if (!run.background) this.startTimer(id, r);
      if (run.stdin !== undefined && !run.background) {
        if (run.stdin !== "") this.send("in", id, Buffer.from(run.stdin));
        this.send("eof", id, Buffer.alloc(0));
      }
    });
  }

  /** Every line still running fails with `e`; nothing more is sent. */
  fail(e: Error): void {
    this.gone ??= e;
    for (const r of this.runs.values()) {
      clearTimeout(r.timer);
      r.reject(this.gone);
    }
    this.runs.clear();
    this.turns.length = 0;
  }

  /** Closes packetwalk's end: the server reads EOF and exits. */
  close(): void {
    this.fail(new Error("the sandbox is closed"));
    this.socket.end();
  }

  private send(op: string, id: number, data: Buffer): void {
    this.socket.write(Buffer.concat([Buffer.from(`${op} ${id} ${data.length}\n`), data]));
  }

  private read(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const nl = buf.indexOf(10);
      if (nl < 0) break;
      const [op = "", id = "0", len = "0"] = buf.subarray(0, nl).toString().split(" ");
      const end = nl + 1 + Number(len);
      if (buf.length < end) break;
      this.receive(op, Number(id), buf.subarray(nl + 1, end));
      buf = buf.subarray(end);
    }
    this.pending = Buffer.from(buf);
  }

  private receive(op: string, id: number, data: Buffer): void {
    if (op === "ready") return this.onReady?.();
    const r = this.runs.get(id);
    if (r === undefined) return; // given up on after a timeout
    if (op === "spawned") return this.finish(id, r, { exit: 0, stdout: "", stderr: "" }); // a job
    if (op === "failed") return this.finish(id, r, this.spawnError(r, Number(data.toString())));
    if (op === "out") r.out.push(Buffer.from(data));
    else if (op === "err") r.err.push(Buffer.from(data));
    else if (op === "exit") r.status = exitStatus(data.toString());
    else if (op === "closed") r.drained = true;
    if (r.status !== undefined && r.drained) this.finish(id, r, this.collected(r, r.status));
  }

  private startTimer(id: number, r: Running): void {
    r.timer = setTimeout(() => {
      r.timedOut = true;
      this.send("kill", id, Buffer.alloc(0));
      // Something outside the group may still hold the pipes; do not wait for it forever.
      r.timer = setTimeout(
        () => this.finish(id, r, this.collected(r, r.status ?? TIMEOUT_EXIT)),
        KILL_GRACE_MS,
      );
    }, r.run.timeoutMs);
  }

  private collected(r: Running, exit: number): ServerReply {
    let stderr = Buffer.concat(r.err).toString("utf8");
    if (r.timedOut) {
      stderr += `packetwalk: ${r.run.argv.join(" ")}: timed out after ${r.run.timeoutMs / 1000} s, killed\n`;
    }
    return {
      exit: r.timedOut ? TIMEOUT_EXIT : exit,
      stdout: Buffer.concat(r.out).toString("utf8"),
      stderr,
    };
  }

  /** What the init said when Node's spawn failed: 127 not found (any failure of a job). */
  private spawnError(r: Running, errno: number): ServerReply {
    const program = r.run.argv[0];
    const code = errnoName.get(errno);
    if (code === "ENOENT" || r.run.background)
      return { exit: 127, stdout: "", stderr: `packetwalk: ${program}: command not found\n` };
    return { exit: 126, stdout: "", stderr: `packetwalk: ${program}: ${strerror(code)}\n` };
  }

  private finish(id: number, r: Running, reply: ServerReply): void {
    clearTimeout(r.timer);
    this.runs.delete(id);
    const turn = this.turns.indexOf(id);
    if (turn >= 0) {
      this.turns.splice(turn, 1);
      // The server started the next one as this one ended: its time counts from now.
      const next = this.turns[0];
      const n = next === undefined ? undefined : this.runs.get(next);
      if (turn === 0 && next !== undefined && n !== undefined && n.timer === undefined)
        this.startTimer(next, n);
    }
    r.resolve(reply);
  }
}

/** "CODE:" or ":SIGNAL" -> a shell's status (128+N for a signal). */
function exitStatus(how: string): number {
  const [code, sig] = how.split(":");
  return code ? Number(code) : 128 + Number(sig);
}
