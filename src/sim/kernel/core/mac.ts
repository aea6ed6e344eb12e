// Ethernet addresses as lower-case colon strings, the form iproute2 prints.
export type Mac = string;

export const BROADCAST_MAC: Mac = "ff:ff:ff:ff:ff:ff";
export const ZERO_MAC: Mac = "00:00:00:00:00:00";

export function isMulticastMac(m: Mac): boolean {
  return (parseInt(m.slice(0, 2), 16) & 1) === 1;
}

export function parseMac(s: string): Mac | undefined {
  if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(s)) return undefined;
  return s
    .split(":")
    .map((p) => p.toLowerCase().padStart(2, "0"))
    .join(":");
}

/** Random locally administered unicast MAC (eth_random_addr). */
export function randomMac(next: () => number): Mac {
  const bytes = Array.from({ length: 6 }, () => next() & 255);
  bytes[0] = (bytes[0]! & 0xfe) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

export function macCompare(a: Mac, b: Mac): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** IPv6 link-local from EUI-64 (addrconf_addr_gen): fe80::xxxx:xxff:fexx:xxxx. */
export function linkLocalFromMac(m: Mac): string {
  const b = m.split(":").map((x) => parseInt(x, 16));
  const eui = [b[0]! ^ 2, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(((eui[i]! << 8) | eui[i + 1]!).toString(16));
  return `fe80::${groups.join(":")}`;
}

/** Ethernet multicast for an IPv6 multicast address 33:33:xx:xx:xx:xx. */
export function ipv6McastMac(lowBytes: number[]): Mac {
  return ["33", "33", ...lowBytes.map((x) => x.toString(16).padStart(2, "0"))].join(":");
}
