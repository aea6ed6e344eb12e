// Link state notification (net/core/link_watch.c). A carrier change only queues the
// device; its operstate, the NETDEV_CHANGE that addrconf acts on and the qdisc
// (de)activation happen when the queue runs:
//  - right after the rtnetlink request that caused them, for "urgent" devices (running,
//    and either linked to another index or with a qdisc waiting for carrier);
//  - for the others, up to a second later (linkwatch_nextevent rate limit; on a machine
//    with other namespaces busy, always), modelled as one second of virtual time;
//  - or when something asks for that one device with RTM_GETLINK (rtnl_getlink ->
//    linkwatch_sync_dev), which iproute2 does for every device name it resolves.
import type { NetDevice } from "./device.js";
import { announce } from "./rtmsg.js";
import type { World } from "./world.js";

/** The deferral of non-urgent events (HZ). */
export const LINKWATCH_DELAY_MS = 1000;

/** The world's linkwatch (World.linkwatch): the queue, its timer, the RTNL nesting depth. */
export interface LinkwatchState {
  queue: NetDevice[];
  timer: boolean;
  depth: number;
}

export function newLinkwatchState(): LinkwatchState {
  return { queue: [], timer: false, depth: 0 };
}

function state(world: World): LinkwatchState {
  return world.linkwatch;
}

/** linkwatch_urgent_event. */
function urgent(d: NetDevice): boolean {
  if (!d.adminUp) return false;
  if (d.iflink() !== d.ifindex) return true;
  // carrier on while the qdisc still waits for it (qdisc_tx_changing).
  return d.carrier() && !d.activated;
}

function registered(d: NetDevice): boolean {
  return d.ns.devices.get(d.ifindex) === d;
}

/** linkwatch_do_dev: store the operstate, (de)activate the qdisc, tell the notifier chain. */
function doDev(d: NetDevice): void {
  d.linkOper = d.defaultOperstate();
  if (d.adminUp) {
    d.activated = d.carrier();
    d.ns.notify(d, "change");
    announce(d);
  }
}

/** linkwatch_fire_event. */
export function linkwatchFire(d: NetDevice): void {
  const s = state(d.ns.world);
  if (!s.queue.includes(d)) s.queue.push(d);
  if (!urgent(d)) scheduleDeferred(d.ns.world);
  if (s.depth === 0) run(d.ns.world, true);
}

function scheduleDeferred(world: World): void {
  const s = state(world);
  if (s.timer) return;
  s.timer = true;
  world.scheduler.at(LINKWATCH_DELAY_MS, "linkwatch", () => {
    s.timer = false;
    run(world, false);
  });
}

/** __linkwatch_run_queue. */
function run(world: World, urgentOnly: boolean): void {
  const s = state(world);
  const work = s.queue.splice(0);
  for (const d of work) {
    if (!registered(d)) continue;
    if (urgentOnly && !urgent(d)) {
      s.queue.push(d);
      continue;
    }
    doDev(d);
  }
  if (s.queue.length > 0) scheduleDeferred(world);
}

/** linkwatch_sync_dev: RTM_GETLINK on this device runs its pending event now. */
export function linkwatchSync(d: NetDevice): void {
  const s = state(d.ns.world);
  const i = s.queue.indexOf(d);
  if (i < 0) return;
  s.queue.splice(i, 1);
  if (registered(d)) doDev(d);
}

/** One rtnetlink request (under RTNL); the urgent linkwatch work runs when it ends. */
export function rtnlRequest<T>(world: World, fn: () => T): T {
  const s = state(world);
  s.depth++;
  try {
    return fn();
  } finally {
    s.depth--;
    if (s.depth === 0) run(world, true);
  }
}
