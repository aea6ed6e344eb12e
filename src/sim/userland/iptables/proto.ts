// Protocol names: iptables' own table first (xtables.c xtables_chain_protos), then
// /etc/protocols; `-p` parses a number, "all", or a name (xtables_parse_protocol).
import { paramProblem, type ErrorSource } from "./errors.js";
import { protocolName, protocolNumber } from "./netdb.js";
import { strtoui } from "./num.js";

const CHAIN_PROTOS: [string, number][] = [
  ["tcp", 6],
  ["sctp", 132],
  ["udp", 17],
  ["udplite", 136],
  ["icmp", 1],
  ["icmpv6", 58],
  ["esp", 50],
  ["ah", 51],
  ["mh", 135],
  ["all", 0],
];

/** xshared.c proto_to_name: the table, then (unless nolookup) getprotobynumber. */
export function protoName(num: number, nolookup: boolean): string | undefined {
  const own = CHAIN_PROTOS.find(([, n]) => n === num);
  if (own) return own[0];
  if (num !== 0 && !nolookup) return protocolName(num);
  return undefined;
}

/** xtables_parse_protocol: the argument is already lower-cased by the caller. */
export function parseProtocol(src: ErrorSource, s: string): number {
  const n = strtoui(s, 0, 255);
  if (n !== undefined) return n;
  if (s === "all") return 0;
  const byName = protocolNumber(s) ?? CHAIN_PROTOS.find(([name]) => name === s)?.[1];
  if (byName === undefined) paramProblem(src, `unknown protocol "${s}" specified`);
  return byName;
}
