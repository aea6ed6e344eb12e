// The simulator's implementation of every program in the registry
// (src/script/programs/registry.ts): the compiler checks that none is missing.
import type { ProgramName } from "../../script/programs/registry.js";
import { arp } from "./arp.js";
import { bridge } from "./bridge.js";
import { brctl } from "./brctl.js";
import { conntrack } from "./conntrack.js";
import { ip } from "./ip/index.js";
import { iptables } from "./iptables/iptables.js";
import { iptablesRestoreProgram } from "./iptables/restore-program.js";
import { iptablesSave } from "./iptables/save.js";
import { nc } from "./nc.js";
import { ping } from "./ping.js";
import { traceroute } from "./traceroute.js";
import { cat, echo } from "./procsys.js";
import type { SimProgram } from "./program.js";
import { sleep } from "./sleep.js";
import { ss } from "./ss.js";
import { sysctl } from "./sysctl.js";

export const SIM_PROGRAMS = {
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
} satisfies Record<ProgramName, SimProgram>;
