// Bridge forwarding (net/bridge/br_input.c: br_handle_frame_finish, br_forward.c):
// learn the source, deliver local frames up the stack through the bridge device, forward
// known unicast to its port, flood the rest, never back out the port it came in on
// unless that port is in hairpin mode. Bridged frames keep their TTL.
import type { NetDevice } from "../core/device.js";
import { isMulticastMac } from "../core/mac.js";
import type { Frame } from "../core/packet.js";
import type { Bridge } from "../drivers/bridge.js";

export function bridgeInput(br: Bridge, port: NetDevice, frame: Frame): void {
  const p = br.port(port);
  if (!p || br.portState(p) !== "forwarding") return;
  br.learn(frame.src, port);
  if (!br.adminUp) return;
  const world = br.ns.world;
  if (isMulticastMac(frame.dst)) {
    flood(br, port, frame);
    world.scheduler.at(0, `bridge ${br.name} local in`, () => world.ipv4.receive(br, frame));
    return;
  }
  const dst = br.lookup(frame.dst);
  if (dst?.local) {
    world.scheduler.at(0, `bridge ${br.name} local in`, () =>
      world.ipv4.receive(br, { ...frame, dst: br.mac }),
    );
    return;
  }
  if (dst) {
    if (dst.dev === port && !port.hairpin) return;
    forwardTo(br, dst.dev, frame);
    return;
  }
  flood(br, port, frame);
}

/** br_dev_xmit / br_forward: send from the bridge (ingress undefined) or a port. */
export function bridgeForward(br: Bridge, ingress: NetDevice | undefined, frame: Frame): void {
  if (!isMulticastMac(frame.dst)) {
    const dst = br.lookup(frame.dst);
    if (dst && !dst.local) {
      if (dst.dev !== ingress || ingress.hairpin) forwardTo(br, dst.dev, frame);
      return;
    }
    if (dst?.local) return;
  }
  flood(br, ingress, frame);
}

function flood(br: Bridge, ingress: NetDevice | undefined, frame: Frame): void {
  for (const p of br.ports) {
    if (br.portState(p) !== "forwarding") continue;
    if (p.dev === ingress && !p.dev.hairpin) continue;
    forwardTo(br, p.dev, frame);
  }
}

function forwardTo(br: Bridge, port: NetDevice, frame: Frame): void {
  const p = br.port(port);
  if (!p || br.portState(p) !== "forwarding") return;
  port.xmit(frame);
}
