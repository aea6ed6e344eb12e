// Small phrases the walk's views share: what a packet is called, who took it, NAT.
import { nsName } from "./palette.js";
import type { Walk, WalkPacket, WalkStep } from "./types.js";

/** What a learner calls the packet: "the echo request", "the SYN", "the ARP request". */
export function packetName(p: WalkPacket): string {
  const f = p.fields;
  if (f?.arp) return f.arp.op === "request" ? "the ARP request" : "the ARP reply";
  if (f?.icmp === "echo-request") return "the echo request";
  if (f?.icmp === "echo-reply") return "the echo reply";
  if (f?.icmp === "error") return "the ICMP error";
  const flags = f?.tcpFlags;
  if (flags !== undefined) {
    if (flags === "S") return "the SYN";
    if (flags === "S.") return "the SYN-ACK";
    if (flags.startsWith("R")) return "the RST";
    if (flags.startsWith("F")) return "the FIN";
    if (flags === ".") return "the ACK";
  }
  return `the ${p.protocol.toUpperCase()} packet`;
}

/** The destination address, with its port when it has one ("10.0.0.2", "10.0.0.2:80"). */
export function destinationOf(p: WalkPacket): string | undefined {
  const f = p.fields;
  if (!f) return undefined;
  return f.dport === undefined ? f.dst : `${f.dst}:${f.dport}`;
}

/** Who took a packet delivered locally: a listening nc by name, else the stack's words. */
export function takerOf(walk: Walk, s: WalkStep): string {
  const p = s.point;
  if (p?.kind !== "local") return "this namespace";
  const port = /^TCP port (\d+)$/.exec(p.to)?.[1];
  if (port !== undefined) {
    const machines = [
      ...(walk.sim?.events ?? []).map((e) => e.machine),
      ...(walk.sim?.packets ?? []).flatMap((q) => q.steps.flatMap((t) => t.machine ?? [])),
    ];
    const nc = machines.find(
      (m) => m.kind === "nc" && m.ns === s.ns && new RegExp(`\\b${port}\\b`).test(m.key),
    );
    return nc ? `nc on TCP port ${port}` : p.to;
  }
  return p.to.replace(/ \([a-z_]+\)$/, "");
}

/** "after DNAT to 172.17.0.2:80" / "after SNAT to 192.0.2.101": the packet's NAT, if any. */
export function natPhrase(steps: readonly WalkStep[]): string | undefined {
  const words: string[] = [];
  for (const s of steps) {
    if (s.kind !== "nat" || !s.nat) continue;
    const [bs, bd] = s.nat.before.split(" > ");
    const [as, ad] = s.nat.after.split(" > ");
    if (bd !== ad && ad !== undefined) words.push(`DNAT to ${ad}`);
    if (bs !== as && as !== undefined) words.push(`SNAT to ${as}`);
  }
  return words.length > 0 ? `after ${words.join(" and ")}` : undefined;
}

/** "in web on eth0". */
export function where(s: { ns: string; dev?: string }): string {
  return `in ${nsName(s.ns)}${s.dev ? ` on ${s.dev}` : ""}`;
}

/**
 * A machine's state for people. A nested XState state comes as its JSON value
 * (`{"serving":"polling"}`); shown as its path, "serving (polling)".
 */
export function stateWords(state: string): string {
  if (!state.startsWith("{")) return state;
  try {
    return pathWords(JSON.parse(state) as unknown);
  } catch {
    return state;
  }
}

function pathWords(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || typeof v !== "object") return String(v);
  return Object.entries(v)
    .map(([k, sub]) => `${k} (${pathWords(sub)})`)
    .join(", ");
}

/** "#4 TCP ... [S.] (answers #1)": the packet's number, what it is, and why it exists. */
export function packetTitle(pkt: WalkPacket, all: readonly WalkPacket[]): string {
  const cause = pkt.causedBy === undefined ? "" : ` ${relation(pkt, all, pkt.causedBy)}`;
  return `#${pkt.id} ${pkt.summary}${cause}`;
}

/** An ARP request is sent for a packet that waits on it; anything else answers its cause. */
function relation(pkt: WalkPacket, all: readonly WalkPacket[], cause: number): string {
  if (pkt.protocol === "arp" && pkt.summary.startsWith("ARP request"))
    return `(sent for #${cause})`;
  // A VXLAN datagram caused by a packet carries the frame sent for it (its ARP request).
  if (pkt.summary.startsWith("VXLAN ")) return `(carries a frame sent for #${cause})`;
  const parent = all.find((q) => q.id === cause);
  return parent ? `(answers #${cause})` : `(because of #${cause})`;
}
