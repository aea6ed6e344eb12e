// `echo V > /proc/sys/...` and `cat /proc/sys/...`: packetwalk does these itself in both
// backends, through the same sysctl table `sysctl` uses.
import type { CommandResult } from "../../backend.js";
import { Output, type ProgramContext } from "./program.js";
import { readSysctl, writeSysctl } from "../kernel/netlink/index.js";

export function cat(ctx: ProgramContext): CommandResult {
  const o = new Output();
  let exit = 0;
  for (const path of ctx.args) {
    const key = path.slice("/proc/sys/".length).replaceAll("/", ".");
    const v = readSysctl(ctx.ns, key);
    if (v.ok) o.out(`${v.value}\n`);
    else {
      o.err(`cat: ${path}: ${v.error}\n`);
      exit = 1;
    }
  }
  return o.result(exit);
}

export function echo(ctx: ProgramContext, redirect: string | undefined): CommandResult {
  const o = new Output();
  const text = ctx.args.join(" ");
  if (redirect === undefined) {
    o.out(`${text}\n`);
    return o.result(0);
  }
  const key = redirect.slice("/proc/sys/".length).replaceAll("/", ".");
  const w = writeSysctl(ctx.ns, key, text);
  if (!w.ok) {
    o.err(`packetwalk: echo: ${redirect}: ${w.error}\n`);
    return o.result(1);
  }
  return o.result(0);
}
