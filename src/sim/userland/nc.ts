// `nc` (netcat-openbsd 1.219, Debian 1.219-1): probes (`nc -z [-v] [-w N] [-u] HOST
// PORT...`) and listeners (`nc -l [-k] [-u] [HOST] PORT &`, `nc -l -p PORT &`), with
// the real one's messages, exit codes and timing. Checked against the real program in
// namespaces on kernel 6.18:
//
//   nc -zv 10.0.0.2 80          Connection to 10.0.0.2 80 port [tcp/http] succeeded!
//   (nothing listening)         nc: connect to 10.0.0.2 port 81 (tcp) failed: Connection refused
//   -w 1, nobody answers        nc: connect to 10.0.0.9 port 80 (tcp) timed out: Operation now in progress
//   (no -w: tcp_syn_retries)    nc: connect to 10.0.0.2 port 80 (tcp) failed: Connection timed out
//   010.0.0.2 (inet_aton)       nc: connect to 010.0.0.2 (8.0.0.2) port 80 (tcp) failed: ...
//   -u (UDP)                    writes "X" twice, then once a second for 3 s (-w N: N s);
//                               an ICMP port unreachable fails the probe without a word
//
// Without -v nothing is printed; -z -u without -v does not even test (exit 0). A
// listener without -k exits after its first caller; `nc -lu` without -k connects its
// socket to that caller, so others get port unreachable. A background job's output has
// no line to belong to and is dropped, as the kernel backend drops it.
import { createActor } from "xstate";
import type { CommandResult } from "../../backend.js";
import { ncListenMachine } from "../engine/machines/nc-listen.js";
import {
  KernelError,
  STRERROR,
  type Errno,
  formatIp4,
  type Ip4,
  type TcpListener,
  type TcpSock,
  type UdpSock,
} from "../kernel/netlink/index.js";
import { NC_HELP, NC_USAGE } from "./nc-usage.js";
import { Output, TimedOut, type ProgramContext } from "./program.js";
import { GAI_TEXT, lookupHost, resolverOf } from "./resolver.js";
import { startProcess } from "./procs.js";
import { serviceByName, serviceByPort } from "./services.js";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "../../backend.js";
import { NOT_SIMULATED_EXIT, notSimulatedText } from "./not-simulated.js";

/** getopt's option string: flags, then options that take a value. */
const FLAGS = "46bCDdFhklNnrStUuvZz";
const WITH_VALUE = "IiMmOPpqsTVWwXx";
/** What the simulator models; the parser refuses the rest of nc's options before they run. */
const MODELLED = new Set([..."4hklnuvzwp"]);

/** UDP_SCAN_TIMEOUT: how long a UDP probe waits for an error without -w. */
const UDP_SCAN_TIMEOUT_S = 3;

interface NcOpts {
  listen: boolean;
  keep: boolean;
  udp: boolean;
  verbose: boolean;
  zero: boolean;
  numeric: boolean;
  /** -4: getaddrinfo asks for AF_INET only (one A query). */
  inet: boolean;
  /** -w in ms; -1 without it (netcat.c's `timeout`). */
  timeout: number;
  /** -p: the port of a listener (`nc -l -p PORT`). */
  port: string | undefined;
  positional: string[];
  unmodelled: string[];
}

class NcExit extends Error {
  constructor(readonly code: number) {
    super(`nc exit ${code}`);
  }
}

/** strtonum(3): a whole decimal number (strtoll: leading blanks and a sign allowed). */
function strtonum(s: string, min: number, max: number): number | string {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(s);
  if (!m) return "invalid";
  const n = BigInt(m[1]!);
  if (n < BigInt(min)) return "too small";
  if (n > BigInt(max)) return "too large";
  return Number(n);
}

/** inet_aton as getaddrinfo accepts it: 1 to 4 parts, each decimal, 0-octal or 0x-hex. */
export function inetAton(s: string): Ip4 | undefined {
  const parts = s.split(".");
  if (parts.length > 4) return undefined;
  const vals: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]+$/.test(p)) v = parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = parseInt(p, 8);
    else if (/^[1-9]\d*$/.test(p)) v = Number(p);
    else return undefined;
    if (!Number.isFinite(v) || v > 0xffffffff) return undefined;
    vals.push(v);
  }
  const last = vals.pop()!;
  const lastMax = [0xffffffff, 0xffffff, 0xffff, 0xff][vals.length]!;
  if (last > lastMax || vals.some((v) => v > 255)) return undefined;
  let addr = 0;
  vals.forEach((v, i) => (addr += v * 2 ** (24 - 8 * i)));
  return (addr + last) >>> 0;
}

/** getopt(3) as glibc does it: options may follow operands, `--` ends them. */
function parseArgs(args: string[], o: Output): NcOpts {
  const opts: NcOpts = {
    listen: false,
    keep: false,
    udp: false,
    verbose: false,
    zero: false,
    numeric: false,
    inet: false,
    timeout: -1,
    port: undefined,
    positional: [],
    unmodelled: [],
  };
  const fail = (msg: string, withUsage: boolean): never => {
    o.err(msg + (withUsage ? NC_USAGE : ""));
    throw new NcExit(1);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      opts.positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      opts.positional.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      if (WITH_VALUE.includes(f)) {
        let v = a.slice(j + 1);
        if (v === "") {
          if (i + 1 >= args.length) fail(`nc: option requires an argument -- '${f}'\n`, true);
          v = args[++i]!;
        }
        if (f === "w") {
          const t = strtonum(v, 0, Math.floor(2147483647 / 1000));
          if (typeof t === "string") fail(`nc: timeout ${t}: ${v}\n`, false);
          opts.timeout = (t as number) * 1000;
        } else if (f === "p") opts.port = v;
        else opts.unmodelled.push(f);
        break;
      }
      if (!FLAGS.includes(f)) fail(`nc: invalid option -- '${f}'\n`, true);
      if (f === "h") {
        o.err(NC_HELP);
        throw new NcExit(0);
      }
      if (f === "l") opts.listen = true;
      else if (f === "k") opts.keep = true;
      else if (f === "u") opts.udp = true;
      else if (f === "v") opts.verbose = true;
      else if (f === "z") opts.zero = true;
      else if (f === "n") opts.numeric = true;
      else if (f === "4") opts.inet = true;
      else if (!MODELLED.has(f)) opts.unmodelled.push(f);
    }
  }
  return opts;
}

/** strtoport: a port number, or the whole argument in the message. */
function strtoport(s: string, o: Output): number {
  const n = strtonum(s, 1, 65535);
  if (typeof n === "string") {
    o.err(`nc: port number ${n}: ${s}\n`);
    throw new NcExit(1);
  }
  return n;
}

/** build_ports: service names, `lo-hi` ranges (in order) and numbers, as printed later. */
function buildPorts(specs: string[], proto: "tcp" | "udp", o: Output): number[] {
  const ports: number[] = [];
  for (const p of specs) {
    const sv = serviceByName(p, proto);
    if (sv) {
      ports.push(sv.port);
      continue;
    }
    const dash = p.indexOf("-");
    if (/^\d/.test(p) && dash >= 0) {
      const hi0 = strtoport(p.slice(dash + 1), o);
      const lo0 = strtoport(p.slice(0, dash), o);
      const [lo, hi] = lo0 > hi0 ? [hi0, lo0] : [lo0, hi0];
      for (let x = lo; x <= hi; x++) ports.push(x);
      continue;
    }
    ports.push(strtoport(p, o));
  }
  return ports;
}

/**
 * getaddrinfo for a host: numbers as inet_aton reads them; "localhost" from the
 * reference machine's /etc/hosts; any other name would need a resolver, and none
 * answers inside a lab (EAI_AGAIN), or with -n is not a number at all (EAI_NONAME).
 */
function resolveHost(host: string, opts: NcOpts, ctx: ProgramContext): Ip4 | string {
  const a = inetAton(host);
  if (a !== undefined) return a;
  if (opts.numeric) return "Name or service not known";
  if (host === "localhost") return 0x7f000001;
  // A container's process asks its nameserver (Docker's embedded DNS on a user network).
  const call = resolverOf(ctx);
  if (!call) return GAI_TEXT.EAI_AGAIN;
  const r = lookupHost(call, host, opts.inet);
  return "addr" in r ? r.addr : GAI_TEXT[r.error];
}

export function nc(ctx: ProgramContext): CommandResult {
  const o = new Output();
  let r: CommandResult;
  try {
    r = run(ctx, o);
  } catch (e) {
    if (!(e instanceof NcExit)) throw e;
    r = o.result(e.code);
  }
  // A background job's own exit status and output never reach the script.
  return ctx.background ? backgroundResult() : r;
}

/** A background job reports exit 0 at once; what it prints belongs to no line. */
function backgroundResult(): CommandResult {
  return { exit: 0, stdout: "", stderr: "" };
}

function run(ctx: ProgramContext, o: Output): CommandResult {
  const opts = parseArgs(ctx.args, o);
  const args = opts.positional;
  let host: string | undefined;
  let ports: string[] | undefined;
  // The option cruft checks of netcat.c main, in its order.
  if (args.length === 0 && opts.listen) {
    ports = opts.port === undefined ? undefined : [opts.port];
  } else if (args.length === 1 && opts.port === undefined) {
    if (opts.listen) ports = [args[0]!];
  } else if (args.length >= 2) {
    if (opts.listen && (opts.port !== undefined || args.length > 2)) {
      o.err(NC_USAGE);
      throw new NcExit(1);
    }
    host = args[0];
    ports = args.slice(1);
  } else {
    o.err(NC_USAGE);
    throw new NcExit(1);
  }
  const fail = (msg: string): never => {
    o.err(`nc: ${msg}\n`);
    throw new NcExit(1);
  };
  if (!ports) fail("missing port number");
  if (opts.listen && opts.zero) fail("cannot use -z and -l");
  if (!opts.listen && opts.keep) fail("must use -l with -k");
  if (opts.unmodelled.length > 0 || (!opts.listen && opts.port !== undefined)) {
    const which = opts.unmodelled[0] ?? "p";
    o.err(notSimulatedText(`nc -${which}`));
    return o.result(NOT_SIMULATED_EXIT);
  }
  // getaddrinfo would take an IPv6 literal; the simulator has no IPv6 datapath.
  if (host?.includes(":")) {
    o.err(notSimulatedText("nc to an IPv6 address"));
    return o.result(NOT_SIMULATED_EXIT);
  }
  if (opts.listen) return listen(ctx, o, opts, host, ports![0]!);
  return probe(ctx, o, opts, host!, ports!);
}

/** The clock of a foreground run: block until a condition, or until the backend's limit. */
class Clock {
  readonly limitMs: number;
  readonly limitAt: number;
  constructor(
    private ctx: ProgramContext,
    private o: Output,
    private cleanup: () => void,
  ) {
    this.limitMs = ctx.timeLimitMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.limitAt = ctx.world.scheduler.now + this.limitMs;
  }

  get now(): number {
    return this.ctx.world.scheduler.now;
  }

  /** The softirq work a system call started is done before the call returns. */
  settle(): void {
    this.ctx.world.scheduler.settle();
  }

  /** Runs the world until `done` holds or `until` comes; past the limit the run is killed. */
  block(done: () => boolean, until = Infinity): void {
    const sched = this.ctx.world.scheduler;
    const deadline = Math.min(until, this.limitAt);
    sched.runWhile(deadline, done);
    if (!done() && until > this.limitAt && sched.now >= this.limitAt) {
      this.cleanup();
      throw new TimedOut(this.limitMs, this.o.stdout, this.o.stderr);
    }
  }

  sleep(ms: number): void {
    const until = this.now + ms;
    this.block(() => false, until);
  }
}

type Conn =
  | { kind: "tcp"; sock: TcpSock; eof: () => boolean }
  | { kind: "udp"; sock: UdpSock; activity: () => number };

function probe(
  ctx: ProgramContext,
  o: Output,
  opts: NcOpts,
  host: string,
  specs: string[],
): CommandResult {
  const { ns } = ctx;
  const proto = opts.udp ? "udp" : "tcp";
  const portList = buildPorts(specs, proto, o);
  const resolved = resolveHost(host, opts, ctx);
  if (typeof resolved === "string") {
    o.err(`nc: getaddrinfo for host "${host}" port ${portList[0]}: ${resolved}\n`);
    throw new NcExit(1);
  }
  const addr = resolved;
  const ipaddr = formatIp4(addr);
  const open = new Set<Conn>();
  const closeConn = (c: Conn): void => {
    open.delete(c);
    if (c.kind === "tcp") ns.tcp.close(c.sock);
    else ns.udp.close(c.sock);
  };
  const clock = new Clock(ctx, o, () => {
    // SIGKILL: the process's sockets are closed by the kernel.
    for (const c of [...open]) closeConn(c);
  });
  const showIp = !opts.numeric && host !== ipaddr;
  const warn = (port: number, how: "failed" | "timed out", errno: Errno): void => {
    if (!opts.verbose) return;
    const where = showIp ? `${host} (${ipaddr})` : host;
    o.err(`nc: connect to ${where} port ${port} (${proto}) ${how}: ${STRERROR[errno]}\n`);
  };

  /** remote_connect: a connected socket, or undefined after the warning. */
  const connect = (port: number): Conn | undefined => {
    if (opts.udp) {
      const sock = ns.udp.socket();
      try {
        ns.udp.connect(sock, addr, port);
      } catch (e) {
        ns.udp.close(sock);
        if (!(e instanceof KernelError)) throw e;
        warn(port, "failed", e.errno);
        return undefined;
      }
      let last = clock.now;
      sock.onDatagram = () => {
        last = clock.now;
      };
      const c: Conn = { kind: "udp", sock, activity: () => last };
      open.add(c);
      return c;
    }
    let result: "up" | Errno | undefined;
    let eof = false;
    let sock: TcpSock;
    try {
      sock = ns.tcp.connect(addr, port, {
        onEstablished: () => (result ??= "up"),
        onError: (errno) => {
          result ??= errno;
          eof = true;
        },
        onEof: () => (eof = true),
      });
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      warn(port, "failed", e.errno);
      return undefined;
    }
    const c: Conn = { kind: "tcp", sock, eof: () => eof };
    open.add(c);
    // connect_with_timeout: select() for writability, for -w seconds (0: no limit).
    const timeout = opts.timeout > 0 ? opts.timeout : Infinity;
    const started = clock.now;
    clock.block(() => result !== undefined, started + timeout);
    if (result === "up") {
      // nc wakes after the softirq that completed the handshake has run to its end (our
      // ACK may have been rejected on the way); getsockopt(SO_ERROR) also reports
      // sk_err_soft, the ICMP error such a rejection brings back.
      clock.settle();
      if (sock.errSoft !== undefined) result = sock.errSoft;
    }
    if (result === "up") return c;
    closeConn(c);
    if (result === undefined) warn(port, "timed out", "EINPROGRESS");
    else warn(port, "failed", result);
    return undefined;
  };

  /** udptest: two writes, then one a second; a refusal in between fails the port. */
  const udptest = (c: Conn & { kind: "udp" }): boolean => {
    const send = (): Errno | undefined => {
      const e = ns.udp.send(c.sock, 1);
      clock.settle();
      return e;
    };
    if (send() !== undefined) return false;
    if (send() === "ECONNREFUSED") return false;
    const t = opts.timeout === -1 ? UDP_SCAN_TIMEOUT_S : opts.timeout / 1000;
    for (let i = 0; i < t; i++) {
      clock.sleep(1000);
      if (send() === "ECONNREFUSED") return false;
    }
    return true;
  };

  /** readwrite with stdin at end of file: until the peer closes, or -w idle seconds. */
  const readwrite = (c: Conn): void => {
    if (c.kind === "tcp") {
      const until = opts.timeout === -1 ? Infinity : clock.now + opts.timeout;
      clock.block(c.eof, until);
      return;
    }
    if (opts.timeout === -1) return clock.block(() => false);
    for (;;) {
      const since = c.activity();
      const until = Math.max(since, clock.now) + opts.timeout;
      clock.block(() => c.activity() !== since, until);
      if (c.activity() === since) return;
    }
  };

  let ret = 1;
  let prev: Conn | undefined;
  for (const port of portList) {
    if (prev) closeConn(prev);
    prev = undefined;
    const c = connect(port);
    if (!c) continue;
    prev = c;
    ret = 0;
    if (opts.verbose) {
      if (c.kind === "udp" && !udptest(c)) {
        ret = 1;
        continue;
      }
      const service =
        opts.numeric || ctx.env?.noServices ? undefined : serviceByPort(port, proto)?.name;
      o.err(
        `Connection to ${host}${showIp ? ` (${ipaddr})` : ""} ${port} port [${proto}/${service ?? "*"}] succeeded!\n`,
      );
    }
    if (!opts.zero) readwrite(c);
  }
  if (prev) closeConn(prev);
  return o.result(ret);
}

/**
 * nc -l: local_listen (SO_REUSEADDR and SO_REUSEPORT, listen backlog 1), then the
 * serve loop of ncListenMachine. In the background it returns at once and lives on the
 * scheduler until it exits (or the script ends), holding its namespace alive.
 */
function listen(
  ctx: ProgramContext,
  o: Output,
  opts: NcOpts,
  host: string | undefined,
  portSpec: string,
): CommandResult {
  const { world, ns } = ctx;
  const proto = opts.udp ? "udp" : "tcp";
  // getaddrinfo(host, port, AI_PASSIVE): a number or a service name, no ranges.
  const sv = serviceByName(portSpec, proto);
  const num = strtonum(portSpec, 0, 65535);
  const port = sv?.port ?? (typeof num === "number" && /^\d+$/.test(portSpec) ? num : undefined);
  if (port === undefined) {
    o.err("nc: getaddrinfo: Servname not supported for ai_socktype\n");
    throw new NcExit(1);
  }
  let addr: Ip4 = 0;
  if (host !== undefined) {
    const r = resolveHost(host, opts, ctx);
    if (typeof r === "string") {
      o.err(`nc: getaddrinfo: ${r}\n`);
      throw new NcExit(1);
    }
    addr = r;
  }
  let tcpListener: TcpListener | undefined;
  let udpSock: UdpSock | undefined;
  try {
    if (opts.udp) udpSock = ns.udp.bind(addr, port);
    else tcpListener = ns.tcp.listen(addr, port, 1);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    o.err(`nc: ${STRERROR[e.errno]}\n`);
    throw new NcExit(1);
  }
  // nc's socket is its descriptor 3; an accepted connection, 4 (ss -p).
  const proc = startProcess(world, ns, [ctx.program, ...ctx.args]);
  const pid = proc.pid;
  (udpSock ?? tcpListener!).owner = { comm: "nc", pid, fd: 3 };

  const release = proc.exit;
  let exited = false;
  const actor = createActor(ncListenMachine, {
    clock: world.scheduler,
    inspect: world.trace.inspector({ ns: ns.scriptName, kind: "nc", key: `-l ${proto} ${port}` }),
    input: {
      udp: opts.udp,
      keep: opts.keep,
      idleMs: opts.timeout === -1 ? undefined : opts.timeout,
    },
  });
  const later = (label: string, fn: () => void): void => void world.scheduler.at(0, label, fn);
  let conn: TcpSock | undefined;

  if (tcpListener) {
    const l = tcpListener;
    l.onConnection = () => {
      if (actor.getSnapshot().value === "waiting") actor.send({ type: "CALLER" });
    };
    actor.on("ready", () => {
      if (l.queue.length > 0) later(`nc accept :${port}`, () => actor.send({ type: "CALLER" }));
    });
    actor.on("accept", () => {
      const c = ns.tcp.accept(l);
      conn = c;
      if (!c) return;
      c.owner = { comm: "nc", pid, fd: 4 };
      const closed = (): void => void actor.send({ type: "PEER_CLOSED" });
      c.app = { onEof: closed, onError: closed };
      // It may have closed before accept(): read() returns 0 at once.
      if (c.peerClosed) later(`nc eof :${port}`, closed);
    });
    actor.on("closeConnection", () => {
      if (conn) ns.tcp.close(conn);
      conn = undefined;
    });
  } else {
    const s = udpSock!;
    s.onDatagram = (pkt, udp) => {
      if (actor.getSnapshot().value === "waiting") {
        // recvfrom(MSG_PEEK) names the caller; without -k the socket is connected to it.
        if (!opts.keep) {
          try {
            ns.udp.connect(s, pkt.src, udp.sport);
          } catch {
            actor.stop();
            return finish();
          }
        }
        actor.send({ type: "CALLER" });
      } else actor.send({ type: "ACTIVITY" });
    };
  }
  const finish = (): void => {
    if (exited) return;
    exited = true;
    if (tcpListener) ns.tcp.closeListener(tcpListener);
    if (udpSock) ns.udp.close(udpSock);
    release();
  };
  actor.on("exit", finish);
  actor.start();

  if (ctx.background) return backgroundResult();
  // In the foreground (only reachable without the parser, which refuses it) nc -l
  // blocks until its caller leaves, or until the backend kills it.
  const clock = new Clock(ctx, o, () => {
    actor.stop();
    finish();
  });
  clock.block(() => exited);
  return o.result(0);
}
