// IPv4 addresses as unsigned 32-bit numbers, and the prefix arithmetic routing needs.

export type Ip4 = number;

export function parseIp4(s: string): Ip4 | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function formatIp4(a: Ip4): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function maskOf(plen: number): number {
  return plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
}

export function network(a: Ip4, plen: number): Ip4 {
  return (a & maskOf(plen)) >>> 0;
}

export function broadcastOf(a: Ip4, plen: number): Ip4 {
  return (network(a, plen) | (~maskOf(plen) >>> 0)) >>> 0;
}

export function inPrefix(a: Ip4, net: Ip4, plen: number): boolean {
  return network(a, plen) === net;
}

export function isMulticast(a: Ip4): boolean {
  return a >>> 28 === 0xe;
}

export function isLoopback(a: Ip4): boolean {
  return a >>> 24 === 127;
}

export const LIMITED_BROADCAST: Ip4 = 0xffffffff;

/** "a.b.c.d/len" or "a.b.c.d" (len 32). */
export function parsePrefix(s: string): { addr: Ip4; plen: number } | undefined {
  const [a, l] = s.split("/");
  const addr = parseIp4(a ?? "");
  if (addr === undefined) return undefined;
  if (l === undefined) return { addr, plen: 32 };
  if (!/^\d+$/.test(l)) return undefined;
  const plen = Number(l);
  if (plen > 32) return undefined;
  return { addr, plen };
}
