// `sysctl`: net.* keys only (they belong to a network namespace), named one by one.
import type { ProgramSpec } from "./types.js";

// Dotted or slashed, not mixed: sysctl swaps '.' and '/' in mixed keys, and "net.//.x"
// would become "net/../x".
const NET_KEY = /^net(?:(?:\.[A-Za-z0-9_-]+)+|(?:\/[A-Za-z0-9_-]+)+)$/;

/** -p/-f/--load/--system read settings from the machine's files. */
const fromFiles = (a: string): boolean =>
  /^-[a-zA-Z]*[pf]/.test(a) || a.startsWith("--load") || a === "--system";

export const sysctl = {
  help: "sysctl",
  check(args) {
    for (const a of args) {
      if (fromFiles(a)) {
        return "sysctl -p/-f/--system read files from the machine; set each key with sysctl -w";
      }
      if (a === "-a" || a === "--all" || a === "-A" || a === "-X")
        return `sysctl ${a} is not supported: name the keys`;
      if (!a.startsWith("-") && !/^net[./]/.test(a)) {
        return `only net.* settings belong to a network namespace; "${a.split("=")[0]}" would change the whole machine`;
      }
    }
    return undefined;
  },
  kernel: {
    guard(args) {
      for (const a of args) {
        if (fromFiles(a)) {
          return `packetwalk: sysctl ${a}: loading settings from files is not supported; set each key with sysctl -w\n`;
        }
        if (a.startsWith("-") || !a.includes("=")) continue;
        const key = a.slice(0, a.indexOf("="));
        if (!NET_KEY.test(key)) {
          return `packetwalk: sysctl: ${key}: only net.* settings belong to the lab's namespaces\n`;
        }
      }
      return undefined;
    },
  },
} satisfies ProgramSpec;
