// The last check before a command reaches the kernel. The sandbox already keeps the lab
// away from the machine's network, mount and PID namespaces; what it cannot isolate when
// packetwalk runs as root (no user namespace) are kernel-wide settings: a write to
// /proc/sys/kernel/... or `sysctl -w vm.x=1` would change the machine. Network settings
// (/proc/sys/net) belong to the writer's network namespace; a namespace other than the
// machine's initial one does not even list the machine-wide ones (net.core.rmem_max, ...).
import type { LabCommand } from "../script/types.js";

const NET_PATH = /^\/proc\/sys\/net\/[A-Za-z0-9_./-]+$/;
// Dotted or slashed, not mixed: sysctl swaps '.' and '/' in mixed keys, and "net.//.x"
// would become "net/../x".
const NET_KEY = /^net(?:(?:\.[A-Za-z0-9_-]+)+|(?:\/[A-Za-z0-9_-]+)+)$/;

/** A path packetwalk may write for `echo VALUE > PATH`. */
export function isLabSysctlPath(path: string): boolean {
  return NET_PATH.test(path) && !path.split("/").includes("..");
}

/** Why the command may not run, or undefined. */
export function refuse(cmd: LabCommand): string | undefined {
  if (cmd.redirect !== undefined && !isLabSysctlPath(cmd.redirect)) {
    return `packetwalk: echo: ${cmd.redirect}: only /proc/sys/net/... settings belong to the lab's namespaces\n`;
  }
  if (cmd.program === "sysctl") {
    for (const a of cmd.args) {
      // -p/-f/--load/--system read settings from the machine's files.
      if (/^-[a-zA-Z]*[pf]/.test(a) || a.startsWith("--load") || a === "--system") {
        return `packetwalk: sysctl ${a}: loading settings from files is not supported; set each key with sysctl -w\n`;
      }
      if (a.startsWith("-") || !a.includes("=")) continue;
      const key = a.slice(0, a.indexOf("="));
      if (!NET_KEY.test(key)) {
        return `packetwalk: sysctl: ${key}: only net.* settings belong to the lab's namespaces\n`;
      }
    }
  }
  if (cmd.program === "iptables-save") {
    for (const a of cmd.args) {
      // -f FILE would be written on the machine's filesystem (the sandbox shares it).
      if (/^-[a-zA-Z]*f/.test(a) || /^--fi(l(e)?)?(=|$)/.test(a)) {
        return `packetwalk: iptables-save ${a}: writing files is not supported\n`;
      }
    }
  }
  return undefined;
}
