// `ip neigh` (iproute2 6.1 ip/ipneigh.c): show/list and flush of the neighbour table,
// with iproute2's filters (dev, nud STATE, to PREFIX), messages and exit codes. The
// kernel side is ipv4/neigh.ts (neigh_dump_info, neigh_delete).
import {
  formatIp4,
  NUD_BITS,
  type NeighEntry,
  type NudState,
  type NetDevice,
  neighFlush,
} from "../../kernel/netlink/index.js";
import { Exit } from "../program.js";
import {
  die,
  duparg,
  flushing,
  incomplete,
  invarg,
  matches,
  notSimulated,
  type IpContext,
} from "./context.js";
import { Printer } from "./print.js";
import { getPrefix, prefixMatch, strtoul, type InetPrefix } from "./route-args.js";

/** `ip neigh help` as iproute2 6.1 prints it (to stderr, exit 255). */
const NEIGH_USAGE =
  [
    "Usage: ip neigh { add | del | change | replace }",
    "                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }",
    "                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]",
    "                [ protocol PROTO ]",
    "",
    "\tip neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]",
    "\t\t\t\t  [ vrf NAME ] [ nomaster ]",
    "\tip neigh get { ADDR | proxy ADDR } dev DEV",
    "",
    "STATE := { delay | failed | incomplete | noarp | none |",
    "           permanent | probe | reachable | stale }",
  ].join("\n") + "\n";

function usage(c: IpContext): never {
  c.o.err(NEIGH_USAGE);
  throw new Exit(255);
}

function unsupported(c: IpContext, what: string): never {
  return notSimulated(c, `ip neigh ${what}`);
}

function next(c: IpContext, args: string[], i: number): string {
  const v = args[i + 1];
  if (v === undefined) incomplete(c);
  return v;
}

export function ipNeigh(c: IpContext, args: string[]): void {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return showOrFlush(c, [], false);
  if (
    matches(cmd, "add") ||
    matches(cmd, "change") ||
    cmd === "chg" ||
    matches(cmd, "replace") ||
    matches(cmd, "delete")
  ) {
    unsupported(c, cmd);
  }
  if (matches(cmd, "get")) unsupported(c, cmd);
  if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list"))
    return showOrFlush(c, rest, false);
  if (matches(cmd, "flush")) return showOrFlush(c, rest, true);
  if (matches(cmd, "help")) usage(c);
  die(c, `Command "${cmd}" is unknown, try "ip neigh help".`, 255);
}

const NUD_NONE_FILTER = 0x100;
const ALL_STATES = 0xffffffff;

/** nud_state_a2n: a state name (some abbreviable) or a single-bit number. */
function nudState(s: string): number | undefined {
  if (matches(s, "permanent")) return NUD_BITS.PERMANENT;
  if (matches(s, "reachable")) return NUD_BITS.REACHABLE;
  if (s === "noarp") return NUD_BITS.NOARP;
  if (s === "none") return 0;
  if (s === "stale") return NUD_BITS.STALE;
  if (s === "incomplete") return NUD_BITS.INCOMPLETE;
  if (s === "delay") return NUD_BITS.DELAY;
  if (s === "probe") return NUD_BITS.PROBE;
  if (matches(s, "failed")) return NUD_BITS.FAILED;
  const v = strtoul(s);
  if (v === undefined || v >= 0x100 || (v & (v - 1)) !== 0) return undefined;
  return v;
}

interface NeighFilter {
  dev?: NetDevice;
  state: number;
  pfx?: InetPrefix;
  proxy: boolean;
  protocol: boolean;
}

function selected(c: IpContext, e: NeighEntry, f: NeighFilter): boolean {
  if (f.proxy || f.protocol) return false;
  if (f.pfx?.family === "inet6") return false;
  if (f.dev && e.dev !== f.dev) return false;
  if (!(f.state & NUD_BITS[c.ns.neigh.state(e)])) return false;
  if (f.pfx && f.pfx.family && f.pfx.bitlen > 0 && !prefixMatch(e.ip, f.pfx.addr, f.pfx.bitlen))
    return false;
  return true;
}

/** do_show_or_flush. */
function showOrFlush(c: IpContext, args: string[], flush: boolean): void {
  if (flush && args.length === 0) die(c, "Flush requires arguments.", 1);
  // Without a nud filter: everything but NOARP when showing, all but PERMANENT/NOARP when flushing.
  const f: NeighFilter = {
    state: flush ? ~(NUD_BITS.PERMANENT | NUD_BITS.NOARP) >>> 0 : 0xff & ~NUD_BITS.NOARP,
    proxy: false,
    protocol: false,
  };
  let devName: string | undefined;
  let stateGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "dev") {
      const v = next(c, args, i++);
      if (devName !== undefined) duparg(c, "dev", v);
      devName = v;
    } else if (a === "master" || a === "vrf" || a === "unused" || a === "nomaster") {
      unsupported(c, `show ${a}`);
    } else if (a === "nud") {
      const v = next(c, args, i++);
      if (!stateGiven) {
        stateGiven = true;
        f.state = 0;
      }
      let st = nudState(v);
      if (st === undefined) {
        if (v !== "all") invarg(c, "nud state is bad", v);
        st = ALL_STATES;
        if (flush) st &= ~NUD_BITS.NOARP;
      }
      if (st === 0) st = NUD_NONE_FILTER;
      f.state = (f.state | st) >>> 0;
    } else if (a === "proxy") {
      f.proxy = true;
    } else if (matches(a, "protocol")) {
      const v = next(c, args, i++);
      if (v !== "all") f.protocol = true;
    } else {
      let w = a;
      if (w === "to") w = next(c, args, i++);
      if (matches(w, "help")) usage(c);
      f.pfx = getPrefix(c, w, c.opts.family);
    }
  }
  if (devName !== undefined) {
    f.dev = c.ns.byName(devName);
    if (!f.dev) die(c, `Cannot find device "${devName}"`, 1);
  }
  if (c.opts.family === "inet6") f.proxy = true; // no IPv6 neighbours are modelled
  const table = c.ns.neigh;
  if (flush) {
    // Up to MAX_ROUNDS dumps; FAILED entries only count in the first.
    for (let round = 0; round < 10; round++) {
      const n = flushing(c, 1, () => neighFlush(c.ns, (e) => selected(c, e, f)));
      if (n === 0) {
        if (c.opts.stats) {
          c.o.out(
            round === 0
              ? "Nothing to flush.\n"
              : `*** Flush is complete after ${round} round${round > 1 ? "s" : ""} ***\n`,
          );
        }
        return;
      }
      if (c.opts.stats) c.o.out(`\n*** Round ${round + 1}, deleting ${n} entries ***\n`);
      f.state &= ~NUD_BITS.FAILED;
    }
    c.o.out("*** Flush not complete bailing out after 10 rounds\n");
    throw new Exit(1);
  }
  if (c.opts.stats) unsupported(c, "show with -s (timers and reference counts)");
  const p = new Printer(c.opts.json, c.opts.pretty, c.opts.oneline);
  p.begin();
  for (const e of table.list()) {
    if (!selected(c, e, f)) continue;
    printNeigh(p, e, table.state(e), table.isValid(e), f.dev === undefined);
  }
  c.o.out(p.end());
}

/** print_neigh. */
function printNeigh(
  p: Printer,
  e: NeighEntry,
  state: NudState,
  valid: boolean,
  showDev: boolean,
): void {
  p.openObject();
  const dst = formatIp4(e.ip);
  p.str("dst", `${dst} `, dst);
  if (showDev) p.str("dev", `dev ${e.dev.name} `, e.dev.name);
  if (valid && e.lladdr) p.str("lladdr", `lladdr ${e.lladdr} `, e.lladdr);
  p.openArray("state", "");
  p.str(null, `${state} `, state);
  p.closeArray("");
  p.fp("\n");
  p.closeObject();
}
