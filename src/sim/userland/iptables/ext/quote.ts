// xtables.c xtables_save_string: a value is printed bare when it is only letters, digits,
// "_" and "-", otherwise in double quotes with ", \ and ' escaped by a backslash.

export function saveString(value: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(value)) return ` ${value}`;
  return ` "${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}
