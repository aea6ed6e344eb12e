// `iptables` (1.8.9, nf_tables): parse the command line, run it on the namespace's
// ruleset, and end as iptables does (xtables-standalone.c): its own checks print
// "iptables: <sentence>." and exit 1, a refused batch exits 4.
import type { CommandResult } from "../../../backend.js";
import { NfError, nfTables } from "../../kernel/netlink/index.js";
import { Output, type ProgramContext } from "../program.js";
import { RESOURCE_PROBLEM, XtablesExit, type ErrorSource } from "./errors.js";
import { parseCommand } from "./parse.js";
import { runParsed } from "./run.js";
import { batchErrorText, nftStrerror } from "./strerror.js";

export function iptables(ctx: ProgramContext): CommandResult {
  const o = new Output();
  const src: ErrorSource = { prog: "iptables" };
  let command = 0;
  try {
    const p = parseCommand(ctx.args, { src, restore: false });
    command = p.command;
    runParsed(nfTables(ctx.ns), p, src, (s) => o.out(s));
    return o.result(0);
  } catch (e) {
    if (e instanceof XtablesExit) {
      o.err(e.text);
      return o.result(e.code);
    }
    if (e instanceof NfError) {
      if (e.batch) {
        o.err(batchErrorText(src.prog, e));
        return o.result(RESOURCE_PROBLEM);
      }
      const dmesg = e.errno === "EINVAL" ? " Run `dmesg' for more information." : "";
      o.err(`iptables: ${nftStrerror(e, command)}.${dmesg}\n`);
      return o.result(1);
    }
    throw e;
  }
}
