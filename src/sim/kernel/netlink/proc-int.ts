// How the kernel reads integers written to /proc/sys (kernel/sysctl.c proc_get_long):
// whitespace, an optional '-', then strtoul with base 0 (0x.. hex, 0.. octal, decimal);
// the number must end at whitespace or at the end, be shorter than 21 characters, and
// fit the handler's type. A vector handler reads as many numbers as it holds and ignores
// the rest of the write.

/** proc_get_long's buffer less its terminator: a number this long or longer is refused. */
const TMPBUFLEN = 22;

/** One number from the front of s: its value and the text after it, or undefined (EINVAL). */
function procLong(s: string): { value: bigint; rest: string } | undefined {
  const m = /^(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return undefined;
  const [token, sign, digits] = m as unknown as [string, string, string];
  if (token.length >= TMPBUFLEN - 1) return undefined;
  const rest = s.slice(token.length);
  if (rest !== "" && !/^\s/.test(rest)) return undefined;
  const base = /^0[xX]/.test(digits) ? 16 : digits.length > 1 && digits[0] === "0" ? 8 : 10;
  const body = base === 16 ? digits.slice(2) : digits;
  let u = 0n;
  for (const c of body) u = u * BigInt(base) + BigInt(parseInt(c, base));
  // strtoul_lenient: more than an unsigned long holds is -ERANGE.
  if (u > 0xffffffffffffffffn) return undefined;
  return { value: sign === "-" ? -u : u, rest };
}

/** The integers a write sets, up to `count` of them (proc_dointvec); undefined for EINVAL. */
export function procInts(
  raw: string,
  count: number,
  min = -(2n ** 31n),
  max = 2n ** 31n - 1n,
): number[] | undefined {
  const out: number[] = [];
  let s = raw.trimStart();
  while (out.length < count && s !== "") {
    const n = procLong(s);
    if (n === undefined || n.value < min || n.value > max) return undefined;
    out.push(Number(n.value));
    s = n.rest.trimStart();
  }
  // A write of nothing but whitespace sets nothing and is refused.
  return out.length === 0 ? undefined : out;
}
