// Bridge forwarding (net/bridge/br_input.c: br_handle_frame_finish, br_forward.c):
// learn the source, deliver local frames up the stack through the bridge device, forward
// known unicast to its port, flood the rest, never back out the port it came in on
// unless that port is in hairpin mode. Bridged frames keep their TTL.
import { runTaps } from "../core/tap.js";
import { frameBytes, type NetDevice } from "../core/device.js";
import { wireUnits } from "../core/frag.js";
import { isMulticastMac } from "../core/mac.js";
import type { Frame, Ipv4Packet } from "../core/packet.js";
import type { Bridge } from "../drivers/bridge.js";
import { nfState } from "../netfilter/eval.js";
import { peekSkb, skbOf } from "../netfilter/skb.js";

/**
 * br_netfilter calls the IPv4 hooks for bridged IPv4 when net.bridge.bridge-nf-call-iptables
 * (per namespace, present only with the module loaded) or the bridge's own
 * nf_call_iptables says so (br_nf_pre_routing: brnet->call_iptables).
 */
function brNfCallIptables(br: Bridge): boolean {
  if (!nfState(br.ns)) return false;
  return (
    br.ns.sysctl.get("net.bridge.bridge-nf-call-iptables") === "1" ||
    br.options.nfCallIptables === 1
  );
}

/**
 * br_nf_pre_routing: NF_INET_PRE_ROUTING with the bridge as input device and the port
 * as physdev, before the bridge learns or forwards. The host's own IPv4 input then
 * skips PREROUTING (ip_sabotage_in). Returns the frame to go on with, or undefined.
 */
function brNfPreRouting(br: Bridge, port: NetDevice, frame: Frame): Frame | undefined {
  const pkt = frame.payload;
  if (pkt.proto !== "ipv4" || !brNfCallIptables(br)) return frame;
  const skb = skbOf(pkt, br.ns);
  skb.bridged = true;
  skb.physIn = port;
  const out = br.ns.world.ipv4.hook(br.ns, "PREROUTING", pkt, { in: br });
  if (!out) return undefined;
  skbOf(out, br.ns).brPrerouted = true;
  if (out.dst !== pkt.dst) return brNfDnat(br, port, { ...frame, payload: out });
  return out === pkt ? frame : { ...frame, payload: out };
}

/**
 * br_nf_pre_routing_finish after DNAT changed the destination: the route decides. A new
 * destination behind the same bridge stays bridged ("bridged_dnat", no ip_forward needed,
 * no TTL decrement): the neighbour resolves its MAC on the bridge and the frame starts
 * over from the port it came in on (br_nf_pre_routing_finish_bridge[_slow]), so it may
 * not leave by that port unless the port is in hairpin mode. Any other destination goes
 * up to the host to be routed, addressed to the bridge.
 */
function brNfDnat(br: Bridge, port: NetDevice, frame: Frame): Frame | undefined {
  const pkt = frame.payload as Ipv4Packet;
  const ipv4 = br.ns.world.ipv4;
  let rt;
  try {
    rt = ipv4.routeOutput(br.ns, pkt.dst);
  } catch {
    rt = undefined;
  }
  if (rt && !rt.local && rt.dev === br) {
    skbOf(pkt, br.ns).bridgedDnat = { port, src: frame.src };
    br.ns.neigh.output(br, rt.res.gateway ?? pkt.dst, pkt);
    return undefined;
  }
  return { ...frame, dst: br.mac };
}

/**
 * br_dev_xmit's br_nf_pre_routing_finish_bridge_slow: a bridged-and-DNATed frame the
 * neighbour layer sent through the bridge device goes back into br_handle_frame_finish
 * from its ingress port (not counted as the bridge's own transmit). Returns whether the
 * frame was one.
 */
export function resumeBridgedDnat(br: Bridge, frame: Frame): boolean {
  if (frame.payload.proto !== "ipv4") return false;
  const skb = peekSkb(frame.payload, br.ns);
  const bd = skb?.bridgedDnat;
  if (!skb || !bd) return false;
  skb.bridgedDnat = undefined;
  const p = br.port(bd.port);
  if (!p || br.portState(p) !== "forwarding") return true;
  handleFrameFinish(br, bd.port, { ...frame, src: bd.src });
  return true;
}

/**
 * br_nf_forward_ip and br_nf_post_routing for a frame the bridge forwards from one of
 * its ports: FORWARD with in and out = the bridge, then POSTROUTING with out = the
 * bridge, physdev out = the port. Frames the host sends through the bridge already
 * passed OUTPUT and POSTROUTING in the IP stack.
 */
function brNfForward(br: Bridge, port: NetDevice, frame: Frame): Frame | undefined {
  const pkt = frame.payload;
  if (pkt.proto !== "ipv4") return frame;
  const skb = peekSkb(pkt, br.ns);
  if (!skb?.bridged || !brNfCallIptables(br)) return frame;
  skb.physOut = port;
  const ipv4 = br.ns.world.ipv4;
  const fwd = ipv4.hook(br.ns, "FORWARD", pkt, { in: br, out: br });
  if (!fwd) return undefined;
  const post = ipv4.hook(br.ns, "POSTROUTING", fwd, { out: br, nexthop: fwd.dst });
  if (!post) return undefined;
  return post === pkt ? frame : { ...frame, payload: post };
}

export function bridgeInput(br: Bridge, port: NetDevice, frame0: Frame): void {
  const p = br.port(port);
  if (!p || br.portState(p) !== "forwarding") return;
  const frame = brNfPreRouting(br, port, frame0);
  if (!frame) return;
  handleFrameFinish(br, port, frame);
}

/**
 * How many times each frame has come into a bridge. A loop of bridge ports without STP
 * floods a multicast frame round it forever (Linux burns CPU until the loop is broken);
 * the simulator, whose frames take no time on a wire, drops a frame after BRIDGE_HOPS.
 */
const bridged = new WeakMap<Frame, number>();
const BRIDGE_HOPS = 64;

/** br_handle_frame_finish: learn the source, then deliver, forward, flood or drop. */
function handleFrameFinish(br: Bridge, port: NetDevice, frame: Frame): void {
  const hops = (bridged.get(frame) ?? 0) + 1;
  if (hops > BRIDGE_HOPS) return;
  bridged.set(frame, hops);
  const learned = br.learn(frame.src, port);
  if (!br.adminUp) return;
  const world = br.ns.world;
  const decided = (action: BridgeAction, to: NetDevice[], why: string): void =>
    traceDecision(br, frame, port, learned, action, to, why);
  const up = (f: Frame): void => {
    // br_pass_frame_up counts the frame on the bridge device, after eth_type_trans pulled
    // the Ethernet header (skb->len is 14 bytes short of what the port counted); a
    // multicast one that no mdb entry claims counts as multicast too (br_handle_frame_finish).
    const u = wireUnits(f, frameBytes(f));
    br.stats.rxPackets += u.packets;
    br.stats.rxBytes += u.bytes - 14 * u.packets;
    if (isMulticastMac(f.dst) && f.dst !== "ff:ff:ff:ff:ff:ff") br.stats.multicast++;
    runTaps(br, f, "in");
    world.scheduler.at(0, `bridge ${br.name} local in`, () => world.ipv4.receive(br, f), {
      kind: "up",
      payload: f.payload,
      fromNs: br.ns.scriptName,
      from: port.name,
      toNs: br.ns.scriptName,
      to: br.name,
      srcMac: f.src,
      dstMac: f.dst,
    });
  };
  if (isMulticastMac(frame.dst)) {
    decided(
      "flood",
      floodPorts(br, port),
      `${frame.dst} is a broadcast/multicast address: every other port, and the bridge itself`,
    );
    flood(br, port, frame);
    up(frame);
    return;
  }
  const dst = br.lookup(frame.dst);
  if (dst?.local) {
    decided(
      "local",
      [br],
      `${frame.dst} is the bridge's own address: up the stack through ${br.name}`,
    );
    up({ ...frame, dst: br.mac });
    return;
  }
  if (dst) {
    if (dst.dev === port && !port.hairpin) {
      decided(
        "drop",
        [],
        `${frame.dst} was learned on ${port.name}, the port it came in on (no hairpin)`,
      );
      return;
    }
    decided("forward", [dst.dev], `${frame.dst} was learned on ${dst.dev.name}`);
    forwardTo(br, dst.dev, frame, true);
    return;
  }
  decided("flood", floodPorts(br, port), `${frame.dst} is not in the forwarding database: flood`);
  flood(br, port, frame, true);
}

type BridgeAction = "forward" | "flood" | "local" | "drop";

/** The walk's tracepoint for a forwarding decision (`port` is the bridge itself for br_dev_xmit). */
function traceDecision(
  br: Bridge,
  frame: Frame,
  port: NetDevice,
  learned: boolean,
  action: BridgeAction,
  to: NetDevice[],
  why: string,
): void {
  br.ns.world.trace.point(frame.payload, {
    kind: "bridge",
    ns: br.ns.scriptName,
    bridge: br.name,
    port: port.name,
    learned: learned ? frame.src : undefined,
    action,
    to: to.map((d) => d.name),
    why,
  });
}

function floodPorts(br: Bridge, ingress: NetDevice | undefined): NetDevice[] {
  return br.ports
    .filter((p) => br.portState(p) === "forwarding" && (p.dev !== ingress || p.dev.hairpin))
    .map((p) => p.dev);
}

/** br_dev_xmit / br_forward: send from the bridge (ingress undefined) or a port. */
export function bridgeForward(br: Bridge, ingress: NetDevice | undefined, frame: Frame): void {
  // The host sending through its bridge device (br_dev_xmit): the same table decides.
  const decided = (action: BridgeAction, to: NetDevice[], why: string): void => {
    if (ingress === undefined) traceDecision(br, frame, br, false, action, to, why);
  };
  if (!isMulticastMac(frame.dst)) {
    const dst = br.lookup(frame.dst);
    if (dst && !dst.local) {
      if (dst.dev !== ingress || ingress.hairpin) {
        decided("forward", [dst.dev], `${frame.dst} was learned on ${dst.dev.name}`);
        forwardTo(br, dst.dev, frame);
      }
      return;
    }
    if (dst?.local) return;
  }
  decided(
    "flood",
    floodPorts(br, ingress),
    isMulticastMac(frame.dst)
      ? `${frame.dst} is a broadcast/multicast address: every port`
      : `${frame.dst} is not in the forwarding database: flood`,
  );
  flood(br, ingress, frame);
}

function flood(br: Bridge, ingress: NetDevice | undefined, frame: Frame, bridged = false): void {
  for (const dev of floodPorts(br, ingress)) forwardTo(br, dev, frame, bridged);
}

/** br_forward: `bridged` for frames that came in on a port (NF_BR_FORWARD, not LOCAL_OUT). */
function forwardTo(br: Bridge, port: NetDevice, frame0: Frame, bridged = false): void {
  const p = br.port(port);
  if (!p || br.portState(p) !== "forwarding") return;
  const frame = bridged ? brNfForward(br, port, frame0) : frame0;
  if (!frame) return;
  port.xmit(frame);
}
