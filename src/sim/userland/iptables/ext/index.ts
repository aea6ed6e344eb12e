// The extensions the simulator models, by the name -m/-j/-p load them with, and the ones
// Debian 12 ships that it does not (so "not modelled" is told apart from "no such
// extension", which iptables reports as "Couldn't load match").
import { type Match, type NfRule as Rule, type Target } from "../../../kernel/netlink/index.js";
import { addrtypeExt, addrtypePrinter } from "./addrtype.js";
import { commentExt, commentPrinter } from "./comment.js";
import { conntrackExt, conntrackPrinter, stateExt, statePrinter } from "./conntrack.js";
import { erase, type AnyExt, type Printer } from "./framework.js";
import { icmpExt, icmpPrinter } from "./icmp.js";
import { logExt, logPrinter } from "./log.js";
import { markExt, markPrinter } from "./mark.js";
import { markTargetExt, markTargetPrinter } from "./mark-target.js";
import { multiportExt, multiportPrinter } from "./multiport.js";
import {
  dnatExt,
  masqueradeExt,
  masqueradePrinter,
  natPrinter,
  redirectExt,
  redirectPrinter,
  snatExt,
} from "./nat.js";
import { physdevExt, physdevPrinter } from "./physdev.js";
import { rejectExt, rejectPrinter } from "./reject.js";
import { tcpExt, tcpUdpPrinter, udpExt } from "./tcpudp.js";

export const MATCHES: Record<string, AnyExt> = {
  tcp: erase(tcpExt),
  udp: erase(udpExt),
  icmp: erase(icmpExt),
  conntrack: erase(conntrackExt),
  state: erase(stateExt),
  addrtype: erase(addrtypeExt),
  physdev: erase(physdevExt),
  multiport: erase(multiportExt),
  comment: erase(commentExt),
  mark: erase(markExt),
};

export const TARGETS: Record<string, AnyExt> = {
  REJECT: erase(rejectExt),
  LOG: erase(logExt),
  SNAT: erase(snatExt),
  DNAT: erase(dnatExt),
  MASQUERADE: erase(masqueradeExt),
  REDIRECT: erase(redirectExt),
  MARK: erase(markTargetExt),
};

/** Targets without options that are plain verdicts or need nothing parsed. */
export const STANDARD_TARGETS = ["ACCEPT", "DROP", "RETURN", "QUEUE"];
export const PLAIN_TARGETS = ["TRACE"];

/** Extension libraries of Debian 12's iptables (/usr/lib/x86_64-linux-gnu/xtables). */
export const SHIPPED_MATCHES = (
  "ah icmp realm ttl addrtype bpf cgroup cluster comment connbytes connlabel connlimit " +
  "connmark conntrack cpu dccp devgroup dscp ecn esp hashlimit helper ipcomp iprange ipvs " +
  "length limit mac mark multiport nfacct osf owner physdev pkttype policy quota rateest " +
  "recent rpfilter sctp set socket state statistic string tcp tcpmss time tos u32 udp"
).split(" ");
export const SHIPPED_TARGETS = (
  "CLUSTERIP ECN NETMAP REJECT TTL ULOG AUDIT CHECKSUM CLASSIFY CONNMARK CONNSECMARK CT " +
  "DNAT DSCP HMARK IDLETIMER LED LOG MARK MASQUERADE NFLOG NFQUEUE NOTRACK RATEEST " +
  "REDIRECT SECMARK SET SNAT SYNPROXY TCPMSS TCPOPTSTRIP TEE TOS TPROXY TRACE"
).split(" ");

/** A name -N may not take: a target iptables can load (assert_valid_chain_name). */
export function isTargetName(name: string): boolean {
  return STANDARD_TARGETS.includes(name) || SHIPPED_TARGETS.includes(name);
}

type Print = (x: never, rule: Rule, numeric: boolean) => string;
type Save = (x: never, rule: Rule) => string;

function table<K extends string>(
  entries: Record<K, Printer<never>>,
): Record<K, { print: Print; save: Save }> {
  return entries;
}

const MATCH_PRINTERS = table<Match["kind"]>({
  tcp: tcpUdpPrinter,
  udp: tcpUdpPrinter,
  icmp: icmpPrinter,
  conntrack: conntrackPrinter,
  state: statePrinter,
  addrtype: addrtypePrinter,
  physdev: physdevPrinter,
  multiport: multiportPrinter,
  comment: commentPrinter,
  mark: markPrinter,
});

const TARGET_PRINTERS: Partial<Record<Target["kind"], { print: Print; save: Save }>> = {
  REJECT: rejectPrinter,
  LOG: logPrinter,
  SNAT: natPrinter,
  DNAT: natPrinter,
  MASQUERADE: masqueradePrinter,
  REDIRECT: redirectPrinter,
  MARK: markTargetPrinter,
};

export function printMatch(m: Match, rule: Rule, numeric: boolean): string {
  return MATCH_PRINTERS[m.kind].print(m as never, rule, numeric);
}

export function saveMatch(m: Match, rule: Rule): string {
  return MATCH_PRINTERS[m.kind].save(m as never, rule);
}

export function printTarget(t: Target, rule: Rule, numeric: boolean): string {
  return TARGET_PRINTERS[t.kind]?.print(t as never, rule, numeric) ?? "";
}

export function saveTarget(t: Target, rule: Rule): string {
  return TARGET_PRINTERS[t.kind]?.save(t as never, rule) ?? "";
}
