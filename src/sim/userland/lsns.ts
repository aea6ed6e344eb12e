// `lsns -t net` (util-linux 2.38.1): the network namespaces that have processes, one row
// each (its process count, lowest pid and that process's command line), the nsid the
// current namespace gave it and the /run/netns name bound to it. A namespace that only a
// name keeps alive has no process and no row; one whose name was deleted while a process
// lived in it keeps its row, with an empty NSFS (the "hidden" namespace).
import type { CommandResult } from "../../backend.js";
import { type NetNs } from "../kernel/netlink/index.js";
import { notSimulatedResult } from "./not-simulated.js";
import { nextPid } from "./pids.js";
import { nsfsPaths } from "./nsfs.js";
import { processes, type SimProcess } from "./procs.js";
import { Output, type ProgramContext } from "./program.js";

const TYPES = ["mnt", "net", "ipc", "user", "pid", "uts", "cgroup", "time"];

interface LsnsOpts {
  type?: string;
  list: boolean;
  noHeadings: boolean;
}

/** The options the simulator models, or what to refuse (a result). */
function parse(args: readonly string[]): LsnsOpts | CommandResult {
  const opts: LsnsOpts = { list: false, noHeadings: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--list") opts.list = true;
    else if (a === "--noheadings") opts.noHeadings = true;
    else if (a === "--notruncate") continue;
    else if (a === "--type" || a.startsWith("--type=")) {
      const v = a === "--type" ? args[++i] : a.slice("--type=".length);
      if (v === undefined) return notSimulatedResult("lsns --type without a type");
      opts.type = v;
    } else if (/^-[lnut]+$/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j]!;
        if (f === "l") opts.list = true;
        else if (f === "n") opts.noHeadings = true;
        else if (f === "t") {
          // getopt: the rest of the word, or the next one.
          const v = j < a.length - 1 ? a.slice(j + 1) : args[++i];
          if (v === undefined) return notSimulatedResult("lsns -t without a type");
          opts.type = v;
          break;
        }
      }
    } else if (a.startsWith("-")) return notSimulatedResult(`lsns ${a}`);
    else return notSimulatedResult("lsns with a namespace argument");
  }
  if (opts.type !== undefined && !TYPES.includes(opts.type)) {
    return { exit: 1, stdout: "", stderr: `lsns: unknown namespace type: ${opts.type}\n` };
  }
  if (opts.type !== "net") return notSimulatedResult("lsns without -t net");
  return opts;
}

/** The namespace's inode number (proc_alloc_inum: in creation order here; normalised). */
export function nsInode(ns: NetNs): number {
  return 4026532000 + ns.id * 64;
}

interface Row {
  ns: NetNs;
  nprocs: number;
  first: SimProcess;
}

export function lsns(ctx: ProgramContext): CommandResult {
  const opts = parse(ctx.args);
  if (!("list" in opts)) return opts;
  // lsns itself is a process of the namespace it runs in.
  const self: SimProcess = {
    pid: nextPid(ctx.world),
    ns: ctx.ns,
    cmdline: [ctx.program, ...ctx.args].join(" "),
  };
  const rows = new Map<NetNs, Row>();
  for (const p of [...processes(ctx.world), self]) {
    const row = rows.get(p.ns);
    if (row === undefined) rows.set(p.ns, { ns: p.ns, nprocs: 1, first: p });
    else row.nprocs++;
  }
  const sorted = [...rows.values()].sort((a, b) => nsInode(a.ns) - nsInode(b.ns));
  // The tree (without -l): a row whose process's parent (the init, for every lab
  // process) is another row's process hangs under that row.
  const root = sorted.find((r) => r.first.pid === 1);
  const children = sorted.filter((r) => r !== root);
  const cells = sorted.map((r) => {
    const nsid = ctx.ns.nsids.get(r.ns);
    let command = r.first.cmdline;
    if (!opts.list && root !== undefined && r !== root) {
      command = (r === children.at(-1) ? "`-" : "|-") + command;
    }
    return [
      String(nsInode(r.ns)),
      "net",
      String(r.nprocs),
      String(r.first.pid),
      "root",
      nsid === undefined ? "unassigned" : String(nsid),
      // Every bind mount of it, in mount order, one a line (the cell wraps).
      nsfsPaths(ctx.world, r.ns).join("\n"),
      command,
    ];
  });
  const o = new Output();
  o.out(table(HEADER, cells, opts.noHeadings));
  return o.result(0);
}

const HEADER = ["NS", "TYPE", "NPROCS", "PID", "USER", "NETNSID", "NSFS", "COMMAND"];
const RIGHT = new Set(["NS", "NPROCS", "PID", "NETNSID"]);

/**
 * libsmartcols' table: columns one space apart, as wide as their widest cell's widest line;
 * the last unpadded. A cell of several lines (NSFS) continues on lines of their own, under
 * it, the tree's line carried on in COMMAND.
 */
function table(header: string[], rows: string[][], noHeadings: boolean): string {
  const all = noHeadings ? rows : [header, ...rows];
  const width = header.map((_, i) =>
    Math.max(...all.flatMap((r) => r[i]!.split("\n").map((l) => l.length))),
  );
  const pad = (cell: string, i: number): string =>
    RIGHT.has(header[i]!) ? cell.padStart(width[i]!) : cell.padEnd(width[i]!);
  const nsfs = header.indexOf("NSFS");
  return all
    .map((r) => {
      const [first, ...more] = r[nsfs]!.split("\n");
      const line = r
        .map((cell, i) => (i === r.length - 1 ? cell : pad(i === nsfs ? first! : cell, i)))
        .join(" ")
        .trimEnd();
      const command = r[r.length - 1]!;
      const tree = command.startsWith("|-") ? "| " : command.startsWith("`-") ? "  " : "";
      const rest = more.map((p) =>
        r
          .map((_, i) => (i === nsfs ? pad(p, i) : i === r.length - 1 ? tree : pad("", i)))
          .join(" "),
      );
      return [line, ...rest].map((l) => `${l}\n`).join("");
    })
    .join("");
}
