// The name lookups iptables makes through libc: services, protocols, hosts and networks.
// The data is Debian 12's (netbase 6.4); hosts and networks are the stock /etc/hosts and
// /etc/networks, and there is no DNS in a lab (the sandbox has no route out), so every
// other address stays numeric.
import { parseIp4, type Ip4 } from "../../kernel/netlink/index.js";
import { PROTOCOLS, SERVICES } from "../netdb-data.js";

interface Entry {
  name: string;
  num: number;
  proto?: string;
  aliases: string[];
}

function parse(text: string, withProto: boolean): Entry[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const [name, num, ...aliases] = l.split(" ") as [string, string, ...string[]];
      if (!withProto) return { name, num: Number(num), aliases };
      const [port, proto] = num.split("/") as [string, string];
      return { name, num: Number(port), proto, aliases };
    });
}

const services = parse(SERVICES, true);
const protocols = parse(PROTOCOLS, false);

/** getservbyport: the first name /etc/services gives the port for that protocol. */
export function serviceName(port: number, proto: string): string | undefined {
  return services.find((s) => s.num === port && s.proto === proto)?.name;
}

/** getservbyname: a name or alias for that protocol. */
export function servicePort(name: string, proto: string): number | undefined {
  return services.find((s) => s.proto === proto && (s.name === name || s.aliases.includes(name)))
    ?.num;
}

/** getprotobynumber. */
export function protocolName(num: number): string | undefined {
  return protocols.find((p) => p.num === num)?.name;
}

/** getprotobyname: a name or alias. */
export function protocolNumber(name: string): number | undefined {
  return protocols.find((p) => p.name === name || p.aliases.includes(name))?.num;
}

/** /etc/hosts: only the stock localhost line. */
const HOSTS: [string, string][] = [["localhost", "127.0.0.1"]];

/** /etc/networks of netbase. */
const NETWORKS: [string, string][] = [
  ["default", "0.0.0.0"],
  ["loopback", "127.0.0.0"],
  ["link-local", "169.254.0.0"],
];

export function hostAddress(name: string): Ip4 | undefined {
  const h = HOSTS.find(([n]) => n === name);
  return h ? parseIp4(h[1]) : undefined;
}

export function hostName(addr: Ip4): string | undefined {
  return HOSTS.find(([, a]) => parseIp4(a) === addr)?.[0];
}

export function networkAddress(name: string): Ip4 | undefined {
  const n = NETWORKS.find(([nn]) => nn === name);
  return n ? parseIp4(n[1]) : undefined;
}

export function networkName(addr: Ip4): string | undefined {
  return NETWORKS.find(([, a]) => parseIp4(a) === addr)?.[0];
}
