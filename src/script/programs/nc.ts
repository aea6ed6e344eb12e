// `nc` (netcat-openbsd 1.219): listeners in the background, probes in the foreground, and
// only the options the simulator models.
import type { ProgramSpec } from "./types.js";

/** nc's options that take a value (netcat-openbsd 1.219's getopt string). */
const NC_WITH_VALUE = "IiMmOPpqsTVWwXx";
/** nc's options the simulator models; nc's other ones are refused, unknown ones left to nc. */
const NC_MODELLED = "4hklnuvzwp";
const NC_KNOWN = "46bCDdFhklNnrStUuvZz" + NC_WITH_VALUE;

/**
 * nc: probes (-z, or -w N to give up on an idle connection) in the foreground, listeners
 * (-l) in the background, and only the options the simulator models. A foreground
 * listener, or a connection without -z or -w, waits until it is killed; a background
 * probe's verdict would be lost.
 */
function refuseNc(args: readonly string[], background: boolean): string | undefined {
  let listen = false;
  let zero = false;
  let wait = false;
  let port = false;
  let help = false;
  let operands = 0;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      operands += args.length - i - 1;
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      operands++;
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      if (f === "e" || f === "c") return `nc ${a} (running a program) is not supported`;
      if (NC_KNOWN.includes(f) && !NC_MODELLED.includes(f)) {
        return `nc -${f} is not supported; the supported options are -l, -k, -u, -z, -v, -n, -w N (and -p PORT with -l)`;
      }
      if (f === "l") listen = true;
      if (f === "z") zero = true;
      // -h prints the help; an unknown option, nc's usage: either way nc exits at once.
      if (f === "h" || !NC_KNOWN.includes(f)) help = true;
      if (NC_WITH_VALUE.includes(f)) {
        if (f === "w") wait = true;
        if (f === "p") port = true;
        if (j === a.length - 1) i++;
        break;
      }
    }
  }
  // Without a port nc only prints its usage or help and exits.
  if (help || (operands === 0 && !port) || (!listen && operands < 2) || (listen && zero))
    return undefined;
  if (listen && !background) {
    return "nc -l waits for connections until it is killed: run it in the background, e.g. `nc -lk 80 &`";
  }
  if (!listen && port)
    return "nc -p (a fixed source port) is supported only with -l (nc -l -p PORT &)";
  if (!listen && background) {
    return "a background nc probe's result would be lost: run it in the foreground (nc -zv -w 1 HOST PORT)";
  }
  if (!listen && !zero && !wait) {
    return "nc without -z keeps the connection open until it is killed: probe with -z (nc -zv -w 1 HOST PORT), or give -w N to close after N idle seconds";
  }
  return undefined;
}

export const nc = {
  help: "nc",
  background: true,
  check: refuseNc,
} satisfies ProgramSpec;
