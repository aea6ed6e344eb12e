// `bridge` (iproute2 6.1): `link [show] [dev X]`, `link set dev X hairpin on|off`, and
// `fdb [show] [br B] [brport|dev X] [vlan V] [state S] [dynamic]` (bridge-fdb.ts), with -d and -j.
import type { CommandResult } from "../../backend.js";
import { type NetDevice, type NetNs, Bridge, Veth, brportSet } from "../kernel/netlink/index.js";
import { fdb } from "./bridge-fdb.js";
import { linkFlags } from "./link-flags.js";
import { NOT_SIMULATED_EXIT, notSimulatedText } from "./not-simulated.js";
import { Exit, Output, type ProgramContext } from "./program.js";

interface Opts {
  details: boolean;
  json: boolean;
  ns: NetNs;
}

const matches = (w: string | undefined, k: string): boolean =>
  w !== undefined && w.length > 0 && k.startsWith(w);

// bridge (iproute2 6.1) objects after link and fdb, and global options, that the
// simulator does not model (bridge.c; "-c" is -color there, as matches_color comes first).
const OBJECTS = ["mdb", "vlan", "vni", "monitor", "help"];
const UNMODELLED_OPTIONS = [
  "-help",
  "-Version",
  "-stats",
  "-oneline",
  "-timestamp",
  "-family",
  "-color",
  "-colour",
  "-compressvlans",
  "-force",
  "-pretty",
];

function fail(o: Output, msg: string, code = 255): never {
  o.err(`${msg}\n`);
  throw new Exit(code);
}

export function bridge(ctx: ProgramContext): CommandResult {
  const o = new Output();
  const opts: Opts = { details: false, json: false, ns: ctx.ns };
  const args = [...ctx.args];
  try {
    while (args[0]?.startsWith("-")) {
      const a = args.shift()!.replace(/^--/, "-");
      if (matches(a, "-details") && a.length >= 2) opts.details = true;
      else if (matches(a, "-json") && a.length >= 2) opts.json = true;
      else if (matches(a, "-netns") && a.length >= 2) {
        const name = args.shift();
        const target = name === undefined ? undefined : ctx.world.netns(name);
        if (!target) fail(o, `Cannot open network namespace "${name}": No such file or directory`);
        opts.ns = target;
      } else if (
        a === "-4" ||
        a === "-6" ||
        UNMODELLED_OPTIONS.some((n) => matches(a.split("=")[0], n))
      ) {
        o.err(notSimulatedText(`bridge ${a}`));
        throw new Exit(NOT_SIMULATED_EXIT);
      } else fail(o, `Option "${a}" is unknown, try "bridge help".`);
    }
    const obj = args.shift();
    if (obj === undefined) fail(o, "Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }");
    if (matches(obj, "link")) link(o, opts, args);
    else if (matches(obj, "fdb")) fdb(o, opts.ns, opts.json, args);
    else if (OBJECTS.some((n) => matches(obj, n))) {
      o.err(notSimulatedText(`bridge ${OBJECTS.find((n) => matches(obj, n))}`));
      throw new Exit(NOT_SIMULATED_EXIT);
    } else fail(o, `Object "${obj}" is unknown, try "bridge help".`);
    return o.result(0);
  } catch (e) {
    if (e instanceof Exit) return o.result(e.code);
    throw e;
  }
}

/** `@peer`: bridge resolves the link index in the namespace it looks from, whatever it names. */
function linkPeer(dev: NetDevice, ns: NetNs): { name: string; down: boolean } | undefined {
  if (!(dev instanceof Veth)) return undefined;
  const idx = dev.peer.ifindex;
  // rtnl_fill_ifinfo sends no IFLA_LINK when the link index equals the device's own.
  if (idx === dev.ifindex) return undefined;
  const there = ns.devices.get(idx);
  if (dev.peer.ns === ns) return { name: dev.peer.name, down: !dev.peer.adminUp };
  // ll_index_to_flags returns -1 (every flag, so "up") for an index it does not know.
  return there ? { name: there.name, down: !there.adminUp } : { name: `if${idx}`, down: false };
}

function link(o: Output, opts: Opts, args: string[]): void {
  let cmd = args.shift() ?? "show";
  let dev: string | undefined;
  if (matches(cmd, "set")) return linkSet(o, opts, args);
  if (!(matches(cmd, "show") || matches(cmd, "list") || cmd === "lst")) {
    args.unshift(cmd);
    cmd = "show";
  }
  while (args.length > 0) {
    const a = args.shift()!;
    if (a === "dev") {
      dev = args.shift();
      if (dev === undefined) fail(o, 'Command line is not complete. Try option "help"');
    }
  }
  if (dev !== undefined && !opts.ns.byName(dev)) fail(o, `Cannot find device "${dev}"`);
  const ports = opts.ns
    .deviceList()
    .filter((d) => d.master instanceof Bridge && (dev === undefined || d.name === dev));
  const json: object[] = [];
  for (const d of ports) {
    const br = d.master as Bridge;
    const p = br.port(d)!;
    const state = br.portState(p);
    const peer = linkPeer(d, opts.ns);
    const flags = linkFlags(d, peer?.down ?? false);
    if (opts.json) {
      json.push({
        ifindex: d.ifindex,
        ...(peer ? { link: peer.name } : {}),
        ifname: d.name,
        flags,
        mtu: d.mtu,
        master: br.name,
        state,
        priority: p.priority,
        cost: p.cost,
        ...(opts.details ? portDetailsJson(d) : {}),
      });
      continue;
    }
    o.out(
      `${d.ifindex}: ${d.name}${peer ? `@${peer.name}` : ""}: <${flags.join(",")}> mtu ${d.mtu} master ${br.name} state ${state} priority ${p.priority} cost ${p.cost} \n`,
    );
    if (opts.details) {
      o.out(
        `    hairpin ${d.hairpin ? "on" : "off"} guard off root_block off fastleave off learning on flood on mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off \n`,
      );
    }
  }
  if (opts.json) o.out(`${JSON.stringify(json)}\n`);
}

function portDetailsJson(d: NetDevice): object {
  return {
    hairpin: d.hairpin,
    guard: false,
    root_block: false,
    fastleave: false,
    learning: true,
    flood: true,
    mcast_flood: true,
    bcast_flood: true,
    mcast_router: 1,
    mcast_to_unicast: false,
    neigh_suppress: false,
    vlan_tunnel: false,
    isolated: false,
    locked: false,
  };
}

function linkSet(o: Output, opts: Opts, args: string[]): void {
  let dev: NetDevice | undefined;
  let hairpin: boolean | undefined;
  while (args.length > 0) {
    const a = args.shift()!;
    if (a === "dev") {
      const name = args.shift();
      dev = name === undefined ? undefined : opts.ns.byName(name);
      if (!dev) fail(o, `Cannot find device "${name}"`);
    } else if (a === "hairpin") {
      const v = args.shift();
      if (v !== "on" && v !== "off")
        fail(o, `Error: argument of "hairpin" must be "on" or "off", not "${v}"`);
      hairpin = v === "on";
    } else fail(o, `Unknown option "${a}"`);
  }
  if (!dev) fail(o, "Device is a required argument");
  if (!(dev.master instanceof Bridge)) fail(o, "RTNETLINK answers: Operation not supported", 255);
  if (hairpin !== undefined) brportSet(dev, { hairpin });
}
