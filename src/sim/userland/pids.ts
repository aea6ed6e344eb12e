// Process ids for the simulator's background programs, which `ss -p` shows. The kernel's
// depend on everything else the sandbox ran, so lab comparison normalises them
// (src/compare/normalise.ts); here they only need to differ from each other.
import { type World } from "../kernel/netlink/index.js";
import { worldSlot } from "./world-slot.js";

/** The next pid of this world's processes (the first one 100). */
export function nextPid(world: World): number {
  return ++worldSlot(world, "pids", () => ({ last: 99 })).last;
}
