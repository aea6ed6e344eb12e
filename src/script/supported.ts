// The supported-command table: the only programs a lab script may run, and the
// argument checks that keep a line from reaching anything outside the sandbox's lab.

export const PROGRAMS = [
  "ip",
  "bridge",
  "sysctl",
  "echo",
  "cat",
  "iptables",
  "iptables-save",
  "iptables-restore",
  "conntrack",
  "ping",
  "nc",
  "sleep",
] as const;

export type Program = (typeof PROGRAMS)[number];

export function isProgram(word: string): word is Program {
  return (PROGRAMS as readonly string[]).includes(word);
}

/** Returns a reason the arguments are refused, or undefined when they may run. */
export function refuseArgs(
  program: Program,
  args: string[],
  background = false,
): string | undefined {
  switch (program) {
    case "ip":
    case "bridge": {
      for (const a of args) {
        if (/^-+(b|ba|bat|batc|batch|force)$/.test(a)) {
          return `${program} ${a} reads commands from a file; write each command on its own line`;
        }
        if (a === "-all" || a === "-a" || a === "--all") {
          if (program === "ip" && args.includes("exec")) {
            return "ip -all netns exec is not supported: name the namespace";
          }
        }
      }
      return undefined;
    }
    case "sysctl":
      for (const a of args) {
        if (/^-[a-zA-Z]*[pf]/.test(a) || a.startsWith("--load") || a === "--system") {
          return "sysctl -p/-f/--system read files from the machine; set each key with sysctl -w";
        }
        if (a === "-a" || a === "--all" || a === "-A" || a === "-X")
          return `sysctl ${a} is not supported: name the keys`;
        if (!a.startsWith("-") && !/^net[./]/.test(a)) {
          return `only net.* settings belong to a network namespace; "${a.split("=")[0]}" would change the whole machine`;
        }
      }
      return undefined;
    case "cat":
      if (args.length === 0) return "cat needs a /proc/sys/... path";
      for (const a of args) {
        if (!isProcSysPath(a)) return `cat reads only /proc/sys/net/... files here, not "${a}"`;
      }
      return undefined;
    case "echo":
      return undefined;
    case "sleep":
      if (args.length !== 1 || !/^\d+(\.\d+)?$/.test(args[0]!) || Number(args[0]) > 120) {
        return "sleep takes one number of seconds, at most 120";
      }
      return undefined;
    case "iptables-restore":
    case "iptables-save":
      for (const a of args) {
        if (a.startsWith("-M") || a.startsWith("--modprobe")) return `${a} is not supported`;
        // -f/--file would write a file on the machine, outside the lab.
        if (
          program === "iptables-save" &&
          (/^-[a-zA-Z]*f/.test(a) || /^--fi(l(e)?)?(=|$)/.test(a))
        ) {
          return "iptables-save -f writes a file on the machine; let it print to the screen instead";
        }
      }
      return undefined;
    case "ping":
      for (const a of args) {
        if (/^-[a-zA-Z]*f/.test(a) && !a.startsWith("-W"))
          return "ping -f (flood) is not supported";
      }
      return undefined;
    case "nc":
      return refuseNc(args, background);
    default:
      return undefined;
  }
}

/** /proc/sys/net/...: the only settings that belong to a network namespace. */
export function isProcSysPath(p: string): boolean {
  return /^\/proc\/sys\/net\/[A-Za-z0-9_./-]+$/.test(p) && !p.split("/").includes("..");
}

/** A namespace name as `ip netns` accepts it (no slashes, not . or ..). */
export function isNetnsName(n: string): boolean {
  return n.length > 0 && n.length < 256 && !n.includes("/") && n !== "." && n !== "..";
}

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
function refuseNc(args: string[], background: boolean): string | undefined {
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
