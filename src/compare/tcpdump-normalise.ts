// What a capture printed (`kill %N` prints it): the kernel's clock, random ids (ICMP
// echo's, DNS transactions'), initial sequence numbers, TCP timestamps and windows (the
// machine's buffer sizes), ephemeral ports, and libpcap's counts of what its socket
// received (a buffer may hold more than -c N took) are replaced; the packets, their order
// and the captured count stay.

/** `kill %N`: the line that prints a capture. */
export function isCaptureOutput(command: string): boolean {
  return /^kill\s+%\d+\s*$/.test(command.trim());
}

const RULES: [RegExp, string][] = [
  [/^\d\d:\d\d:\d\d\.\d{6} /gm, "TS "],
  [/(ICMP echo (?:request|reply), id )\d+/g, "$1ID"],
  [/\b(seq|ack) \d{6,}\b/g, "$1 ISN"],
  [/\bwin \d+/g, "win W"],
  [/\bTS val \d+ ecr \d+/g, "TS val T ecr T"],
  [/\bwscale \d+/g, "wscale W"],
  [/^\d+ packets? (received by filter|dropped by kernel)$/gm, "N packets $1"],
];

/**
 * A DNS message's transaction id (random in each resolver): the number that starts the
 * decode of a datagram whose source or destination port is 53 or 5353.
 */
const DNS_ID = /(\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+): \d+\b/g;
const DNS_PORTS = new Set(["53", "5353"]);

/** An address's port (a.b.c.d.PORT) in the ephemeral range. */
const EPHEMERAL = /\b(\d+\.\d+\.\d+\.\d+)\.(\d{5})\b/g;

export function normaliseCapture(s: string): string {
  let out = s;
  for (const [re, rep] of RULES) out = out.replace(re, rep);
  out = out.replace(DNS_ID, (m, a: string, p: string, b: string, q: string) =>
    DNS_PORTS.has(p) || DNS_PORTS.has(q) ? `${a}.${p} > ${b}.${q}: DNSID` : m,
  );
  return out.replace(EPHEMERAL, (m, a: string, p: string) =>
    Number(p) >= 32768 && Number(p) <= 60999 ? `${a}.EPH` : m,
  );
}
