// Packet taps (dev_queue_xmit_nit and the ptype_all delivery of __netif_receive_skb): an
// AF_PACKET socket sees every frame a device sends or receives, as tcpdump captures it.
import type { NetDevice } from "./device.js";
import type { Frame } from "./packet.js";
import type { World } from "./world.js";

export type TapDirection = "in" | "out";
export type Tap = (dev: NetDevice, frame: Frame, dir: TapDirection) => void;

/** Opens a tap on every device of the world (World.taps); the function returned closes it. */
export function addTap(world: World, tap: Tap): () => void {
  world.taps.add(tap);
  return () => void world.taps.delete(tap);
}

/** A frame crosses dev: every open tap sees it. */
export function runTaps(dev: NetDevice, frame: Frame, dir: TapDirection): void {
  const set = dev.ns.world.taps;
  if (set.size === 0) return;
  for (const tap of [...set]) tap(dev, frame, dir);
}
