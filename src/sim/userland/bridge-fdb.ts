// `bridge fdb` (iproute2 6.1, bridge/fdb.c): `show` with its filters `br`, `brport`/`dev`,
// `vlan`, `state`, `dynamic`, filtered as rtnl_fdb_dump and print_fdb filter them. The
// other commands (add, del, get, flush, ...) change or query entries the simulator does not
// let a script make, so they are refused as not simulated.
import {
  type NetDevice,
  type NetNs,
  multicastList,
  Bridge,
  Vxlan,
  formatIp4,
} from "../kernel/netlink/index.js";
import { NOT_SIMULATED_EXIT, notSimulatedText } from "./not-simulated.js";
import { Exit, type Output } from "./program.js";

// ndm_state bits (include/uapi/linux/neighbour.h).
const NUD_REACHABLE = 0x02;
const NUD_STALE = 0x04;
const NUD_NOARP = 0x40;
const NUD_PERMANENT = 0x80;

const FDB_USAGE =
  "Usage: bridge fdb { add | append | del | replace } ADDR dev DEV\n" +
  "              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]\n" +
  "              [ sticky ] [ local | static | dynamic ] [ vlan VID ]\n" +
  "              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }\n" +
  "\t       [ via DEV ] [ src_vni VNI ]\n" +
  "       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]\n" +
  "              [ state STATE ] [ dynamic ] ]\n" +
  "       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV\n" +
  "              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]\n" +
  "       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]\n" +
  "              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]\n" +
  "              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]\n" +
  "              [ [no]offloaded ]\n";

/** iproute2's matches(): W is a non-empty prefix of K. */
const matches = (w: string, k: string): boolean => w.length > 0 && k.startsWith(w);

function fail(o: Output, msg: string): never {
  o.err(`${msg}\n`);
  throw new Exit(255);
}

function usage(o: Output): never {
  o.err(FDB_USAGE);
  throw new Exit(255);
}

function notSimulated(o: Output, what: string): never {
  o.err(notSimulatedText(what));
  throw new Exit(NOT_SIMULATED_EXIT);
}

/** do_fdb: the command words in the order bridge tries them (prefixes, but "flush" whole). */
export function fdb(o: Output, ns: NetNs, json: boolean, args: string[]): void {
  const cmd = args.shift();
  if (cmd === undefined) return fdbShow(o, ns, json, []);
  const modify = ["add", "append", "replace", "delete", "get"].find((c) => matches(cmd, c));
  if (modify) notSimulated(o, `bridge fdb ${modify}`);
  if (matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list"))
    return fdbShow(o, ns, json, args);
  if (cmd === "flush") notSimulated(o, "bridge fdb flush");
  if (matches(cmd, "help")) usage(o);
  fail(o, `Command "${cmd}" is unknown, try "bridge fdb help".`);
}

/** state_a2n: a name (prefixes), "all", or a number as strtoul reads one with base 0. */
function stateA2n(arg: string): number | undefined {
  if (matches(arg, "permanent")) return NUD_PERMANENT;
  if (matches(arg, "static") || matches(arg, "temp")) return NUD_NOARP;
  if (matches(arg, "stale")) return NUD_STALE;
  if (matches(arg, "reachable") || matches(arg, "dynamic")) return NUD_REACHABLE;
  if (arg === "all") return 0xffffffff;
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(arg);
  if (!m) return undefined;
  const n = Number(m[2]!.startsWith("0") && !/^0[xX]/.test(m[2]!) ? parseInt(m[2]!, 8) : m[2]);
  // strtoul negates a "-N" into unsigned long: above UINT_MAX unless N is 0.
  if (m[1] === "-" && n !== 0) return undefined;
  return n > 0xffffffff ? undefined : n;
}

/** atoi, then stored in an unsigned int: "abc" is 0 (no filter), "-1" never matches. */
function atoiUnsigned(arg: string): number {
  const m = /^\s*([+-]?\d+)/.exec(arg);
  return m ? Number(m[1]) >>> 0 : 0;
}

/** ll_name_to_index: a device's name, else "ifN" read as index N whether or not it exists. */
function nameToIndex(ns: NetNs, name: string): number {
  const d = ns.byName(name);
  if (d) return d.ifindex;
  const m = /^if(\d+)/.exec(name);
  return m ? Number(m[1]) >>> 0 : 0;
}

interface Row {
  mac: string;
  dev: NetDevice;
  master?: string;
  self: boolean;
  state: number;
  dst?: string;
  /** NDA_IFINDEX: the vxlan remote's lower device. */
  via?: string;
}

function fdbShow(o: Output, ns: NetNs, json: boolean, args: string[]): void {
  let filterDev: string | undefined;
  let br: string | undefined;
  let filterVlan = 0;
  let filterState = 0;
  let filterDynamic = false;
  while (args.length > 0) {
    const a = args.shift()!;
    const next = (): string => {
      const v = args.shift();
      if (v === undefined) fail(o, 'Command line is not complete. Try option "help"');
      return v;
    };
    if (a === "brport" || a === "dev") filterDev = next();
    else if (a === "br") br = next();
    else if (a === "vlan") {
      const v = next();
      if (filterVlan !== 0) fail(o, `Error: duplicate "vlan": "${v}" is the second value.`);
      filterVlan = atoiUnsigned(v);
    } else if (a === "state") {
      const v = next();
      const s = stateA2n(v);
      if (s === undefined) fail(o, `Error: argument "${v}" is wrong: invalid state`);
      filterState = (filterState | s) >>> 0;
    } else if (a === "dynamic") filterDynamic = true;
    // fdb_show skips any other word (self, master, static, port ...) without a word.
    else if (matches(a, "help")) usage(o);
  }
  let brIndex = 0;
  if (br !== undefined) {
    brIndex = nameToIndex(ns, br);
    if (brIndex === 0) fail(o, `Cannot find bridge device "${br}"`);
  }
  let devIndex = 0;
  if (filterDev !== undefined) {
    devIndex = nameToIndex(ns, filterDev);
    if (devIndex === 0) fail(o, `Cannot find device "${filterDev}"`);
  }
  const brDev = brIndex ? ns.devices.get(brIndex) : undefined;
  const rows = dump(ns, brIndex, brDev, devIndex).filter(
    (r) =>
      (filterState === 0 || (r.state & filterState) !== 0) &&
      // The simulated bridge has no VLANs (vlan_filtering 0): every entry has VID 0.
      filterVlan === 0 &&
      !(filterDynamic && r.state & NUD_PERMANENT),
  );
  print(o, rows, json, devIndex !== 0);
}

/** rtnl_fdb_dump: per device in index order, the bridge's entries for a port, then its own. */
function dump(ns: NetNs, brIndex: number, brDev: NetDevice | undefined, devIndex: number): Row[] {
  const rows: Row[] = [];
  for (const d of ns.deviceList()) {
    if (d.kind === "loopback") continue;
    if (devIndex && d.ifindex !== devIndex) continue;
    // With a bridge named, only it and its ports: a name that is no bridge shows nothing.
    if (brIndex && !((d === brDev && d instanceof Bridge) || (brDev && d.master === brDev)))
      continue;
    const master = d.master instanceof Bridge ? d.master : undefined;
    if (master) {
      for (const e of master.entries())
        if (e.dev === d)
          rows.push({
            mac: e.mac,
            dev: d,
            master: master.name,
            self: false,
            state: e.local ? NUD_PERMANENT : NUD_REACHABLE,
          });
    }
    if (d instanceof Vxlan) {
      // vxlan_fdb_dump replaces the default list: learned remotes, then the default entry
      // (created NUD_REACHABLE | NUD_PERMANENT, so "state reachable" shows it too).
      for (const [mac, ip] of [...d.fdb].reverse())
        rows.push({ mac, dev: d, self: true, state: NUD_REACHABLE, dst: formatIp4(ip) });
      if (d.params.remote !== undefined) {
        rows.push({
          mac: "00:00:00:00:00:00",
          dev: d,
          self: true,
          state: NUD_REACHABLE | NUD_PERMANENT,
          dst: formatIp4(d.params.remote),
          ...(d.params.lower ? { via: d.params.lower.name } : {}),
        });
      }
      continue;
    }
    for (const mac of multicastList(d))
      rows.push({ mac, dev: d, self: true, state: NUD_PERMANENT });
    if (d instanceof Bridge) {
      for (const e of d.entries()) {
        if (e.dev === d)
          rows.push({ mac: e.mac, dev: d, master: d.name, self: false, state: NUD_PERMANENT });
      }
    }
  }
  return rows;
}

/** state_n2a, as print_fdb prints it. */
function stateName(s: number): string {
  if (s & NUD_PERMANENT) return "permanent";
  if (s & NUD_NOARP) return "static";
  if (s & NUD_STALE) return "stale";
  return "";
}

function print(o: Output, rows: Row[], json: boolean, oneDev: boolean): void {
  if (json) {
    const out = rows.map((r) => ({
      mac: r.mac,
      ...(oneDev ? {} : { ifname: r.dev.name }),
      ...(r.dst ? { dst: r.dst } : {}),
      ...(r.via ? { viaIf: r.via } : {}),
      flags: r.self ? ["self"] : [],
      ...(r.master ? { master: r.master } : {}),
      state: stateName(r.state),
    }));
    o.out(`${JSON.stringify(out)}\n`);
    return;
  }
  for (const r of rows) {
    let s = r.mac;
    if (!oneDev) s += ` dev ${r.dev.name}`;
    if (r.dst) s += ` dst ${r.dst}`;
    if (r.via) s += ` via ${r.via}`;
    if (r.self) s += " self";
    if (r.master) s += ` master ${r.master}`;
    s += ` ${stateName(r.state)}`;
    o.out(`${s}\n`);
  }
}
