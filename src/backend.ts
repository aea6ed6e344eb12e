// The one interface both machines implement: run a lab command, get what it printed.
import type { LabCommand } from "./script/types.js";

export interface CommandResult {
  exit: number;
  stdout: string;
  stderr: string;
}

export interface HostProfile {
  /** Name shown to people ("docker-host", "machine", or a file path). */
  name: string;
  /**
   * IPv4 settings a new namespace copies from the machine's initial namespace
   * (net.ipv4.ip_forward and net.ipv4.conf.{all,default}.*), as sysctl keys.
   */
  ipv4: Record<string, string>;
  /** br_netfilter loaded: net.bridge.bridge-nf-call-* exist (value per key) or null when absent. */
  brNetfilter: Record<string, string> | null;
}

export interface Backend {
  readonly kind: "sim" | "kernel";
  /** Runs one command; a background job (`&`) returns exit 0 at once. */
  run(cmd: LabCommand): Promise<CommandResult>;
  /** Ends the run: background jobs, namespaces, everything goes. Safe to call twice. */
  close(): Promise<void>;
}
