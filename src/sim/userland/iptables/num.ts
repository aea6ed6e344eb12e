// Number parsing as libxtables does it (xtables.c xtables_strtoul): strtoul with base 0,
// so 0x10 is hex and 010 octal; no minus sign; with no end pointer the whole string must
// be the number.

/** strtoul(s, &end, 0): the value and what follows it, or undefined without digits. */
export function strtoul(s: string): { value: number; rest: string } | undefined {
  const m = /^\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return undefined;
  if (/^\s*-/.test(s)) return undefined;
  const digits = m[1]!;
  const value = /^0[xX]/.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith("0")
      ? parseInt(digits, 8)
      : Number(digits);
  return { value, rest: s.slice(m[0].length) };
}

/** xtables_strtoui(s, NULL, &v, min, max): the whole string, within [min, max]. */
export function strtoui(s: string, min: number, max: number): number | undefined {
  const r = strtoul(s);
  if (!r || r.rest !== "" || r.value < min || r.value > max) return undefined;
  return r.value;
}

/** As strtoui but the number may be followed by more (the end pointer is returned). */
export function strtouiPrefix(
  s: string,
  min: number,
  max: number,
): { value: number; rest: string } | undefined {
  const r = strtoul(s);
  if (!r || r.value < min || r.value > max) return undefined;
  return r;
}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
