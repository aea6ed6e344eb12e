// `arp` (net-tools 2.10, arp.c arp_show): reads /proc/net/arp, which lists the neighbour
// table's entries (all but NUD_NONE/NOARP-only ones), and prints them in the default
// (-e) or BSD (-a) style. Only the numeric display is simulated: without -n, arp looks
// names up, and -s/-d change the table (the kernel backend runs them).
import type { CommandResult } from "../../backend.js";
import { formatIp4 } from "../kernel/netlink/index.js";
import { notSimulatedResult } from "./not-simulated.js";
import { Output, type ProgramContext } from "./program.js";

interface ArpArgs {
  bsd: boolean;
  numeric: boolean;
  device?: string;
  host?: string;
}

/** A canonical dotted quad; other spellings go through inet_aton or the resolver. */
const DOTTED = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** getopt_long over "-a -e -n -i DEV" and their long forms; anything else is not simulated. */
function parse(args: readonly string[]): ArpArgs | CommandResult {
  const r: ArpArgs = { bsd: false, numeric: false };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const [name, value] = a.includes("=")
        ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
        : [a, undefined];
      if (name === "--numeric") r.numeric = true;
      else if (name === "--all") r.bsd = true;
      else if (name === "--device") {
        const v = value ?? args[++i];
        if (v === undefined) return notSimulatedResult("arp --device without a device");
        r.device = v;
      } else return notSimulatedResult(`arp ${name}`);
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (c === "a") r.bsd = true;
      else if (c === "e") r.bsd = false;
      else if (c === "n") r.numeric = true;
      else if (c === "i") {
        const v = j < a.length - 1 ? a.slice(j + 1) : args[++i];
        if (v === undefined) return notSimulatedResult("arp -i without a device");
        r.device = v;
        break;
      } else return notSimulatedResult(`arp -${c}`);
    }
  }
  if (!r.numeric) return notSimulatedResult("arp without -n (looking names up)");
  const host = positional[0];
  if (host !== undefined) {
    if (!DOTTED.test(host)) return notSimulatedResult("arp with a host name");
    r.host = host;
  }
  return r;
}

/** ATF_COM (a link-layer address is known) and ATF_PERM; the simulator has no permanent entries. */
interface ArpLine {
  ip: string;
  hw: string | undefined;
  dev: string;
}

export function arp(ctx: ProgramContext): CommandResult {
  const parsed = parse(ctx.args);
  if ("exit" in parsed) return parsed;
  const o = new Output();
  const table = ctx.ns.neigh;
  const lines: ArpLine[] = table.list().map((e) => ({
    ip: formatIp4(e.ip),
    hw: table.isValid(e) ? e.lladdr : undefined,
    dev: e.dev.name,
  }));
  let shown = 0;
  for (const l of lines) {
    if (parsed.host !== undefined && l.ip !== parsed.host) continue;
    if (parsed.device !== undefined && l.dev !== parsed.device) continue;
    if (shown++ === 0 && !parsed.bsd) {
      o.out("Address                  HWtype  HWaddress           Flags Mask            Iface\n");
    }
    o.out(parsed.bsd ? bsdLine(l) : defaultLine(l));
  }
  if (shown === 0) {
    if (parsed.host !== undefined && !parsed.bsd) {
      o.out(`${parsed.host} (${parsed.host}) -- no entry\n`);
    } else if (parsed.host !== undefined || parsed.device !== undefined) {
      o.out(`arp: in ${lines.length} entries no match found.\n`);
    }
  }
  return o.result(0);
}

/** arp_disp: "%-23.23s  ", then type and address (or "(incomplete)"), flags, mask, device. */
function defaultLine(l: ArpLine): string {
  const name = l.ip.padEnd(23).slice(0, 23) + "  ";
  const hw =
    l.hw === undefined
      ? "".padEnd(8) + "(incomplete)".padEnd(20)
      : "ether".padEnd(8) + l.hw.padEnd(20);
  const flags = l.hw === undefined ? "" : "C";
  return `${name}${hw}${flags.padEnd(6)}${"".padEnd(15)} ${l.dev}\n`;
}

/** arp_disp_2: "? (IP) at MAC [ether] on DEV" (the name is "?" with -n). */
function bsdLine(l: ArpLine): string {
  const at = l.hw === undefined ? "<incomplete> " : `${l.hw} [ether] `;
  return `? (${l.ip}) at ${at}on ${l.dev}\n`;
}
