// tcpdump's filter expressions (pcap-filter(7)), the subset a lab needs: the protocols
// `ip`, `ip6`, `arp`, `icmp`, `icmp6`, `tcp`, `udp`; `[src|dst] host ADDR`; `[src|dst] port N`; joined
// by `and`/`&&`, `or`/`||`, `not`/`!` and parentheses. The rest of the language is
// refused as not simulated; what libpcap itself rejects gets its message.
import { formatIp4, parseIp4, type Frame, type Ip4 } from "../../kernel/netlink/index.js";

export type Match = (frame: Frame) => boolean;

/** A refusal: libpcap's own error (tcpdump exits 1), or what the simulator does not model. */
export class FilterError extends Error {
  constructor(
    message: string,
    readonly notSimulated: boolean,
  ) {
    super(message);
  }
}

const SYNTAX = "can't parse filter expression: syntax error";

function tokens(text: string): string[] {
  return text
    .replace(/([()!])/g, " $1 ")
    .replace(/&&/g, " && ")
    .replace(/\|\|/g, " || ")
    .split(/\s+/)
    .filter((t) => t !== "");
}

/** The expression's words (tcpdump joins its arguments with spaces), as a predicate. */
export function compileFilter(words: readonly string[]): Match {
  const t = tokens(words.join(" "));
  if (t.length === 0) return () => true;
  let i = 0;
  const peek = (): string | undefined => t[i];
  const next = (): string => {
    const w = t[i++];
    if (w === undefined) throw new FilterError(SYNTAX, false);
    return w;
  };

  const orExpr = (): Match => {
    let left = andExpr();
    while (peek() === "or" || peek() === "||") {
      i++;
      const l = left;
      const r = andExpr();
      left = (f) => l(f) || r(f);
    }
    return left;
  };
  const andExpr = (): Match => {
    let left = unary();
    while (peek() === "and" || peek() === "&&") {
      i++;
      const l = left;
      const r = unary();
      left = (f) => l(f) && r(f);
    }
    return left;
  };
  const unary = (): Match => {
    const w = next();
    if (w === "not" || w === "!") {
      const m = unary();
      return (f) => !m(f);
    }
    if (w === "(") {
      const m = orExpr();
      if (next() !== ")") throw new FilterError(SYNTAX, false);
      return m;
    }
    if (w === ")" || w === "and" || w === "or" || w === "&&" || w === "||") {
      throw new FilterError(SYNTAX, false);
    }
    return primitive(w);
  };
  const primitive = (w: string): Match => {
    let dir: "src" | "dst" | undefined;
    if (w === "src" || w === "dst") {
      dir = w;
      w = next();
    }
    if (w === "host") return host(dir, next());
    if (w === "port") return port(dir, next());
    if (dir !== undefined) throw new FilterError(`tcpdump filter "${dir} ${w}"`, true);
    switch (w) {
      case "ip":
        return (f) => f.payload.proto === "ipv4";
      case "arp":
        return (f) => f.payload.proto === "arp";
      case "ip6":
        return (f) => f.payload.proto === "ipv6";
      case "icmp6":
        // `ip6 proto 58` does not chase headers: an MLD report's hop-by-hop header hides it.
        return (f) => f.payload.proto === "ipv6" && f.payload.what !== "mld-report";
      case "icmp":
      case "tcp":
      case "udp":
        return (f) => f.payload.proto === "ipv4" && f.payload.l4.proto === w;
    }
    throw new FilterError(`tcpdump filter "${w}"`, true);
  };

  const m = orExpr();
  if (i < t.length) throw new FilterError(SYNTAX, false);
  return m;
}

function host(dir: "src" | "dst" | undefined, word: string): Match {
  const a: Ip4 | undefined = parseIp4(word);
  if (a === undefined || formatIp4(a) !== word) {
    if (/^\d+(\.\d+){3}$/.test(word))
      throw new FilterError(`invalid IPv4 address '${word}'`, false);
    throw new FilterError(`tcpdump filter "host ${word}"`, true);
  }
  // `host` matches IPv4 and ARP (and RARP) addresses.
  return (f) => {
    const p = f.payload;
    if (p.proto === "ipv4") return (dir !== "dst" && p.src === a) || (dir !== "src" && p.dst === a);
    if (p.proto === "arp")
      return (dir !== "dst" && p.senderIp === a) || (dir !== "src" && p.targetIp === a);
    return false;
  };
}

function port(dir: "src" | "dst" | undefined, word: string): Match {
  if (!/^\d+$/.test(word)) throw new FilterError(`tcpdump filter "port ${word}"`, true);
  const n = Number(word);
  if (n > 65535) throw new FilterError(`illegal port number ${n} > 65535`, false);
  return (f) => {
    const p = f.payload;
    if (p.proto !== "ipv4" || (p.l4.proto !== "tcp" && p.l4.proto !== "udp")) return false;
    return (dir !== "dst" && p.l4.sport === n) || (dir !== "src" && p.l4.dport === n);
  };
}
