// Packet taps (dev_queue_xmit_nit and the ptype_all delivery of __netif_receive_skb): an
// AF_PACKET socket sees every frame a device sends or receives, as tcpdump captures it.
import type { NetDevice } from "./device.js";
import type { Frame } from "./packet.js";

export type TapDirection = "in" | "out";
export type Tap = (dev: NetDevice, frame: Frame, dir: TapDirection) => void;

/** Open packet sockets, per world (a WeakMap key: the world object). */
const taps = new WeakMap<object, Set<Tap>>();

/** Opens a tap on every device of the world; the function returned closes it. */
export function addTap(world: object, tap: Tap): () => void {
  let set = taps.get(world);
  if (set === undefined) taps.set(world, (set = new Set()));
  set.add(tap);
  return () => void set.delete(tap);
}

/** A frame crosses dev: every open tap sees it. */
export function runTaps(dev: NetDevice, frame: Frame, dir: TapDirection): void {
  const set = taps.get(dev.ns.world);
  if (set === undefined || set.size === 0) return;
  for (const tap of [...set]) tap(dev, frame, dir);
}
