// Link chatter in a capture (`kill %N`): the MLD reports, DAD and router solicitations a
// link sends once it has its IPv6 link-local address, and a bridge's IGMP reports, leave
// on the kernel's random timers (DAD and report delays below 1 s, solicitations ~4 s
// apart), so which of them fall inside a capture, and where among the other packets, is
// chance. Both sides' captures are compared without them (the `N packets captured` count
// less as many); what was left out is said in one note line. Everything else in a capture
// is compared as it is.
import type { CommandResult } from "../backend.js";
import { isCaptureOutput } from "./tcpdump-normalise.js";

/** A packet to an IPv6 link-scope group (ff02::/16), or an IGMPv3 report, as tcpdump prints it. */
const CHATTER =
  /(?:IP6 |ethertype IPv6 \(0x86dd\), length \d+: )\S+ > ff02::[0-9a-f:]*: |(?:IP |ethertype IPv4 \(0x0800\), length \d+: )\S+ > 224\.0\.0\.22: igmp /;
/** A VXLAN line: its inner frame is printed on the next line. */
const VXLAN = /: VXLAN, flags \[I\] \(0x08\), vni \d+$/;
/** tcpdump's count, "1 packet captured" in the singular (PLURAL_SUFFIX). */
const CAPTURED = /^(\d+) packets? captured$/m;

/** "1 packet", "2 packets": tcpdump's PLURAL_SUFFIX. */
const packets = (n: number): string => `${n} packet${n === 1 ? "" : "s"}`;

/** The capture's text without its chatter, and how many packets were left out. */
export function foldChatter(r: CommandResult): { result: CommandResult; folded: number } {
  const kept: string[] = [];
  let folded = 0;
  for (const line of r.stdout.split("\n")) {
    if (!CHATTER.test(line)) {
      kept.push(line);
      continue;
    }
    folded++;
    // Chatter inside a tunnel: its outer line goes with it (one packet).
    if (kept.length > 0 && VXLAN.test(kept[kept.length - 1]!)) kept.pop();
  }
  if (folded === 0) return { result: r, folded };
  const stderr = r.stderr.replace(CAPTURED, (_m, n: string) => {
    return `${packets(Math.max(0, Number(n) - folded))} captured`;
  });
  return { result: { ...r, stdout: kept.join("\n"), stderr }, folded };
}

/** The note a compared capture line gets when either side had chatter, else undefined. */
export function chatterNote(
  sim: CommandResult,
  kernel: CommandResult,
  command: string,
): string | undefined {
  if (!isCaptureOutput(command)) return undefined;
  const s = foldChatter(sim).folded;
  const k = foldChatter(kernel).folded;
  if (s === 0 && k === 0) return undefined;
  return `link chatter (IPv6 MLD/DAD/RS, IGMP: random moments) not compared: simulator ${packets(s)}, kernel ${packets(k)}`;
}
