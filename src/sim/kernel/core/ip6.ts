// IPv6 addresses as eight 16-bit groups, with the text forms inet_pton and glibc's
// inet_ntop use (longest run of two or more zero groups as "::", lower-case hex).

export type Ip6 = number[];

/** inet_pton(AF_INET6): "x:x::x", with an optional dotted IPv4 tail. */
export function parseIp6(s: string): Ip6 | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let text = s;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const b = v4.slice(2, 6).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    text = v4[1]!.endsWith("::") ? v4[1]! : v4[1]!.slice(0, -1);
  } else if (text.includes(".")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const part = (h: string): number[] | undefined => {
    if (h === "") return [];
    const out: number[] = [];
    for (const g of h.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = part(halves[0]!);
  if (!head) return undefined;
  if (halves.length === 1) {
    const all = [...head, ...tail];
    return all.length === 8 ? all : undefined;
  }
  const rest = part(halves[1]!);
  if (!rest) return undefined;
  const body = [...rest, ...tail];
  const zeros = 8 - head.length - body.length;
  if (zeros < 1) return undefined;
  return [...head, ...Array<number>(zeros).fill(0), ...body];
}

/** glibc inet_ntop6. */
export function formatIp6(g: Ip6): string {
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i < 8; i++) {
    if (g[i] === 0) {
      if (cur.base === -1) cur = { base: i, len: 1 };
      else cur.len++;
    } else if (cur.base !== -1) {
      if (best.base === -1 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (cur.base !== -1 && (best.base === -1 || cur.len > best.len)) best = cur;
  if (best.base !== -1 && best.len < 2) best = { base: -1, len: 0 };
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (best.base !== -1 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && g[5] === 0xffff))) {
      out += `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
      break;
    }
    out += g[i]!.toString(16);
  }
  if (best.base !== -1 && best.base + best.len === 8) out += ":";
  return out;
}

/** Canonical text of an IPv6 address given in any accepted form. */
export function canonicalIp6(s: string): string | undefined {
  const g = parseIp6(s);
  return g ? formatIp6(g) : undefined;
}

/** __ipv6_addr_type's scope for an address as `ip addr` prints it. */
export function ip6Scope(g: Ip6): "global" | "link" | "host" {
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "host";
  if ((g[0]! & 0xffc0) === 0xfe80) return "link";
  return "global";
}

export function isIp6Loopback(g: Ip6): boolean {
  return g.slice(0, 7).every((x) => x === 0) && g[7] === 1;
}
