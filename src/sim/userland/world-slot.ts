// A userland table kept in the world (World.userland): all of a world's state lives in
// the world, and each table is made on first use.
import type { World } from "../kernel/netlink/index.js";

export function worldSlot<T>(world: World, key: string, make: () => T): T {
  if (!world.userland.has(key)) world.userland.set(key, make());
  // Only this function writes the slot, with make()'s type.
  return world.userland.get(key) as T;
}
