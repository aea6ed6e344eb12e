// `packetwalk walk SCRIPT ping -c1 ...` without `--`: the probe's options would be read as
// packetwalk's (commander: "unknown option '-c1'"). Caught before commander, with the
// command line as it should be.
import { quote } from "shell-quote";

/** walk's options that take a value, and its flags. */
const WITH_VALUE = new Set(["--profile", "--seed", "--timeout", "--only", "--packet", "--until"]);
const FLAGS = new Set([
  "--sim",
  "--kernel",
  "--compare",
  "--trace-all",
  "--json",
  "--step",
  "-v",
  "--verbose",
  "-h",
  "--help",
]);

const isWalkOption = (w: string): boolean =>
  FLAGS.has(w) || WITH_VALUE.has(w) || WITH_VALUE.has(w.split("=")[0]!);

/** The hint for `args` (argv after the program name), or undefined when there is none. */
export function missingDashDash(args: readonly string[]): string | undefined {
  if (args[0] !== "walk" || args.includes("--")) return undefined;
  const before: string[] = [];
  let i = 1;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("-") || a === "-") break;
    before.push(a);
    if (WITH_VALUE.has(a) && i + 1 < args.length) before.push(args[++i]!);
  }
  const script = args[i];
  if (script === undefined) return undefined;
  const after: string[] = [];
  const probe: string[] = [];
  for (let j = i + 1; j < args.length; j++) {
    const a = args[j]!;
    if (isWalkOption(a)) {
      after.push(a);
      if (WITH_VALUE.has(a) && j + 1 < args.length) after.push(args[++j]!);
    } else probe.push(a);
  }
  const stray = probe.find((w) => w.startsWith("-"));
  if (stray === undefined) return undefined;
  const fixed = ["packetwalk", "walk", ...before, script, ...after, "--", ...probe];
  return (
    `packetwalk walk: put \`--\` before the probe, or its options (${stray}) are read as packetwalk's:\n` +
    `  ${quote(fixed)}`
  );
}
