// Port numbers and names as the tcp, udp and multiport extensions read and print them.
import { type PortRange, type NfRule as Rule } from "../../../kernel/netlink/index.js";
import { paramProblem, type ErrorSource } from "../errors.js";
import { serviceName, servicePort } from "../netdb.js";
import { strtoui } from "../num.js";
import { protoName } from "../proto.js";

/** xtables_parse_port: a number (base 0) or a service name of `proto`. */
export function parsePort(src: ErrorSource, s: string, proto: string): number {
  const n = strtoui(s, 0, 65535) ?? servicePort(s, proto);
  if (n === undefined) paramProblem(src, `invalid port/service \`${s}' specified`);
  return n;
}

/**
 * xtables_getportbyname (getaddrinfo): decimal digits, truncated to 16 bits as htons
 * does, or a service of any protocol; -1 when neither.
 */
export function portByName(s: string): number {
  if (/^[0-9]+$/.test(s)) return Number(BigInt(s) & 0xffffn);
  return servicePort(s, "tcp") ?? servicePort(s, "udp") ?? -1;
}

/** getservbyport for a rule's protocol, or the number. */
export function portText(port: number, proto: string | undefined, numeric: boolean): string {
  if (numeric || proto === undefined) return String(port);
  return serviceName(port, proto) ?? String(port);
}

/** The protocol name a port lookup uses: the rule's -p. */
export function ruleProtoName(rule: Rule): string | undefined {
  return rule.proto ? protoName(rule.proto.num ?? 0, false) : undefined;
}

export const FULL_RANGE: PortRange = { from: 0, to: 65535 };

export function isFullRange(r: PortRange): boolean {
  return r.from === 0 && r.to === 65535;
}
