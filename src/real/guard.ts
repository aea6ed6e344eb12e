// The last check before a command reaches the kernel. The sandbox already keeps the lab
// away from the machine's network, mount and PID namespaces; what it cannot isolate when
// packetwalk runs as root (no user namespace) are kernel-wide settings: a write to
// /proc/sys/kernel/... or `sysctl -w vm.x=1` would change the machine. Network settings
// (/proc/sys/net) belong to the writer's network namespace; a namespace other than the
// machine's initial one does not even list the machine-wide ones (net.core.rmem_max, ...).
import { programSpec } from "../script/programs/registry.js";
import type { LabCommand } from "../script/types.js";

const NET_PATH = /^\/proc\/sys\/net\/[A-Za-z0-9_./-]+$/;

/** A path packetwalk may write for `echo VALUE > PATH`. */
export function isLabSysctlPath(path: string): boolean {
  return NET_PATH.test(path) && !path.split("/").includes("..");
}

/**
 * Why the command may not run, or undefined. Per program, the registry's kernel guard
 * (src/script/programs/): sysctl's keys, iptables-save's -f.
 */
export function refuse(cmd: LabCommand): string | undefined {
  if (cmd.redirect !== undefined && !isLabSysctlPath(cmd.redirect)) {
    return `packetwalk: echo: ${cmd.redirect}: only /proc/sys/net/... settings belong to the lab's namespaces\n`;
  }
  return programSpec(cmd.program)?.kernel?.guard?.(cmd.args);
}
