// `brctl` (bridge-utils 1.7.1): `show [BR...]` and `showmacs BR`, read from sysfs (which
// the sandbox mounts for its own namespace, so names come in strcmp order: alphasort in
// the C locale). The commands that change bridges are not simulated: ip link and bridge
// do the same and are.
import type { CommandResult } from "../../backend.js";
import { Bridge } from "../kernel/netlink/index.js";
import { notSimulatedResult } from "./not-simulated.js";
import { Output, type ProgramContext } from "./program.js";

export function brctl(ctx: ProgramContext): CommandResult {
  const [cmd, ...rest] = ctx.args;
  if (cmd === "show") return show(ctx, rest);
  if (cmd === "showmacs" && rest.length >= 1) return showmacs(ctx, rest[0]!);
  if (cmd === undefined) return notSimulatedResult("brctl without a command");
  return notSimulatedResult(`brctl ${cmd}`);
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** br_cmd_show: every name is checked first (errors on stderr, exit 1), then printed. */
function show(ctx: ProgramContext, names: string[]): CommandResult {
  const o = new Output();
  let bridges: Bridge[];
  let exit = 0;
  if (names.length === 0) {
    bridges = ctx.ns
      .deviceList()
      .filter((d): d is Bridge => d instanceof Bridge)
      .sort((a, b) => byName(a.name, b.name));
  } else {
    bridges = [];
    for (const n of names) {
      const d = ctx.ns.byName(n);
      if (d instanceof Bridge) bridges.push(d);
      else {
        o.err(d === undefined ? `bridge ${n} does not exist!\n` : `device ${n} is not a bridge!\n`);
        exit = 1;
      }
    }
  }
  // The header comes with the first bridge: none, nothing printed.
  if (bridges.length === 0) return o.result(exit);
  o.out("bridge name\tbridge id\t\tSTP enabled\tinterfaces\n");
  for (const br of bridges) {
    const ports = br.ports.map((p) => p.dev.name).sort(byName);
    o.out(`${br.name}\t\t${bridgeId(br)}\t${br.options.stpState !== 0 ? "yes" : "no"}\t\t`);
    o.out(ports.join("\n\t\t\t\t\t\t\t") + "\n");
  }
  return o.result(exit);
}

/** br_dump_bridge_id: the priority's two bytes, then the MAC's six, in hex. */
function bridgeId(br: Bridge): string {
  const prio = br.options.priority.toString(16).padStart(4, "0");
  return `${prio}.${br.bridgeIdMac.replaceAll(":", "")}`;
}

/**
 * br_cmd_showmacs: the forwarding table from sysfs (br_fdb_fillbuf: not the bridge's own
 * entry, not expired ones), sorted by MAC; the timer is how long ago a learned entry was
 * last refreshed, in seconds with two decimals.
 */
function showmacs(ctx: ProgramContext, name: string): CommandResult {
  const o = new Output();
  const br = ctx.ns.byName(name);
  if (!(br instanceof Bridge)) {
    o.err(
      `read of forward table failed: ${br === undefined ? "No such device" : "Operation not supported"}\n`,
    );
    return o.result(1);
  }
  const now = ctx.world.scheduler.now;
  const rows = br.fdb
    .filter((e) => e.dev !== br && (e.local || now - e.updated < br.ageingMs))
    .sort((a, b) => byName(a.mac, b.mac));
  o.out("port no\tmac addr\t\tis local?\tageing timer\n");
  for (const e of rows) {
    const no = br.port(e.dev)?.no ?? 0;
    const cs = e.local ? 0 : Math.floor((now - e.updated) / 10);
    const timer = `${String(Math.floor(cs / 100)).padStart(4)}.${String(cs % 100).padStart(2, "0")}`;
    o.out(`${String(no).padStart(3)}\t${e.mac}\t${e.local ? "yes" : "no"}\t\t${timer}\n`);
  }
  return o.result(0);
}
