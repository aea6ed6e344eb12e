// `ip netns` (iproute2 6.1 ip/ipnetns.c): add, delete, list (with the nsid each namespace
// has as seen from the current one), list-id, set and identify. `ip netns exec` is a
// prefix the lab-script parser resolves before `ip` runs.
import { netnsAdd, netnsAttach, netnsDel, nsidSet } from "../../kernel/netlink/index.js";
import { die, invarg, matches, notSimulated, type IpContext } from "./context.js";
import { Printer } from "./print.js";
import { getInteger } from "./util.js";
import { nextPid } from "../pids.js";
import { netnsOfPid, processes } from "../procs.js";

const USAGE =
  "Usage:\tip netns list\n" +
  "\tip netns add NAME\n" +
  "\tip netns attach NAME PID\n" +
  "\tip netns set NAME NETNSID\n" +
  "\tip [-all] netns delete [NAME]\n" +
  "\tip netns identify [PID]\n" +
  "\tip netns pids NAME\n" +
  "\tip [-all] netns exec [NAME] cmd ...\n" +
  "\tip netns monitor\n" +
  "\tip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]\n" +
  "NETNSID := auto | POSITIVE-INT\n";

/** invalid_name: empty, too long, a slash, "." or "..". */
function invalidName(name: string): boolean {
  return name === "" || name.length > 255 || name.includes("/") || name === "." || name === "..";
}

export function ipNetns(c: IpContext, args: string[]): void {
  const cmd = args[0];
  // A container's mount namespace has no /run/netns: nothing to list.
  if (cmd === undefined) return c.unprivileged ? undefined : list(c);
  if (args.length > 1 && invalidName(args[1]!)) die(c, `Invalid netns name "${args[1]}"`, 255);
  const rest = args.slice(1);
  if (matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst"))
    return c.unprivileged ? undefined : list(c);
  if (matches(cmd, "list-id")) return listId(c, rest);
  if (matches(cmd, "help")) die(c, USAGE, 255);
  if ((matches(cmd, "add") || matches(cmd, "attach")) && c.unprivileged && rest.length > 0) {
    // netns_add first makes /run/netns a shared mount: without CAP_SYS_ADMIN it cannot.
    die(c, "mount --make-shared /run/netns failed: Operation not permitted", 1);
  }
  if (matches(cmd, "add")) return add(c, rest);
  if (matches(cmd, "attach")) return attach(c, rest);
  if (matches(cmd, "set")) return set(c, rest);
  if (matches(cmd, "delete")) return del(c, rest);
  if (matches(cmd, "identify")) return identify(c, rest);
  if (matches(cmd, "exec")) {
    if (rest.length < 1) die(c, "No netns name specified", 1);
    if (rest.length < 2) die(c, "No command specified", 1);
  }
  if (matches(cmd, "pids")) return pids(c, rest);
  if (matches(cmd, "exec") || matches(cmd, "monitor")) {
    notSimulated(c, `ip netns ${cmd}`);
  }
  die(c, `Command "${cmd}" is unknown, try "ip netns help".`, 255);
}

/** /run/netns in readdir order: on tmpfs the newest entry comes first. */
function namesInDirOrder(c: IpContext): string[] {
  return [...c.world.named.keys()].reverse();
}

/** netns_list: each name, and " (id: N)" when the current namespace has an nsid for it. */
function list(c: IpContext): void {
  const p = new Printer(c.opts.json, c.opts.pretty, false);
  p.begin();
  for (const name of namesInDirOrder(c)) {
    const ns = c.world.named.get(name)!;
    p.openObject();
    p.str("name", name, name);
    // RTM_GETNSID only looks the id up (peernet2id), it never allocates one.
    const id = c.ns.nsids.get(ns);
    if (id !== undefined) p.num("id", ` (id: ${id})`, id);
    p.fp("\n");
    p.closeObject();
  }
  c.o.out(p.end());
}

function add(c: IpContext, args: string[]): void {
  const name = args[0];
  if (name === undefined) die(c, "No netns name specified", 1);
  if (c.world.named.has(name))
    die(c, `Cannot create namespace file "/run/netns/${name}": File exists`, 1);
  netnsAdd(c.world, name);
}

/** netns_add(create = false): /proc/PID/ns/net bind-mounted at /run/netns/NAME. */
function attach(c: IpContext, args: string[]): void {
  if (args.length < 2) die(c, "No netns name and PID specified", 1);
  const [name, pidText] = args as [string, string];
  // get_s32 (base 0: 0x.. and 0.. too) and not 0.
  const pid = getInteger(pidText);
  if (pid === undefined || pid === 0 || pid > 0x7fffffff) die(c, `Invalid PID: ${pidText}`, 1);
  if (c.world.named.has(name))
    die(c, `Cannot create namespace file "/run/netns/${name}": File exists`, 1);
  const ns = pid! > 0 ? netnsOfPid(c.world, pid!) : undefined;
  if (ns === undefined) {
    die(c, `Bind /proc/${pid}/ns/net -> /run/netns/${name} failed: No such file or directory`, 1);
  }
  netnsAttach(c.world, name, ns!);
}

function del(c: IpContext, args: string[]): void {
  const name = args[0];
  if (name === undefined) die(c, "No netns name specified", 1);
  // A container has its own mount namespace: the host's /run/netns is not there.
  if (!c.world.named.has(name) || c.unprivileged)
    die(c, `Cannot remove namespace file "/run/netns/${name}": No such file or directory`, 1);
  netnsDel(c.world, name);
}

/** netns_set: RTM_NEWNSID in the current namespace for the named one. */
function set(c: IpContext, args: string[]): void {
  const name = args[0];
  if (name === undefined) die(c, "No netns name specified", 1);
  const idText = args[1];
  if (idText === undefined) die(c, "No nsid specified", 1);
  let id = -1;
  if (idText !== "auto") {
    const n = getInteger(idText);
    if (n === undefined) invarg(c, 'Invalid "netnsid" value', idText);
    if (n < 0) invarg(c, '"netnsid" value should be >= 0', idText);
    id = n;
  }
  const peer = c.world.named.get(name);
  if (!peer) die(c, `Cannot open network namespace "${name}": No such file or directory`, 1);
  // rtnl_net_newid.
  nsidSet(c.ns, peer, id >= 0 ? id : undefined);
}

/** netns_list_id: the ids the current namespace gave others, lowest first. */
function listId(c: IpContext, args: string[]): void {
  if (args.length > 0) notSimulated(c, "ip netns list-id with a filter");
  const p = new Printer(c.opts.json, c.opts.pretty, false);
  p.begin();
  const rows = [...c.ns.nsids.entries()].sort((x, y) => x[1] - y[1]);
  for (const [ns, id] of rows) {
    p.openObject();
    p.num("nsid", `nsid ${id} `, id);
    const name = [...c.world.named.entries()].find(([, n]) => n === ns)?.[0];
    if (name !== undefined) p.str("name", `(iproute2 netns name: ${name})`, name);
    p.fp("\n");
    p.closeObject();
  }
  c.o.out(p.end());
}

/** netns_identify: the (last, in readdir order) name bound to the namespace `ip` runs in. */
function identify(c: IpContext, args: string[]): void {
  if (args.length > 1) die(c, "extra arguments specified", 1);
  if (args.length === 1) {
    if (!/^\d+$/.test(args[0]!)) die(c, `Specified string '${args[0]}' is not a pid`, 1);
  }
  // /proc/PID/ns/net: the simulator's processes (PID 1 is the init, in the root namespace).
  const ns =
    args.length === 1 ? processes(c.world).find((p) => p.pid === Number(args[0]))?.ns : c.ns;
  if (ns === undefined) die(c, "Cannot open network namespace: No such file or directory", 1);
  let name = "";
  for (const n of namesInDirOrder(c)) if (c.world.named.get(n) === ns) name = n;
  c.o.out(`${name}\n`);
}

/** netns_pids: every process (in /proc order) whose namespace the name is bound to. */
function pids(c: IpContext, args: string[]): void {
  if (args.length < 1) die(c, "No netns name specified", 1);
  if (args.length > 1) die(c, "extra arguments specified", 1);
  const ns = c.world.named.get(args[0]!);
  if (ns === undefined) die(c, "Cannot open network namespace: No such file or directory", 1);
  // `ip` itself is one of them when it runs there (ip -n NAME).
  const self = { pid: nextPid(c.world), ns: c.ns };
  for (const p of [...processes(c.world), self]) if (p.ns === ns) c.o.out(`${p.pid}\n`);
}
