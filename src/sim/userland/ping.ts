// `ping` (iputils 20221126) with -c, -W, -t, -I, -i, -s, -M: its header, per-reply and per-error
// lines, statistics and exit codes. The run itself is an XState machine on virtual time.
import { createActor } from "xstate";
import { DEFAULT_COMMAND_TIMEOUT_MS, type CommandResult } from "../../backend.js";
import { pingRunMachine } from "../engine/machines/ping-run.js";
import {
  KernelError,
  formatIp4,
  parseIp4,
  type Ip4,
  type Ipv4Packet,
  type NetDevice,
  pathMtu,
} from "../kernel/netlink/index.js";
import { notSimulatedResult } from "./not-simulated.js";
import { PING_USAGE } from "./ping-usage.js";
import { GAI_TEXT, lookupAddr, lookupHost, resolverOf } from "./resolver.js";
import { Output, TimedOut, type ProgramContext, type Waiting } from "./program.js";
import { startProcess } from "./procs.js";

const UNREACH: Record<number, string> = {
  0: "Destination Net Unreachable",
  1: "Destination Host Unreachable",
  2: "Destination Protocol Unreachable",
  3: "Destination Port Unreachable",
  4: "Frag needed and DF set",
  5: "Source Route Failed",
  6: "Destination Net Unknown",
  7: "Destination Host Unknown",
  9: "Destination Net Prohibited",
  10: "Destination Host Prohibited",
  11: "Destination Net Unreachable for Type of Service",
  12: "Destination Host Unreachable for Type of Service",
  13: "Packet filtered",
  14: "Precedence Violation",
  15: "Precedence Cutoff",
};

interface PingOpts {
  count: number;
  lingerMs: number;
  intervalMs: number;
  ttl: number | undefined;
  iface: string | undefined;
  quiet: boolean;
  target: string;
  /** -s: ICMP data bytes (56). */
  size: number;
  /** -M: IP_MTU_DISCOVER; undefined is the socket's default (want). */
  pmtudisc: "do" | "dont" | "want" | undefined;
}

// iputils 20221126's options (ping.c getopt) that the simulator does not model. -f is
// refused by the lab-script parser.
const UNMODELLED_WITH_ARG = "TFNelmpQSw";
const UNMODELLED_FLAGS = "6bRaABCdDfLOrUvVh";

function usageError(o: Output, msg: string, code = 2, usage = false): CommandResult {
  o.err(msg + (usage ? PING_USAGE : ""));
  return o.result(code);
}

/** iputils' strtol-style check: a whole number within range, else "invalid argument". */
function intArg(o: Output, v: string, min: number, max: string): number | CommandResult {
  if (!/^-?\d+$/.test(v)) return usageError(o, `ping: invalid argument: '${v}'\n`, 1);
  const n = Number(v);
  if (n < min || n > Number(max))
    return usageError(
      o,
      `ping: invalid argument: '${v}': out of range: ${min} <= value <= ${max}\n`,
      1,
    );
  return n;
}

function parseArgs(args: string[], o: Output): PingOpts | CommandResult {
  const opts: PingOpts = {
    count: 0,
    lingerMs: 10_000,
    intervalMs: 1000,
    ttl: undefined,
    iface: undefined,
    quiet: false,
    target: "",
    size: 56,
    pmtudisc: undefined,
  };
  const targets: string[] = [];
  let unmodelled: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("-") || a === "-") {
      targets.push(a);
      continue;
    }
    let j = 1;
    while (j < a.length) {
      const f = a[j]!;
      if (UNMODELLED_WITH_ARG.includes(f)) {
        // Its argument is the rest of the word or the next one, as getopt takes it.
        if (a.slice(j + 1) === "" && args[i + 1] !== undefined) i++;
        unmodelled ??= f;
        break;
      }
      if (UNMODELLED_FLAGS.includes(f)) {
        unmodelled ??= f;
        j++;
        continue;
      }
      if ("cWtIisM".includes(f)) {
        let v = a.slice(j + 1);
        if (v === "") {
          const next = args[++i];
          if (next === undefined)
            return usageError(o, `ping: option requires an argument -- '${f}'\n`, 2, true);
          v = next;
        }
        if (f === "c") {
          const n = intArg(o, v, 1, "9223372036854775807");
          if (typeof n !== "number") return n;
          opts.count = n;
        } else if (f === "W") {
          // strtod, then a warning (not an error) for trailing garbage.
          const m = /^[+-]?(\d+\.?\d*|\.\d+)/.exec(v);
          const n = m ? Number(m[0]) : 0;
          if (n < 0) return usageError(o, `ping: bad linger time: ${v}\n`);
          if (!m || m[0] !== v)
            o.err(
              `ping: option argument contains garbage: ${v.slice(m ? m[0].length : 0)}\nping: this will become fatal error in the future\n`,
            );
          opts.lingerMs = n * 1000;
        } else if (f === "t") {
          const n = intArg(o, v, 0, "255");
          if (typeof n !== "number") return n;
          opts.ttl = n;
        } else if (f === "i") {
          const n = Number(v);
          if (!Number.isFinite(n) || n < 0.002)
            return usageError(o, `ping: bad timing interval: ${v}\n`);
          opts.intervalMs = n * 1000;
        } else if (f === "s") {
          const n = intArg(o, v, 0, "2147483647");
          if (typeof n !== "number") return n;
          opts.size = n;
        } else if (f === "M") {
          if (v !== "do" && v !== "dont" && v !== "want")
            return usageError(o, `ping: invalid -M argument: ${v}\n`);
          opts.pmtudisc = v;
        } else opts.iface = v;
        break;
      }
      if (f === "q") opts.quiet = true;
      else if (f === "n" || f === "4") {
        /* numeric output: ours always is; IPv4: ours always is */
      } else return usageError(o, `ping: invalid option -- '${f}'\n`, 2, true);
      j++;
    }
  }
  if (unmodelled !== undefined) return notSimulatedResult(`ping -${unmodelled}`);
  if (targets.length === 0)
    return usageError(o, "ping: usage error: Destination address required\n", 1);
  opts.target = targets[targets.length - 1]!;
  return opts;
}

export function ping(ctx: ProgramContext): CommandResult | Waiting {
  const o = new Output();
  const parsed = parseArgs(ctx.args, o);
  if ("exit" in parsed) return parsed;
  const opts = parsed;
  const { world, ns } = ctx;
  // iputils pings an IPv6 literal over ICMPv6; the simulator has no IPv6 datapath.
  if (opts.target.includes(":")) return notSimulatedResult("ping to an IPv6 address");
  // A name: the process's resolver asks its nameserver by datagrams (a container's:
  // Docker's embedded DNS answers on a user network); a lab's own namespaces have no
  // nameserver the simulator knows, and nothing answers: getaddrinfo's EAI_AGAIN.
  const resolver = resolverOf(ctx);
  const named = parseIp4(opts.target) === undefined;
  let resolved = parseIp4(opts.target);
  if (resolved === undefined) {
    const r = resolver ? lookupHost(resolver, opts.target) : { error: "EAI_AGAIN" as const };
    if ("error" in r) {
      o.err(`ping: ${opts.target}: ${GAI_TEXT[r.error]}\n`);
      return o.result(2);
    }
    resolved = r.addr;
  }
  const dst: Ip4 = resolved;
  let oif: NetDevice | undefined;
  let bindSrc: Ip4 | undefined;
  if (opts.iface !== undefined) {
    const asAddr = parseIp4(opts.iface);
    if (asAddr !== undefined) {
      if (!world.ipv4.isLocalAddress(ns, asAddr)) {
        o.err(`ping: bind: Cannot assign requested address\n`);
        return o.result(2);
      }
      bindSrc = asAddr;
    } else {
      oif = ns.byName(opts.iface);
      if (!oif) {
        o.err(`ping: SO_BINDTODEVICE ${opts.iface}: No such device\n`);
        return o.result(2);
      }
    }
  }
  // iputils connects a UDP probe socket first: routing errors surface here.
  let src: Ip4;
  try {
    const rt = world.ipv4.routeOutput(ns, dst, { oif, src: bindSrc });
    // connect() on a UDP socket without SO_BROADCAST refuses a broadcast route.
    if (rt.res.type === "broadcast" || dst === 0xffffffff) throw new KernelError("EACCES");
    src = rt.src;
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    if (e.errno === "EACCES") {
      o.err(
        "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n",
      );
    } else o.err(`ping: connect: ${e.message}\n`);
    return o.result(2);
  }
  const target = named ? opts.target : formatIp4(dst);
  // A target given by name: each answer's address is looked up again (getnameinfo, a
  // PTR query; iputils keeps the last one), and shown under the name it resolves to.
  let lastPtr: { addr: number; name: string | undefined } | undefined;
  const from = (a: number): string => {
    if (!named || !resolver || a !== dst) return formatIp4(a);
    // Asked while an answer is being handled: it never kills the command (no limit).
    if (lastPtr?.addr !== a)
      lastPtr = { addr: a, name: lookupAddr({ ...resolver, limitAt: undefined }, a) };
    return lastPtr.name !== undefined ? `${lastPtr.name} (${formatIp4(a)})` : formatIp4(a);
  };
  const sizes = `${opts.size}(${opts.size + 28})`;
  o.out(
    opts.iface !== undefined
      ? `PING ${target} (${formatIp4(dst)}) from ${formatIp4(src)} ${oif?.name ?? ""}: ${sizes} bytes of data.\n`
      : `PING ${target} (${formatIp4(dst)}) ${sizes} bytes of data.\n`,
  );

  const id = world.rng.int(1, 65535);
  // Without -c, ping runs until it is killed: here, at the backend's per-command limit.
  const count = opts.count || Infinity;
  /** iputils times a probe only when its data holds a struct timeval (16 bytes). */
  const timing = opts.size >= 16;
  const started = world.scheduler.now;
  const sentAt = new Map<number, number>();
  const rtt = new RttSummary();
  let received = 0;
  let errors = 0;
  let sent = 0;
  /** iputils' pipesize: the most probes outstanding when one was answered (acknowledge()). */
  let pipesize = 0;
  const acknowledge = (seq: number): void => {
    pipesize = Math.max(pipesize, sent - seq + 1);
  };
  let lastSend = started;
  /** Probes the local OUTPUT chain refused with REJECT. */
  const rejected = new Set<number>();
  /** Probes dropped from sentAt unanswered (transmitted, never received). */
  let forgotten = 0;
  let done = false;

  const actor = createActor(pingRunMachine, {
    clock: world.scheduler,
    inspect: world.trace.inspector({ ns: ns.scriptName, kind: "ping", key: target }),
    input: { count, intervalMs: opts.intervalMs, lingerMs: opts.lingerMs },
  });
  const answer = (): void => {
    actor.send({ type: "ANSWER" });
  };
  const closeSocket = ns.pingSockets.open({
    id,
    onMessage(pkt: Ipv4Packet) {
      const l4 = pkt.l4;
      if (l4.proto !== "icmp") return;
      if (l4.type === 0) {
        if (l4.id !== id || !sentAt.has(l4.seq)) return;
        const ms = world.scheduler.now - sentAt.get(l4.seq)! + 0.05;
        sentAt.delete(l4.seq);
        acknowledge(l4.seq);
        if (timing) rtt.add(ms);
        received++;
        if (!opts.quiet)
          o.out(
            // An answer from another address than the target (a NAT that did not
            // un-NAT it): iputils flags it.
            `${opts.size + 8} bytes from ${from(pkt.src)}: icmp_seq=${l4.seq} ttl=${pkt.ttl}${timing ? ` time=${ms.toFixed(3)} ms` : ""}${pkt.src !== dst ? " (DIFFERENT ADDRESS!)" : ""}\n`,
          );
        answer();
        return;
      }
      if (l4.type === 3 || l4.type === 11) {
        const inner = l4.original.l4;
        if (inner.proto !== "icmp" || inner.type !== 8 || inner.id !== id) return;
        errors++;
        acknowledge(inner.seq);
        const text =
          l4.type === 11
            ? "Time to live exceeded"
            : l4.code === 4
              ? `Frag needed and DF set (mtu = ${l4.mtu ?? 0})`
              : (UNREACH[l4.code] ?? `Dest Unreachable, Bad Code: ${l4.code}`);
        if (!opts.quiet) o.out(`From ${formatIp4(pkt.src)} icmp_seq=${inner.seq} ${text}\n`);
        // A probe our own OUTPUT chain REJECTed: sendmsg failed with EPERM, and iputils
        // reports it once the error is back (a silent DROP reports nothing).
        if (rejected.has(inner.seq) && !opts.quiet)
          o.err("ping: sendmsg: Operation not permitted\n");
        answer();
      }
    },
  });
  actor.on("send", ({ seq }) => {
    lastSend = world.scheduler.now;
    sent = seq;
    sentAt.set(seq, world.scheduler.now);
    // Like iputils' table of received sequence numbers, only the last 64K probes are
    // remembered: a ping that runs for days (in the background) keeps constant memory.
    if (sentAt.size > SEQ_WINDOW) {
      const oldest = sentAt.keys().next().value!;
      sentAt.delete(oldest);
      forgotten++;
    }
    rejected.delete(seq - SEQ_WINDOW);
    // raw_sendmsg refuses more than 64K of ICMP outright; iputils says nothing of it.
    if (opts.size + 8 > 0xffff) return;
    const ipLen = opts.size + 28;
    try {
      const rt = world.ipv4.routeOutput(ns, dst, { oif, src });
      const mtu = pathMtu(ns, rt.dev, dst);
      // ip_append_data: a datagram over 64K, or over the path MTU with IP_PMTUDISC_DO,
      // fails with EMSGSIZE and a local error on the socket's error queue (iputils
      // prints it from there and counts it as an error).
      if (ipLen > 0xffff || (opts.pmtudisc === "do" && ipLen > mtu)) {
        errors++;
        if (!opts.quiet) o.err(`ping: local error: message too long, mtu=${mtu}\n`);
        answer();
        return;
      }
      const pkt: Ipv4Packet = {
        proto: "ipv4",
        src,
        dst,
        ttl: opts.ttl ?? Number(ns.sysctl.get("net.ipv4.ip_default_ttl")),
        id: ns.ipId++,
        l4: { proto: "icmp", type: 8, code: 0, id, seq, dataLen: opts.size },
      };
      // __ip_make_skb: DF with "do", and with "want" (the default) when it fits; a
      // datagram that does not fit leaves as fragments of the path MTU.
      if (opts.pmtudisc === "do" || (opts.pmtudisc !== "dont" && ipLen <= mtu)) pkt.df = true;
      if (ipLen > mtu) pkt.fragMtu = mtu;
      if (world.ipv4.sendRouted(ns, pkt, rt).kind === "reject") rejected.add(seq);
    } catch (e) {
      if (e instanceof KernelError) o.out(`ping: sendmsg: ${e.message}\n`);
    }
  });
  actor.on("done", () => {
    done = true;
  });
  if (ctx.background) {
    // `ping ... &`: exit 0 at once; the probes go on on the scheduler until the count is
    // sent (or forever), and what it prints belongs to no line.
    const release = startProcess(world, ns, [ctx.program, ...ctx.args]).exit;
    o.out = o.err = () => {};
    actor.on("done", () => {
      actor.stop();
      closeSocket();
      release();
    });
    actor.start();
    return { exit: 0, stdout: "", stderr: "" };
  }
  actor.start();
  // A foreground ping owns the terminal: the world runs until it finishes, or until the
  // kernel backend would kill it. The kill comes before anything due at the limit itself:
  // the real ping started a moment after its timer did.
  const limitMs = ctx.timeLimitMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const limitAt = started + limitMs;
  const naturalEnd = started + count * opts.intervalMs + opts.lingerMs + 1;
  const finish = (): CommandResult => {
    actor.stop();
    closeSocket();
    if (!done && naturalEnd >= limitAt) {
      world.scheduler.now = Math.max(world.scheduler.now, limitAt);
      // Killed: no statistics; iputils flushed each line as it went.
      throw new TimedOut(limitMs, o.stdout, o.stderr);
    }
    return statistics();
  };
  const statistics = (): CommandResult => {
    // Answered probes leave sentAt; those answered by an error or not at all stay.
    const transmitted = sentAt.size + forgotten + received;
    const tx = Math.max(transmitted, 1);
    const loss = ((tx - received) * 100) / tx;
    o.out(`\n--- ${target} ping statistics ---\n`);
    o.out(
      `${tx} packets transmitted, ${received} received, ${errors ? `+${errors} errors, ` : ""}${formatG(loss)}% packet loss, time ${Math.round(lastSend - started)}ms\n`,
    );
    // finish(): the rtt summary and the pipe size share one last line, which may be empty.
    const tail: string[] = [];
    if (received > 0 && timing) tail.push(rtt.line());
    if (pipesize > 1) tail.push(`pipe ${pipesize}`);
    o.out(`${tail.join(", ")}\n`);
    return o.result(received > 0 ? 0 : 1);
  };
  return {
    waiting: {
      until: Math.min(naturalEnd, limitAt - KILL_EPSILON_MS),
      done: () => done,
      finish,
    },
  };
}

/** Probes remembered for their answers (iputils' rcvd_tbl holds 0x10000). */
const SEQ_WINDOW = 0x10000;

/** How far before the limit the simulated kill lands (virtual ms). */
const KILL_EPSILON_MS = 1e-6;

/**
 * The rtt summary in constant memory, as iputils keeps it (tmin, tmax, tsum, tsum2):
 * a ping without -c may answer for as long as it runs.
 */
export class RttSummary {
  private n = 0;
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private sum2 = 0;

  add(ms: number): void {
    this.n++;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    this.sum += ms;
    this.sum2 += ms * ms;
  }

  line(): string {
    const avg = this.sum / this.n;
    const mdev = Math.sqrt(Math.max(0, this.sum2 / this.n - avg * avg));
    return `rtt min/avg/max/mdev = ${this.min.toFixed(3)}/${avg.toFixed(3)}/${this.max.toFixed(3)}/${mdev.toFixed(3)} ms`;
  }
}

/** printf's %g for a percentage. */
function formatG(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(6)));
}
