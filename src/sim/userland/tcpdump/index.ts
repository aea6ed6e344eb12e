// `tcpdump -ni IF [-c N] [-e] [-l] [EXPR] &` (tcpdump 4.99.3): a capture on a packet
// socket (netlink's packetSocket) in the background; `kill %N` (kill.ts) ends it and
// prints what it printed. With -c N it ends by itself after N packets. What the real one
// needs and the simulator does not model (name lookups without -n, -v, another link
// type) is refused as not simulated.
import type { CommandResult } from "../../../backend.js";
import { tcpdumpOptions } from "../../../script/programs/tcpdump.js";
import {
  isMulticastMac,
  packetSocket,
  type Frame,
  type NetDevice,
  type TapDirection,
} from "../../kernel/netlink/index.js";
import { addCapture, currentJob } from "../jobs.js";
import { notSimulatedResult } from "../not-simulated.js";
import { Output, type ProgramContext } from "../program.js";
import { compileFilter, FilterError, type Match } from "./filter.js";
import { etherLine, plainLine, timestamp, type TcpSeqs } from "./format.js";

interface TcpdumpOpts {
  iface: string;
  count?: number;
  ether: boolean;
  expression: string[];
}

const FLAGS_OK = new Set(["n", "l", "e", "i", "c"]);
const LONG_OK = new Set(["--immediate-mode", "--line-buffered"]);

function parse(args: readonly string[], o: Output): TcpdumpOpts | CommandResult {
  const { options, expression, long } = tcpdumpOptions(args);
  let numeric = false;
  let iface: string | undefined;
  let count: number | undefined;
  let ether = false;
  for (const l of long) if (!LONG_OK.has(l)) return notSimulatedResult(`tcpdump ${l}`);
  for (const [f, v] of options) {
    if (!FLAGS_OK.has(f)) return notSimulatedResult(`tcpdump -${f}`);
    if (f === "n") numeric = true;
    if (f === "e") ether = true;
    if (f === "i") iface = v;
    if (f === "c") {
      if (v === undefined || !/^\d+$/.test(v) || Number(v) <= 0) {
        o.err(`tcpdump: invalid packet count ${v ?? ""}\n`);
        return o.result(1);
      }
      count = Number(v);
    }
  }
  if (!numeric) return notSimulatedResult("tcpdump without -n (it looks names up)");
  if (iface === undefined) return notSimulatedResult("tcpdump without -i IF");
  if (iface === "any" && ether) return notSimulatedResult("tcpdump -i any -e");
  return { iface, ether, expression, ...(count !== undefined ? { count } : {}) };
}

/** The device's check in pcap_activate: it exists and is up. */
function openError(ctx: ProgramContext, iface: string): string | undefined {
  if (iface === "any") return undefined;
  const dev = ctx.ns.byName(iface);
  if (dev === undefined) {
    return `tcpdump: ${iface}: No such device exists\n(No such device exists)\n`;
  }
  if (!dev.adminUp) return `tcpdump: ${iface}: That device is not up\n`;
  return undefined;
}

/** Packet direction as the cooked (SLL2) header of `-i any` names it. */
function direction(dev: NetDevice, f: Frame, dir: TapDirection): string {
  if (dir === "out") return "Out";
  if (f.dst === "ff:ff:ff:ff:ff:ff") return "B  ";
  if (isMulticastMac(f.dst)) return "M  ";
  return f.dst === dev.mac ? "In " : "P  ";
}

export function tcpdump(ctx: ProgramContext): CommandResult {
  const o = new Output();
  const job = currentJob(ctx.world);
  const opts = parse(ctx.args, o);
  if (!("iface" in opts)) return finished(ctx, job, opts);
  let match: Match;
  try {
    match = compileFilter(opts.expression);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    if (e.notSimulated) return finished(ctx, job, notSimulatedResult(e.message));
    o.err(`tcpdump: ${e.message}\n`);
    return finished(ctx, job, o.result(1));
  }
  const failed = openError(ctx, opts.iface);
  if (failed !== undefined) {
    o.err(failed);
    return finished(ctx, job, o.result(1));
  }
  const any = opts.iface === "any";
  if (any) o.err("tcpdump: data link type LINUX_SLL2\n");
  o.err("tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n");
  o.err(
    any
      ? "listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n"
      : `listening on ${opts.iface}, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n`,
  );
  const { world, ns } = ctx;
  const seqs: TcpSeqs = new Map();
  let captured = 0;
  let close: (() => void) | undefined;
  const stop = (): void => {
    if (close === undefined) return;
    close();
    close = undefined;
    // tcpdump's PLURAL_SUFFIX: "1 packet captured".
    const n = `${captured} packet${captured === 1 ? "" : "s"}`;
    o.err(`${n} captured\n${n} received by filter\n`);
    o.err("0 packets dropped by kernel\n");
  };
  close = packetSocket(world, (dev, frame, dir) => {
    if (dev.ns !== ns || (!any && dev.name !== opts.iface)) return;
    // libpcap skips what the loopback sends: its copy comes back as received.
    if (dir === "out" && dev.kind === "loopback") return;
    if (!match(frame)) return;
    // ipv4_default_advmss: at most IPV4_MAX_PMTU (65535) less the headers (lo's 65536).
    const mss = Math.min(dev.mtu, 65535) - 40;
    const now = world.scheduler.now;
    const text = opts.ether
      ? etherLine(frame, seqs, mss, now)
      : any
        ? `${dev.name.padEnd(5)} ${direction(dev, frame, dir)} ${plainLine(frame, seqs, mss, now)}`
        : plainLine(frame, seqs, mss, now);
    o.out(`${timestamp(now)} ${text}\n`);
    captured++;
    if (opts.count !== undefined && captured >= opts.count) stop();
  });
  addCapture(world, job, {
    end: () => {
      // Killed (not ended by -c): its signal handler ends the terminal's line first.
      if (close !== undefined) o.out("\n");
      stop();
      return o.result(0);
    },
  });
  return { exit: 0, stdout: "", stderr: "" };
}

/** A capture that ended as it started: `kill %N` prints why. */
function finished(ctx: ProgramContext, job: number, r: CommandResult): CommandResult {
  addCapture(ctx.world, job, { end: () => r });
  return { exit: 0, stdout: "", stderr: "" };
}
