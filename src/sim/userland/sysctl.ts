// `sysctl` (procps 4.0.2): read KEY..., -w KEY=VALUE, -n (values only), -q (quiet writes).
import type { CommandResult } from "../../backend.js";
import { Output, type ProgramContext } from "./program.js";
import { readSysctl, sysctlKey, writeSysctl } from "../kernel/netlink/index.js";
import { notSimulatedResult } from "./not-simulated.js";

// procps 4.0.2's options the simulator does not model (-a, -p, -f and --system are refused
// by the lab-script parser: they reach beyond the namespace).
const UNMODELLED = [
  "--binary",
  "--ignore",
  "--names",
  "--pattern",
  "--help",
  "--version",
  "--all",
  "--deprecated",
];

export function sysctl(ctx: ProgramContext): CommandResult {
  const o = new Output();
  let write = false;
  let valuesOnly = false;
  let quiet = false;
  const items: string[] = [];
  for (const a of ctx.args) {
    if (a === "-w" || a === "--write") write = true;
    else if (a === "-n" || a === "--values") valuesOnly = true;
    else if (a === "-q" || a === "--quiet") quiet = true;
    else if (UNMODELLED.includes(a) || /^-[wnq]*[beNrhVoxX]/.test(a))
      return notSimulatedResult(`sysctl ${a}`);
    else if (/^-[wnq]+$/.test(a)) {
      write ||= a.includes("w");
      valuesOnly ||= a.includes("n");
      quiet ||= a.includes("q");
    } else if (a.startsWith("-")) {
      o.err(`sysctl: invalid option -- '${a.replace(/^-+/, "")[0] ?? ""}'\n`);
      return o.result(1);
    } else items.push(a);
  }
  if (items.length === 0) {
    o.err("sysctl: no variables specified\nTry `sysctl --help' for more information.\n");
    return o.result(1);
  }
  let exit = 0;
  for (const item of items) {
    const eq = item.indexOf("=");
    if (write || eq >= 0) {
      if (eq < 0) {
        o.err("sysctl: command line(0): invalid syntax, continuing...\n");
        exit = 1;
        continue;
      }
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      const r = writeSysctl(ctx.ns, key, value);
      if (!r.ok) {
        if (r.error === "No such file or directory") {
          o.err(
            `sysctl: cannot stat /proc/sys/${sysctlKey(key).replaceAll(".", "/")}: ${r.error}\n`,
          );
        } else {
          o.err(`sysctl: setting key "${key}": ${r.error}\n`);
        }
        exit = 1;
        continue;
      }
      if (!quiet) o.out(valuesOnly ? `${value}\n` : `${sysctlKey(key)} = ${value}\n`);
      continue;
    }
    const r = readSysctl(ctx.ns, item);
    if (!r.ok) {
      o.err(`sysctl: cannot stat /proc/sys/${sysctlKey(item).replaceAll(".", "/")}: ${r.error}\n`);
      exit = 1;
      continue;
    }
    o.out(valuesOnly ? `${r.value}\n` : `${sysctlKey(item)} = ${r.value}\n`);
  }
  return o.result(exit);
}
