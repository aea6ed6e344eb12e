// `arp` (net-tools): shows the neighbour table (/proc/net/arp). -s/-d change the lab's
// own namespace only, so they may run (the simulator says "not simulated"); -f reads
// /etc/ethers or another file from the machine, which a lab may not do.
import type { ProgramSpec } from "./types.js";

/** Short options that take an argument (getopt "A:H:p:i:t:"): the rest of the word, or the next. */
const WITH_ARG = "AHpit";

export const arp = {
  help: "arp",
  check(args) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === "--") break;
      if (a === "--file" || a.startsWith("--file=")) return FILE_REFUSAL;
      if (!a.startsWith("-") || a.startsWith("--")) continue;
      for (let j = 1; j < a.length; j++) {
        if (a[j] === "f") return FILE_REFUSAL;
        if (WITH_ARG.includes(a[j]!)) {
          if (j === a.length - 1) i++;
          break;
        }
      }
    }
    return undefined;
  },
} satisfies ProgramSpec;

const FILE_REFUSAL = "arp -f reads files from the machine; add each entry with ip neigh add";
