// `dockerd [FLAGS]`: starts the simulated daemon now, with the lab's settings (the
// registry parsed and checked them, src/script/programs/dockerd.ts). What it did at its
// start (forwarding, its chains, docker0) is shown under the line, as under a docker line.
import type { CommandResult } from "../../backend.js";
import { DOCKERD_NETNS, DOCKERD_RUNNING, parseDockerdArgs } from "../../script/programs/dockerd.js";
import { Dockerd, SETTLE_MS, setDaemonConfig, type LabRunner } from "./daemon.js";
import type { SimProgram } from "../userland/program.js";

const failed = (stderr: string): CommandResult => ({ exit: 1, stdout: "", stderr });

export function dockerdProgram(run: LabRunner): SimProgram {
  return (ctx) => {
    if (ctx.ns !== ctx.world.root) return failed(DOCKERD_NETNS);
    if (ctx.world.dockerd instanceof Dockerd) return failed(DOCKERD_RUNNING);
    const parsed = parseDockerdArgs(ctx.args);
    if ("refusal" in parsed) return failed(`packetwalk: ${parsed.refusal}\n`);
    const s = parsed.settings;
    setDaemonConfig(ctx.world, {
      userlandProxy: s.userlandProxy,
      iptables: s.iptables,
      ipForward: s.ipForward,
      icc: s.icc,
      // verifyDaemonSettings: without iptables there is no masquerading (inspect says so).
      ipMasq: s.ipMasq && s.iptables,
      ...(s.bip !== undefined ? { bip: s.bip } : {}),
      ...(s.engine === "29" ? { profile: "29" as const } : {}),
    });
    const d = Dockerd.of(ctx.world, run);
    const performed = d.ops;
    d.ops = [];
    const r: CommandResult = { exit: 0, stdout: "", stderr: "", performed };
    // The daemon's start takes real time; its bridge's link work is done by the next line.
    const until = ctx.world.scheduler.now + SETTLE_MS;
    return { waiting: { until, done: () => false, finish: () => r } };
  };
}
