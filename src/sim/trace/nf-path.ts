// The simulator's netfilter path per packet and namespace, in the shape of the kernel's
// trace (NfPathPacket), from the same trace entries the walk is built from.
import type { NfPathPacket, NsName } from "../../backend/trace-types.js";
import type { TraceEntry } from "../engine/trace.js";
import { formatIp4 } from "../kernel/core/ip4.js";
import { ipLength, type Ipv4Packet } from "../kernel/core/packet.js";
import { ruleSpec } from "../userland/iptables/save-rule.js";

export function simNfPath(entries: TraceEntry[]): NfPathPacket[] {
  const out: NfPathPacket[] = [];
  const open = new Map<string, NfPathPacket>();
  for (const e of entries) {
    if (e.kind !== "point" || e.point.kind !== "nf") continue;
    const p = e.point;
    const key = `${e.packet}/${p.ns}`;
    let pkt = open.get(key);
    if (!pkt) {
      pkt = describe(p.ns, e.pkt as Ipv4Packet);
      open.set(key, pkt);
      out.push(pkt);
    }
    pkt.steps.push({
      table: p.table,
      chain: p.chain,
      rule: p.rule ? ruleSpec(p.rule).trim() : undefined,
      ruleNum: p.ruleNum,
      verdict: p.verdict,
      policy: p.policy,
    });
  }
  return out;
}

function describe(ns: NsName, p: Ipv4Packet): NfPathPacket {
  const l4 = p.l4;
  const base: NfPathPacket = {
    ns,
    src: formatIp4(p.src),
    dst: formatIp4(p.dst),
    proto: l4.proto,
    len: ipLength(p),
    steps: [],
  };
  if (l4.proto === "tcp") {
    const f = l4.flags;
    const flags = (
      [
        ["SYN", f.syn],
        ["ACK", f.ack],
        ["RST", f.rst],
        ["FIN", f.fin],
        ["PSH", f.psh],
      ] as const
    ).flatMap(([n, on]) => (on ? [n] : []));
    return { ...base, sport: l4.sport, dport: l4.dport, tcpFlags: flags };
  }
  if (l4.proto === "udp") return { ...base, sport: l4.sport, dport: l4.dport };
  return base;
}
