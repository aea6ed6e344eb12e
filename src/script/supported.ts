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
export function refuseArgs(program: Program, args: string[]): string | undefined {
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
      }
      return undefined;
    case "ping":
      for (const a of args) {
        if (/^-[a-zA-Z]*f/.test(a) && !a.startsWith("-W"))
          return "ping -f (flood) is not supported";
      }
      return undefined;
    case "nc":
      for (const a of args) {
        if (/^-[a-zA-Z]*[ec]/.test(a)) return `nc ${a} (running a program) is not supported`;
      }
      return undefined;
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
