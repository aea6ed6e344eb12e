// The simulator's implementation of every lab program in the registry
// (src/script/programs/registry.ts) but docker, whose daemon runs these (src/sim/docker);
// ../programs.ts joins the two and the compiler checks that none is missing.
import type { ProgramName } from "../../script/programs/registry.js";
import { arp } from "./arp.js";
import { bridge } from "./bridge.js";
import { brctl } from "./brctl.js";
import { conntrack } from "./conntrack.js";
import { withoutNetAdmin, type NetNs } from "../kernel/netlink/index.js";
import type { CommandResult } from "../../backend.js";
import type { ProcessEnv, Waiting } from "./program.js";
import { ip } from "./ip/index.js";
import { iptables } from "./iptables/iptables.js";
import { iptablesRestoreProgram } from "./iptables/restore-program.js";
import { iptablesSave } from "./iptables/save.js";
import { lsns } from "./lsns.js";
import { kill } from "./kill.js";
import { tcpdump } from "./tcpdump/index.js";
import { nc } from "./nc.js";
import { ping } from "./ping.js";
import { readlink } from "./readlink.js";
import { traceroute } from "./traceroute.js";
import { cat, echo } from "./procsys.js";
import type { SimProgram } from "./program.js";
import { sleep } from "./sleep.js";
import { ss } from "./ss.js";
import { sysctl } from "./sysctl.js";

/** Every program but docker and dockerd, which run them (the daemon's kernel operations, docker exec). */
export const LAB_PROGRAMS = {
  ip,
  bridge,
  sysctl,
  echo: (ctx) => echo(ctx, ctx.redirect),
  cat,
  iptables,
  "iptables-save": iptablesSave,
  "iptables-restore": iptablesRestoreProgram,
  conntrack,
  ping,
  nc,
  ss,
  sleep,
  arp,
  brctl,
  traceroute,
  lsns,
  readlink,
  tcpdump,
  kill,
} satisfies Record<Exclude<ProgramName, "docker" | "dockerd">, SimProgram>;

/** A lab line's argv run in ns by the simulator's programs (docker's own lines excluded). */
export function runLab(
  ns: NetNs,
  argv: string[],
  background: boolean,
  env?: ProcessEnv,
): CommandResult | Waiting {
  const [name, ...args] = argv;
  if (name === undefined || !Object.hasOwn(LAB_PROGRAMS, name)) {
    return { exit: 127, stdout: "", stderr: `packetwalk: ${name ?? ""}: command not supported\n` };
  }
  const prog: SimProgram = LAB_PROGRAMS[name as keyof typeof LAB_PROGRAMS];
  const run = (): CommandResult | Waiting =>
    prog({ world: ns.world, ns, args, program: name, background, ...(env ? { env } : {}) });
  return env?.noNetAdmin ? withoutNetAdmin(run) : run();
}
