// The simulator's implementation of every program in the registry
// (src/script/programs/registry.ts): the compiler checks that none is missing.
import type { ProgramName } from "../../script/programs/registry.js";
import { arp } from "./arp.js";
import { bridge } from "./bridge.js";
import { brctl } from "./brctl.js";
import { conntrack } from "./conntrack.js";
import { dockerProgram } from "./docker-program.js";
import type { NetNs } from "../kernel/netlink/index.js";
import type { CommandResult } from "../../backend.js";
import type { ProcessEnv, Waiting } from "./program.js";
import { ip } from "./ip/index.js";
import { iptables } from "./iptables/iptables.js";
import { iptablesRestoreProgram } from "./iptables/restore-program.js";
import { iptablesSave } from "./iptables/save.js";
import { lsns } from "./lsns.js";
import { kill } from "./kill.js";
import { startJob } from "./jobs.js";
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

/** Every program but docker, which runs them (the daemon's kernel operations, docker exec). */
const LAB_PROGRAMS = {
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
} satisfies Record<Exclude<ProgramName, "docker">, SimProgram>;

const ALL_PROGRAMS = {
  ...LAB_PROGRAMS,
  docker: dockerProgram(runLab),
} satisfies Record<ProgramName, SimProgram>;

/** A script's background line is a job of its shell, numbered for `kill %N` (jobs.ts). */
function countingJobs(prog: SimProgram): SimProgram {
  return (ctx) => {
    if (ctx.background) startJob(ctx.world);
    return prog(ctx);
  };
}

export const SIM_PROGRAMS = Object.fromEntries(
  Object.entries(ALL_PROGRAMS).map(([name, prog]) => [name, countingJobs(prog)]),
) as Record<ProgramName, SimProgram>;

/** A lab line's argv run in ns by the simulator's programs (docker's own lines excluded). */
function runLab(
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
  return prog({ world: ns.world, ns, args, program: name, background, ...(env ? { env } : {}) });
}
