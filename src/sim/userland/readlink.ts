// `readlink /proc/PID/ns/net`: the link's text, `net:[INODE]`, the inode lsns shows in its
// NS column. A PID no process has: no output, exit 1 (readlink without -v says nothing).
import type { CommandResult } from "../../backend.js";
import { NS_LINK } from "../../script/programs/readlink.js";
import { nsInode } from "./lsns.js";
import { netnsOfPid } from "./procs.js";
import type { ProgramContext } from "./program.js";

export function readlink(ctx: ProgramContext): CommandResult {
  const m = NS_LINK.exec(ctx.args[0] ?? "");
  // The parser lets nothing else through; `self` is readlink itself, in its namespace.
  const ns =
    m === null ? undefined : m[1] === "self" ? ctx.ns : netnsOfPid(ctx.world, Number(m[1]));
  if (ns === undefined) return { exit: 1, stdout: "", stderr: "" };
  return { exit: 0, stdout: `net:[${nsInode(ns)}]\n`, stderr: "" };
}
