// The order the concurrent labs start in: longest first (times recorded by
// record-lab-seconds.ts), labs with no recorded time before all others since they may be
// long. Several labs run at once; starting the long ones first keeps the run's tail short.
import { existsSync, readFileSync } from "node:fs";

export const LAB_SECONDS_FILE = "test/diff/lab-seconds.json";

export function longestFirst<T extends { file: string }>(labs: T[]): T[] {
  const seconds = existsSync(LAB_SECONDS_FILE)
    ? (JSON.parse(readFileSync(LAB_SECONDS_FILE, "utf8")) as Record<string, number>)
    : {};
  const time = (file: string): number => seconds[file] ?? Number.POSITIVE_INFINITY;
  return [...labs].sort((a, b) => time(b.file) - time(a.file) || a.file.localeCompare(b.file));
}
