// The REJECT target (libipt_REJECT.c): --reject-with takes a name or alias, any case,
// abbreviated (the first entry that starts with it wins); icmp-port-unreachable by default.
import { type Target } from "../../../kernel/netlink/index.js";
import { PARAMETER_PROBLEM, XtablesExit, errorText, paramProblem } from "../errors.js";
import type { Printer, TargetExt } from "./framework.js";

type Reject = Extract<Target, { kind: "REJECT" }>;

const REJECT_TABLE: [string, string][] = [
  ["icmp-net-unreachable", "net-unreach"],
  ["icmp-host-unreachable", "host-unreach"],
  ["icmp-proto-unreachable", "proto-unreach"],
  ["icmp-port-unreachable", "port-unreach"],
  ["icmp-net-prohibited", "net-prohib"],
  ["icmp-host-prohibited", "host-prohib"],
  ["tcp-reset", "tcp-rst"],
  ["icmp-admin-prohibited", "admin-prohib"],
];

function prefixOf(word: string, arg: string): boolean {
  return word.toLowerCase().startsWith(arg.toLowerCase());
}

export const rejectExt: TargetExt<Reject, Reject> = {
  kind: "target",
  name: "REJECT",
  x6: true,
  options: [{ name: "reject-with", id: 0, hasArg: 1 }],
  init: () => ({ kind: "REJECT", with: "icmp-port-unreachable" }),
  parse(d, c) {
    const arg = c.arg!;
    const hit = REJECT_TABLE.find(([name, alias]) => prefixOf(name, arg) || prefixOf(alias, arg));
    if (hit) {
      d.with = hit[0];
      return;
    }
    const msg = `unknown reject type "${arg}"`;
    if (prefixOf("echo-reply", arg) || prefixOf("echoreply", arg)) {
      throw new XtablesExit(
        PARAMETER_PROBLEM,
        "--reject-with echo-reply no longer supported\n" +
          errorText(c.env.src, PARAMETER_PROBLEM, msg),
      );
    }
    paramProblem(c.env.src, msg);
  },
  build: (d) => d,
};

export const rejectPrinter: Printer<Reject> = {
  print: (t) => ` reject-with ${t.with}`,
  save: (t) => ` --reject-with ${t.with}`,
};
