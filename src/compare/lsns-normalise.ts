// lsns and `ip netns pids`: what the kernel numbers at random. A namespace's inode number
// (NS) comes from a machine-wide allocator that other sandboxes share, and so does the
// rows' order (lsns sorts by it); process ids depend on everything the sandbox ran (node's
// own threads included). PID 1, the sandbox's init, stays; its command line (node running
// sandbox-init) is the machine's, and its row's process count includes the machinery's
// own (tsx's esbuild service when the sandbox runs from source). Column widths follow the numbers, so a row is compared
// as its words, and the rows as a set, without the tree's marks.

/** `lsns ...` (its last program word "lsns"). */
export function isLsns(command: string): boolean {
  return command.trim().split(/\s+/).includes("lsns");
}

/** `ip [-n NS] netns pids NAME`. */
export function isNetnsPids(command: string): boolean {
  return /\bnetns\s+pids?\b/.test(command) && /\bip\b/.test(command);
}

const LSNS_ROW = /^\s*(\d+) (\w+) +(\d+) +(\d+) (\S+) +(\S+) +(.*)$/;

export function normaliseLsns(s: string): string {
  const lines = s.split("\n");
  const last = lines.pop();
  const rows = lines.map((line) => {
    const m = LSNS_ROW.exec(line);
    if (m === null) return line.trim().replace(/ +/g, " ");
    const [, , type, nprocs, pid, user, nsid, rest] = m;
    // lsns draws a row as a child (|- or `-) when its process's parent has a row too;
    // on the kernel that parentage is the sandbox machinery's (seen both ways on a busy
    // machine), so the mark is left out.
    let tail = rest!.replace(/(^|\s)[|`]-/, "$1");
    if (pid === "1") {
      // The init's command: keep only a /run/netns name in front of it.
      const nsfs = /^(\/\S+) /.exec(tail)?.[1];
      tail = nsfs !== undefined && nsfs.startsWith("/run/") ? `${nsfs} INIT` : "INIT";
    }
    const count = pid === "1" ? "N" : nprocs;
    return ["NS", type, count, pid === "1" ? "1" : "PID", user, nsid, tail]
      .join(" ")
      .replace(/ +/g, " ");
  });
  return [...rows.sort(), last].join("\n");
}

export function normaliseNetnsPids(s: string): string {
  return s.replace(/^\d+$/gm, "PID");
}
