// How the kernel backend runs a lab's docker lines: the daemon is started in the sandbox
// at the first one (daemon.ts), each image name a `run`/`create` line uses is tagged onto
// packetwalk's image, and the line runs with the CLI that matches the daemon, argv only.
import type { CommandResult } from "../../backend.js";
import { parseDockerArgs } from "../../script/programs/docker.js";
import {
  DOCKERD_NETNS,
  DOCKERD_RUNNING,
  dockerdFlags,
  parseDockerdArgs,
} from "../../script/programs/dockerd.js";
import type { LabCommand } from "../../script/types.js";
import type { NsFile } from "../nf-trace.js";
import type { Sandbox } from "../sandbox.js";
import { containerNamespaces } from "./container-netns.js";
import {
  DockerDaemon,
  removeCgroups,
  type DaemonTimings,
  type DockerDaemonOptions,
} from "./daemon.js";
import { dockerUnavailable } from "./paths.js";

export interface DockerLinesOptions extends DockerDaemonOptions {
  /** Told once the daemon is up: how long it took (the CLI reports it). */
  onDaemonStarted?: (t: DaemonTimings) => void;
  /** Why docker lines cannot run here (tests stand in a machine without docker.io). */
  unavailable?: () => string | undefined;
}

const failed = (stderr: string, exit = 1): CommandResult => ({ exit, stdout: "", stderr });

export class DockerLines {
  private daemon: Promise<DockerDaemon> | undefined;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly opts: DockerLinesOptions = {},
  ) {}

  async run(cmd: LabCommand, timeoutMs: number): Promise<CommandResult> {
    if (cmd.program === "dockerd") return this.dockerd(cmd);
    if (cmd.argv[0] !== "docker") {
      // `ip netns exec NS docker ...`: the CLI would talk to the same daemon anyway.
      return failed(
        "packetwalk: docker talks to its daemon: a namespace prefix means nothing to it\n",
      );
    }
    const unavailable = (this.opts.unavailable ?? dockerUnavailable)();
    if (unavailable !== undefined) return failed(`packetwalk: ${unavailable}\n`);
    let daemon: DockerDaemon;
    try {
      daemon = await this.started();
    } catch (e) {
      return failed(
        `packetwalk: cannot start dockerd in the sandbox: ${e instanceof Error ? e.message : String(e)}\n`,
      );
    }
    const image = imageOf(cmd.args);
    if (image !== undefined) await daemon.tag(image);
    return daemon.run(cmd.args, timeoutMs);
  }

  /** A dockerd line: starts the daemon now, with its flags (the registry checked them). */
  private async dockerd(cmd: LabCommand): Promise<CommandResult> {
    if (cmd.argv[0] !== "dockerd") return failed(DOCKERD_NETNS);
    if (this.daemon !== undefined) return failed(DOCKERD_RUNNING);
    const parsed = parseDockerdArgs(cmd.args);
    if ("refusal" in parsed) return failed(`packetwalk: ${parsed.refusal}\n`);
    const unavailable = (this.opts.unavailable ?? dockerUnavailable)();
    if (unavailable !== undefined) return failed(`packetwalk: ${unavailable}\n`);
    try {
      await this.started(dockerdFlags(parsed.settings));
    } catch (e) {
      return failed(
        `packetwalk: cannot start dockerd in the sandbox: ${e instanceof Error ? e.message : String(e)}\n`,
      );
    }
    return { exit: 0, stdout: "", stderr: "" };
  }

  /** Whether a daemon was started (its timings then). */
  async timings(): Promise<DaemonTimings | undefined> {
    return this.daemon === undefined
      ? undefined
      : (await this.daemon.catch(() => undefined))?.timings;
  }

  /**
   * The running containers' own namespaces, for the kernel's trace; none when no docker
   * line has started a daemon (a script without docker never waits for one).
   */
  async traceNamespaces(): Promise<NsFile[]> {
    const d = await this.daemon?.catch(() => undefined);
    return d === undefined ? [] : containerNamespaces(d);
  }

  /** After the sandbox has ended: removes the container cgroups it left on the machine. */
  async cleanUp(): Promise<void> {
    const d = await this.daemon?.catch(() => undefined);
    if (d !== undefined) removeCgroups(d.cgroupParent);
  }

  /** The daemon, started now if no docker line has started it yet. */
  started(flags?: readonly string[]): Promise<DockerDaemon> {
    const opts = flags === undefined ? this.opts : { ...this.opts, flags };
    this.daemon ??= DockerDaemon.start(this.sandbox, opts).then((d) => {
      this.opts.onDaemonStarted?.(d.timings);
      return d;
    });
    return this.daemon;
  }
}

/** The image a `docker run`/`create` line names, if any (a tag to add before it runs). */
export function imageOf(args: readonly string[]): string | undefined {
  const parsed = parseDockerArgs(args);
  if (parsed === undefined || (parsed.sub !== "run" && parsed.sub !== "create")) return undefined;
  if (parsed.unknownFlag !== undefined || parsed.missingValue !== undefined) return undefined;
  const image = parsed.operands[0];
  // A digest (name@sha256:...) cannot be given to a local image.
  return image === undefined || image.includes("@") ? undefined : image;
}
