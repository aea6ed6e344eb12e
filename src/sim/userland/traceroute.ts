// `traceroute` (Dmitry Butskoy's traceroute 2.1.2, Debian's) with its default UDP method,
// ICMP echo probes (-I, answered by the destination's echo reply) or TCP SYN probes (-T,
// -p PORT; answered by SYN-ACK or RST): -n, -q N, -w MAX, -m N and a numeric HOST. Probes of rising TTL go out up to 16 at a
// time (-N 16) to ports 33434 and up; routers answer with ICMP time exceeded, the
// destination with port unreachable, which ends the trace. Unanswered probes print `*`
// after -w seconds (the real tool's HERE/NEAR shortcuts, which give up sooner when later
// hops answered, are not modelled: they change how long it takes, not what it prints).
import type { CommandResult } from "../../backend.js";
import {
  KernelError,
  formatIp4,
  packetSocket,
  parseIp4,
  type Ip4,
  type Ipv4Packet,
} from "../kernel/netlink/index.js";
import { notSimulatedResult } from "./not-simulated.js";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "../../backend.js";
import { Output, TimedOut, type ProgramContext, type Waiting } from "./program.js";

const SIM_PROBES = 16;
const BASE_PORT = 33434;
/** 60-byte probes: IP header, UDP header and 32 bytes of data. */
const DATA_LEN = 32;

interface Opts {
  numeric: boolean;
  /** -I: ICMP echo probes (the destination answers with an echo reply). */
  icmp: boolean;
  /** -T: TCP SYN probes to `port` (the destination answers with SYN-ACK or RST). */
  tcp: boolean;
  /** -p: the UDP probes' first port, or the TCP probes' port. */
  port?: number;
  queries: number;
  waitMs: number;
  maxHops: number;
  host: string;
}

/** ICMP destination unreachable codes as traceroute annotates them (print_probe). */
function annotation(code: number, mtu: number | undefined): string {
  switch (code) {
    case 0:
    case 6:
    case 9:
    case 11:
      return " !N";
    case 1:
    case 7:
    case 10:
    case 12:
      return " !H";
    case 2:
      return " !P";
    case 3:
      return "";
    case 4:
      return ` !F-${mtu ?? 0}`;
    case 5:
      return " !S";
    case 13:
      return " !X";
    case 14:
      return " !V";
    case 15:
      return " !C";
    default:
      return ` !<${code}>`;
  }
}

function parseArgs(args: string[]): Opts | CommandResult {
  const o: Opts = {
    numeric: false,
    icmp: false,
    tcp: false,
    queries: 3,
    waitMs: 5000,
    maxHops: 30,
    host: "",
  };
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("-") || a === "-") {
      rest.push(a);
      continue;
    }
    if (a === "-n") {
      o.numeric = true;
      continue;
    }
    if (a === "-4") continue;
    if (a === "-I" || a === "--icmp") {
      o.icmp = true;
      continue;
    }
    if (a === "-T" || a === "--tcp") {
      o.tcp = true;
      continue;
    }
    const m = /^-([qwmp])(.*)$/.exec(a);
    if (!m) return notSimulatedResult(`traceroute ${a}`);
    const v = m[2] !== "" ? m[2]! : args[++i];
    if (v === undefined) return notSimulatedResult(`traceroute ${a} without its value`);
    if (m[1] === "w") {
      // MAX, or MAX,0,0: HERE and NEAR (default 3 and 10) give up on a probe at that many
      // times an answered probe's round trip, shortcuts the simulator does not take; 0,0
      // turns them off, which is what it models.
      const w = /^(\d+(?:\.\d+)?)(?:[,/]0*(?:\.0*)?[,/]0*(?:\.0*)?)?$/.exec(v);
      if (!w || /[,/][,/]|[,/]$/.test(v)) return notSimulatedResult(`traceroute -w ${v}`);
      o.waitMs = Number(w[1]) * 1000;
      continue;
    }
    if (!/^\d+$/.test(v)) return notSimulatedResult(`traceroute -${m[1]} ${v}`);
    const n = Number(v);
    if (m[1] === "p") {
      if (n < 1 || n > 65535) return notSimulatedResult(`traceroute -p ${v}`);
      o.port = n;
    } else if (m[1] === "q") {
      if (n < 1 || n > 10) return fail("no more than 10 probes per hop\n");
      o.queries = n;
    } else {
      if (n < 1) return fail("first hop out of range\n");
      if (n > 255) return fail("max hops cannot be more than 255\n");
      o.maxHops = n;
    }
  }
  if (o.icmp && o.tcp) return notSimulatedResult("traceroute -I with -T");
  if (o.port !== undefined && !o.tcp) return notSimulatedResult("traceroute -p without -T");
  if (rest.length === 0) return notSimulatedResult("traceroute without a host");
  if (rest.length > 1) return notSimulatedResult("traceroute with a packet length");
  o.host = rest[0]!;
  return o;
}

function fail(msg: string): CommandResult {
  return { exit: 2, stdout: "", stderr: msg };
}

interface Probe {
  /** The echo's sequence number with -I. */
  seq: number;
  ttl: number;
  sport: number;
  dport: number;
  sentAt: number;
  done: boolean;
  from?: Ip4;
  rttMs?: number;
  note?: string;
  final?: boolean;
}

export function traceroute(ctx: ProgramContext): CommandResult | Waiting {
  const parsed = parseArgs(ctx.args);
  if ("exit" in parsed) return parsed;
  const opts = parsed;
  const { world, ns } = ctx;
  const dst = parseIp4(opts.host);
  if (dst === undefined) return notSimulatedResult(`traceroute to a name (${opts.host})`);
  let src: Ip4;
  try {
    src = world.ipv4.routeOutput(ns, dst, {}).src;
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return notSimulatedResult("traceroute without a route to its host");
  }
  const o = new Output();
  o.out(
    `traceroute to ${opts.host} (${formatIp4(dst)}), ${opts.maxHops} hops max, ${20 + 8 + DATA_LEN} byte packets\n`,
  );
  const probes: Probe[] = [];
  // -I: the echo id (traceroute's ident, its pid: here a number of the world's own).
  const echoId = world.rng.int(1, 65535);
  let end = opts.maxHops * opts.queries;
  let inFlight = 0;
  // Probes beyond the hop that ended the trace are not waited for.
  const pending = (): boolean => probes.slice(0, end).some((p) => !p.done) || probes.length < end;

  const resolve = (p: Probe): void => {
    if (p.done) return;
    p.done = true;
    inFlight--;
    world.scheduler.at(0, "traceroute next probes", sendMore);
  };
  const sendOne = (): void => {
    const i = probes.length;
    const p: Probe = {
      seq: i + 1,
      ttl: Math.floor(i / opts.queries) + 1,
      sport: 32768 + world.rng.int(0, 28231),
      dport: opts.tcp ? (opts.port ?? 80) : BASE_PORT + i,
      sentAt: world.scheduler.now,
      done: false,
    };
    probes.push(p);
    inFlight++;
    const pkt: Ipv4Packet = {
      proto: "ipv4",
      src,
      dst,
      ttl: p.ttl,
      id: ns.ipId++,
      df: true,
      l4: opts.icmp
        ? { proto: "icmp", type: 8, code: 0, id: echoId, seq: p.seq, dataLen: DATA_LEN }
        : opts.tcp
          ? {
              // A SYN as traceroute's tcp module builds it on a raw socket (MSS,
              // SACK-permitted, timestamps, window scale: 40 bytes, a 60-byte packet).
              proto: "tcp",
              sport: p.sport,
              dport: p.dport,
              flags: { syn: true },
              seq: world.rng.int(0, 0xffffffff),
              ack: 0,
              len: 0,
            }
          : {
              proto: "udp",
              sport: p.sport,
              dport: p.dport,
              payload: { kind: "data", len: DATA_LEN },
            },
    };
    world.scheduler.at(opts.waitMs, "traceroute probe timeout", () => resolve(p));
    try {
      world.ipv4.sendRouted(ns, pkt, world.ipv4.routeOutput(ns, dst, { src }));
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
    }
  };
  function sendMore(): void {
    while (inFlight < SIM_PROBES && probes.length < end) sendOne();
  }
  // Every ICMP message delivered to the namespace reaches the probes' error queues.
  const close = ns.pingSockets.open({
    id: -1,
    onMessage(pkt: Ipv4Packet) {
      const l4 = pkt.l4;
      if (l4.proto !== "icmp") return;
      // -I: the destination's echo reply ends the trace, as a port unreachable does.
      if (l4.type === 0 && "seq" in l4) {
        if (!opts.icmp || l4.id !== echoId) return;
        const p = probes.find((q) => q.seq === l4.seq);
        if (!p || p.done) return;
        p.from = pkt.src;
        p.rttMs = world.scheduler.now - p.sentAt + 0.05;
        p.final = true;
        end = Math.min(end, p.ttl * opts.queries);
        return resolve(p);
      }
      if (l4.type !== 3 && l4.type !== 11) return;
      const inner = l4.original.l4;
      const p = probes.find((q) =>
        opts.icmp
          ? inner.proto === "icmp" && "seq" in inner && inner.id === echoId && inner.seq === q.seq
          : inner.proto === (opts.tcp ? "tcp" : "udp") &&
            "sport" in inner &&
            q.sport === inner.sport &&
            q.dport === inner.dport,
      );
      if (!p || p.done) return;
      p.from = pkt.src;
      p.rttMs = world.scheduler.now - p.sentAt + 0.05;
      if (l4.type === 3) {
        p.final = true;
        p.note = annotation(l4.code, l4.mtu);
        // No probe beyond this hop is needed.
        end = Math.min(end, p.ttl * opts.queries);
      }
      resolve(p);
    },
  });
  // -T: the destination's SYN-ACK or RST, seen as a raw socket sees it (a packet socket
  // here); the namespace's own TCP answers a SYN-ACK with a RST, as the kernel does.
  const closeTcp = opts.tcp
    ? packetSocket(world, (dev, frame, dir) => {
        const pkt = frame.payload;
        if (dir !== "in" || dev.ns !== ns || pkt.proto !== "ipv4" || pkt.dst !== src) return;
        const t = pkt.l4;
        if (t.proto !== "tcp" || pkt.src !== dst || !(t.flags.rst || (t.flags.syn && t.flags.ack)))
          return;
        const p = probes.find((q) => q.sport === t.dport && q.dport === t.sport);
        if (!p || p.done) return;
        p.from = pkt.src;
        p.rttMs = world.scheduler.now - p.sentAt + 0.05;
        p.final = true;
        end = Math.min(end, p.ttl * opts.queries);
        resolve(p);
      })
    : () => {};
  sendMore();

  const limitMs = ctx.timeLimitMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const finish = (): CommandResult => {
    close();
    closeTcp();
    const timedOut = pending();
    const lastHop = Math.ceil(Math.min(end, probes.length) / opts.queries);
    for (let hop = 1; hop <= lastHop; hop++) {
      // Killed at the limit: the hops finished so far were printed, in order.
      if (timedOut && probes.some((q) => q.ttl === hop && !q.done)) break;
      let line = `${String(hop).padStart(2)} `;
      let prev: Ip4 | undefined;
      for (const p of probes.filter((q) => q.ttl === hop)) {
        if (p.from === undefined) {
          line += " *";
          continue;
        }
        if (p.from !== prev) {
          const a = formatIp4(p.from);
          line += opts.numeric ? ` ${a}` : ` ${a} (${a})`;
          prev = p.from;
        }
        line += `  ${p.rttMs!.toFixed(3)} ms${p.note ?? ""}`;
      }
      o.out(`${line}\n`);
    }
    if (timedOut) throw new TimedOut(limitMs, o.stdout, o.stderr);
    return o.result(0);
  };
  return {
    waiting: {
      until:
        world.scheduler.now +
        Math.min(opts.maxHops * opts.queries * opts.waitMs + 1, limitMs - 1e-6),
      done: () => !pending(),
      finish,
    },
  };
}
