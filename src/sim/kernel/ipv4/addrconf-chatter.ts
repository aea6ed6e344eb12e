// The IPv6 chatter a link makes once addrconf gives it its link-local address, as Linux 6
// sends it (measured in the sandbox, lab-script.md "Captures"):
//   t=0      MLDv2 report from :: (mld_ifc_event: the solicited-node group joined; a
//            snooping bridge also reports ff02::6a), repeated once at a random moment
//            below mldv2_unsolicited_report_interval (1 s; mc_qrv = 2 sends);
//   t=a      the DAD neighbour solicitation from :: to the solicited-node group, a below
//            rtr_solicit_delay (1 s; addrconf_dad_kick);
//   t=a+1s   DAD done (retrans_time): an MLD report from the link-local address
//            (ipv6_mc_dad_complete, again repeated once below 1 s) and a router
//            solicitation to ff02::2, repeated after rtr_solicit_interval (4 s, +-10%),
//            each interval about twice the last (rfc3315_s14_backoff_update), up to an hour.
// The kernel's delays are random. The DAD probe's and the first repeat's come from the
// world's generator (one draw each, as before the chatter had addresses); the later ones
// from a generator seeded by the device, so the world's sequence (MACs, ids) stays as it was.
import { SeededRandom } from "../../engine/random.js";
import type { IfAddr6, NetDevice } from "../core/device.js";
import { ipv6McastMac, type Mac } from "../core/mac.js";
import { parseIp6, formatIp6 } from "../core/ip6.js";
import type { Ipv6Chatter } from "../core/packet.js";

/** Link-local addresses whose DAD speaks on the wire (made by addrconf on a ready link). */
const chatty = new WeakSet<IfAddr6>();

const MLD_REPORT_INTERVAL = 1000;
const RS_INTERVAL = 4000;
const RS_MAX_INTERVAL = 3_600_000;

/** ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX: the low 24 bits of the address. */
export function solicitedNode(addr: string): { ip: string; mac: Mac } {
  const g = parseIp6(addr) ?? [0, 0, 0, 0, 0, 0, 0, 0];
  const hi = g[6]! & 0xff;
  const lo = g[7]!;
  return {
    ip: formatIp6([0xff02, 0, 0, 0, 0, 1, 0xff00 | hi, lo]),
    mac: ipv6McastMac([0xff, hi, lo >> 8, lo & 0xff]),
  };
}

/** The groups a device reports: its solicited-node group, ff02::6a on a snooping bridge. */
function records(dev: NetDevice): number {
  if (dev.kind !== "bridge") return 1;
  // The bridge's options live in its driver (kernel/drivers), which the core does not import.
  const opts = (dev as { options?: { mcastSnooping?: number } }).options;
  return opts?.mcastSnooping === 0 ? 1 : 2;
}

function rngOf(dev: NetDevice): SeededRandom {
  let h = dev.ifindex;
  for (const c of dev.mac) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return new SeededRandom(h);
}

function alive(dev: NetDevice, ifa: IfAddr6): boolean {
  return dev.adminUp && dev.lowerUp && dev.addrs6.includes(ifa);
}

function send(dev: NetDevice, ifa: IfAddr6, dst: Mac, p: Omit<Ipv6Chatter, "proto" | "src">): void {
  if (!alive(dev, ifa)) return;
  const src = ifa.tentative ? "::" : ifa.addr;
  dev.xmit({ src: dev.mac, dst, payload: { proto: "ipv6", src, ...p } });
}

function report(dev: NetDevice, ifa: IfAddr6): void {
  send(dev, ifa, "33:33:00:00:00:16", {
    what: "mld-report",
    dst: "ff02::16",
    records: records(dev),
  });
}

/**
 * The link-local address ifa was just configured on dev: the report at once, its repeat
 * after `repeatMs` (drawn by the caller from the world's generator).
 */
export function chatterOnLinkLocal(dev: NetDevice, ifa: IfAddr6, repeatMs: number): void {
  chatty.add(ifa);
  const sched = dev.ns.world.scheduler;
  sched.at(0, `ipv6 mld report ${dev.name}`, () => report(dev, ifa));
  sched.at(repeatMs, `ipv6 mld report ${dev.name}`, () => report(dev, ifa));
}

/** addrconf_dad_kick's probe for ifa. */
export function chatterDadProbe(dev: NetDevice, ifa: IfAddr6): void {
  if (!chatty.has(ifa)) return;
  const sn = solicitedNode(ifa.addr);
  send(dev, ifa, sn.mac, { what: "dad-ns", dst: sn.ip, target: ifa.addr });
}

/** addrconf_dad_completed for ifa (no longer tentative): reports, router solicitations. */
export function chatterDadDone(dev: NetDevice, ifa: IfAddr6): void {
  if (!chatty.has(ifa) || !alive(dev, ifa)) return;
  const rng = rngOf(dev);
  const sched = dev.ns.world.scheduler;
  report(dev, ifa);
  const solicit = (): void =>
    send(dev, ifa, "33:33:00:00:00:02", { what: "router-solicit", dst: "ff02::2" });
  solicit();
  sched.at(rng.int(0, MLD_REPORT_INTERVAL - 1), `ipv6 mld report ${dev.name}`, () =>
    report(dev, ifa),
  );
  let interval = Math.round((RS_INTERVAL * rng.int(900, 1100)) / 1000);
  const next = (): void => {
    sched.at(interval, `ipv6 rs ${dev.name}`, () => {
      if (!alive(dev, ifa)) return;
      solicit();
      interval = Math.min(RS_MAX_INTERVAL, Math.round((interval * rng.int(1900, 2100)) / 1000));
      next();
    });
  };
  next();
}
