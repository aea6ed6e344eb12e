// tcpdump 4.99's one-line decodes (print-ip6.c, print-icmp6.c) of the IPv6 link chatter
// the simulated kernel sends (MLDv2 reports, DAD neighbour solicitations, router
// solicitations), as `tcpdump -n` prints them without -v:
//   IP6 :: > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s), length 28
//   IP6 :: > ff02::1:ff0a:e84: ICMP6, neighbor solicitation, who has fe80::..., length 32
//   IP6 fe80::... > ff02::2: ICMP6, router solicitation, length 16
import { chatterIcmpLength, type Ipv6Chatter } from "../../kernel/netlink/index.js";

function icmp6Text(p: Ipv6Chatter): string {
  const len = chatterIcmpLength(p);
  switch (p.what) {
    case "mld-report":
      // print-ip6.c names the hop-by-hop header (Router Alert) before the ICMPv6 part.
      return `HBH ICMP6, multicast listener report v2, ${p.records ?? 1} group record(s), length ${len}`;
    case "dad-ns":
      return `ICMP6, neighbor solicitation, who has ${p.target ?? "::"}, length ${len}`;
    case "router-solicit":
      return `ICMP6, router solicitation, length ${len}`;
  }
}

/** The packet without its protocol's name, as after `-e`'s Ethernet header. */
export function ipv6Text(p: Ipv6Chatter): string {
  return `${p.src} > ${p.dst}: ${icmp6Text(p)}`;
}

/** Without -e: "IP6 ...". */
export function ipv6Line(p: Ipv6Chatter): string {
  return `IP6 ${ipv6Text(p)}`;
}

/** With -e: the Ethernet header's words for IPv6. */
export const IPV6_ETHERTYPE = "ethertype IPv6 (0x86dd)";
