// `bridge` (iproute2 6.1): link and fdb (stub: being written).
import type { CommandResult } from "../../backend.js";
import { Output, type ProgramContext } from "./program.js";

export function bridge(_ctx: ProgramContext): CommandResult {
  const o = new Output();
  o.err("bridge: not simulated yet\n");
  return o.result(255);
}
