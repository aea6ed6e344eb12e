// `sleep N`: lets virtual time pass, so timers (ARP, neighbour ageing, DAD) run as they would.
import type { CommandResult } from "../../backend.js";
import type { ProgramContext } from "./program.js";

export function sleep(ctx: ProgramContext): CommandResult {
  const ms = Number(ctx.args[0]) * 1000;
  ctx.world.scheduler.runUntil(ctx.world.scheduler.now + ms);
  return { exit: 0, stdout: "", stderr: "" };
}
