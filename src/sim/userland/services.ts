// /etc/services as netbase 6.4 (Debian 12) ships it, TCP and UDP entries in file order:
// what getservbyname and getservbyport find (the first match; an alias finds its entry,
// which is printed by its official name). Generated from the reference machine's file.

import { SERVICES } from "./netdb-data.js";

export interface Service {
  name: string;
  port: number;
  proto: "tcp" | "udp";
  aliases: string[];
}

const TABLE: Service[] = SERVICES.trim()
  .split("\n")
  .map((line) => {
    const [name, pp, ...aliases] = line.split(" ");
    const [port, proto] = pp!.split("/");
    return { name: name!, port: Number(port), proto: proto as "tcp" | "udp", aliases };
  });

/** getservbyname(name, proto). */
export function serviceByName(name: string, proto: "tcp" | "udp"): Service | undefined {
  return TABLE.find((s) => s.proto === proto && (s.name === name || s.aliases.includes(name)));
}

/** getservbyport(port, proto). */
export function serviceByPort(port: number, proto: "tcp" | "udp"): Service | undefined {
  return TABLE.find((s) => s.proto === proto && s.port === port);
}
