// The program registry: the only programs a lab script may run, one entry each. Adding a
// program is one entry here plus the simulator's implementation, which src/sim keys by
// ProgramName in a Record the compiler checks is complete.
import { arp } from "./arp.js";
import { bridge } from "./bridge.js";
import { brctl } from "./brctl.js";
import { cat } from "./cat.js";
import { conntrack } from "./conntrack.js";
import { docker } from "./docker.js";
import { dockerd } from "./dockerd.js";
import { echo } from "./echo.js";
import { ip } from "./ip.js";
import { iptablesRestore } from "./iptables-restore.js";
import { iptablesSave } from "./iptables-save.js";
import { iptables } from "./iptables.js";
import { kill } from "./kill.js";
import { lsns } from "./lsns.js";
import { nc } from "./nc.js";
import { ping } from "./ping.js";
import { readlink } from "./readlink.js";
import { traceroute } from "./traceroute.js";
import { sleep } from "./sleep.js";
import { ss } from "./ss.js";
import { sysctl } from "./sysctl.js";
import { tcpdump } from "./tcpdump.js";
import type { ProgramSpec } from "./types.js";

export type { KernelPolicy, ProgramSpec } from "./types.js";

/** In the order the unknown-command hint lists them. */
export const PROGRAMS = {
  ip,
  bridge,
  sysctl,
  echo,
  cat,
  iptables,
  "iptables-save": iptablesSave,
  "iptables-restore": iptablesRestore,
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
  docker,
  dockerd,
} as const satisfies Record<string, ProgramSpec>;

export type ProgramName = keyof typeof PROGRAMS;

export function isProgram(word: string): word is ProgramName {
  return Object.hasOwn(PROGRAMS, word);
}

/** The registry's entry for a program name, if it is one. */
export function programSpec(word: string): ProgramSpec | undefined {
  return isProgram(word) ? PROGRAMS[word] : undefined;
}

/** The unknown-command hint: what may run. */
export function supportedHint(): string {
  return `supported: ${Object.values(PROGRAMS)
    .map((p: ProgramSpec) => p.help)
    .join(", ")}`;
}

/** Programs that may run in the background, for the refusal of the others. */
export function backgroundPrograms(): string[] {
  return Object.entries(PROGRAMS)
    .filter(([, p]: [string, ProgramSpec]) => p.background === true)
    .map(([name]) => name)
    .sort();
}
