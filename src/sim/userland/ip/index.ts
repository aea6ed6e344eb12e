// `ip` (iproute2 6.1): global options, then the object (netns, link, addr, route, rule,
// neigh) and its command. Objects and options may be abbreviated as iproute2 allows.
import { KernelError, STRERROR } from "../../kernel/netlink/index.js";
import type { CommandResult } from "../../../backend.js";
import { Exit, Output, type ProgramContext } from "../program.js";
import { die, matches, notSimulated, type IpContext, type IpOptions } from "./context.js";
import { ipAddr } from "./addr.js";
import { ipLink } from "./link.js";
import { ipNeigh } from "./neigh.js";
import { ipNetns } from "./netns.js";
import { ipRoute } from "./route.js";
import { ipRule } from "./rule.js";

type ObjectHandler = (c: IpContext, args: string[]) => void;

// iproute2's cmds[] order decides which object an abbreviation means.
const OBJECTS: [string, ObjectHandler][] = [
  ["address", ipAddr],
  ["link", ipLink],
  ["neighbor", ipNeigh],
  ["neighbour", ipNeigh],
  ["route", ipRoute],
  ["rule", ipRule],
  ["netns", ipNetns],
];

// Every object of iproute2 6.1's ip, in its cmds[] order (which decides abbreviations);
// those without a handler above are not simulated.
const IP_OBJECTS = [
  "address",
  "addrlabel",
  "maddress",
  "route",
  "rule",
  "neighbor",
  "neighbour",
  "ntable",
  "ntbl",
  "link",
  "l2tp",
  "fou",
  "ila",
  "macsec",
  "tunnel",
  "tunl",
  "tuntap",
  "tap",
  "token",
  "tcpmetrics",
  "tcp_metrics",
  "monitor",
  "xfrm",
  "mroute",
  "mrule",
  "netns",
  "netconf",
  "vrf",
  "sr",
  "nexthop",
  "mptcp",
  "ioam",
  "stats",
  "help",
];

// ip's global options the simulator does not model, as [name, shortest accepted form].
const UNMODELLED_OPTIONS: [string, number][] = [
  ["-loops", 2],
  ["-resolve", 2],
  ["-timestamp", 2],
  ["-tshort", 3],
  ["-Version", 2],
  ["-force", 2],
  ["-human-readable", 2],
  ["-iec", 4],
  ["-rcvbuf", 3],
  ["-help", 3],
  ["-Numeric", 2],
  ["-all", 2],
];

/** Accepted by the real ip (ip.c main), not by the simulator: -c/-color, -r, -t, ... */
function isUnmodelledOption(opt: string): boolean {
  if (["-B", "-M", "-0"].includes(opt)) return true;
  // matches_color: -c, -color, -colour, optionally =always|auto|never.
  const colour = opt.split("=")[0]!;
  if (colour.length >= 2 && ("-color".startsWith(colour) || "-colour".startsWith(colour)))
    return true;
  return UNMODELLED_OPTIONS.some(([name, min]) => opt.length >= min && matches(opt, name));
}

export function ip(ctx: ProgramContext): CommandResult {
  const o = new Output();
  const opts: IpOptions = {
    json: false,
    pretty: false,
    brief: false,
    oneline: false,
    details: false,
    stats: false,
    statsLevel: 0,
    family: undefined,
  };
  const c: IpContext = {
    world: ctx.world,
    ns: ctx.ns,
    opts,
    o,
    ...(ctx.env?.noNetAdmin ? { unprivileged: true } : {}),
  };
  const args = [...ctx.args];
  try {
    while (args.length > 0 && args[0]!.startsWith("-")) {
      let opt = args.shift()!;
      if (opt === "--") break;
      if (opt.startsWith("--")) opt = opt.slice(1);
      if (opt === "-4") opts.family = "inet";
      else if (opt === "-6") opts.family = "inet6";
      else if (matches(opt, "-json") && opt.length >= 2) opts.json = true;
      else if (matches(opt, "-pretty") && opt.length >= 2) opts.pretty = true;
      else if (matches(opt, "-brief") && opt.length >= 3) opts.brief = true;
      else if (matches(opt, "-oneline") && opt.length >= 2) opts.oneline = true;
      else if (matches(opt, "-details") && opt.length >= 2) opts.details = true;
      else if (matches(opt, "-statistics") && opt.length >= 2) {
        opts.stats = true;
        opts.statsLevel++;
      } else if (matches(opt, "-netns") && opt.length >= 2) {
        const name = args.shift();
        if (name === undefined) die(c, 'Command line is not complete. Try option "help"', 255);
        // A container's mount namespace has no /run/netns (the host's names are not there).
        const target = c.unprivileged ? undefined : ctx.world.netns(name);
        if (!target)
          die(c, `Cannot open network namespace "${name}": No such file or directory`, 255);
        c.ns = target;
      } else if (matches(opt, "-family") && opt.length >= 2) {
        const f = args.shift();
        if (f === "inet") opts.family = "inet";
        else if (f === "inet6") opts.family = "inet6";
        else if (f === "link" || f === "bridge" || f === "mpls") notSimulated(c, `ip -family ${f}`);
        else die(c, `Error: argument "${f}" is wrong: invalid protocol family`, 255);
      } else if (isUnmodelledOption(opt)) {
        notSimulated(c, `ip ${opt}`);
      } else {
        die(c, `Option "${opt}" is unknown, try "ip -help".`, 255);
      }
    }
    const obj = args.shift();
    if (obj === undefined) die(c, "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }", 255);
    const real = IP_OBJECTS.find((name) => matches(obj, name));
    const handler = OBJECTS.find(([name]) => name === real)?.[1];
    if (real !== undefined && !handler) notSimulated(c, `ip ${real}`);
    // do_cmd returns EXIT_FAILURE for an unknown object.
    if (!handler) die(c, `Object "${obj}" is unknown, try "ip help".`, 1);
    handler(c, args);
    return o.result(0);
  } catch (e) {
    if (e instanceof Exit) return o.result(e.code);
    if (e instanceof KernelError) return rtnlFailure(o, e);
    throw e;
  }
}

/** How iproute2 reports a failed netlink request: the extack text, else strerror (exit 2). */
export function rtnlFailure(o: Output, e: KernelError): CommandResult {
  if (e.extack) o.err(`Error: ${e.extack}.\n`);
  else o.err(`RTNETLINK answers: ${STRERROR[e.errno]}\n`);
  return o.result(2);
}
