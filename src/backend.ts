// The one interface both machines implement: run a lab command, get what it printed.
import type { LabCommand } from "./script/types.js";
import type { Topology } from "./backend/topology.js";

export * from "./backend/ids.js";
export type * from "./backend/topology.js";

/**
 * How long one command may run before the kernel backend kills it (exit 124, as
 * timeout(1) reports it); `packetwalk run --timeout` changes it for both backends.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 20_000;

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
  /** A snapshot of everything the lab has built so far (src/backend/topology.ts). */
  inspect(): Promise<Topology>;
  /** Ends the run: background jobs, namespaces, everything goes. Safe to call twice. */
  close(): Promise<void>;
}
