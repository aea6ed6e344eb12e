// The kernel's account of a walk for people: its netfilter trace per namespace, packet by
// packet, in iptables' own words, and what the probe left behind.
import type { NfPathPacket, NfPathStep } from "../backend/trace-types.js";
import { stepText } from "./compare-nf.js";
import { indent, nsName, outputLines, paintVerdict, type Palette } from "./palette.js";
import type { Walk } from "./types.js";

export function kernelSection(walk: Walk, p: Palette): string[] {
  const k = walk.kernel;
  if (!k) return [];
  const lines = [p.bold("the kernel's netfilter trace (xtables-monitor --trace), per namespace:")];
  if (k.traced) lines.push(`  ${tracedText(k.traced, k.tracing)}`);
  if (k.netfilter.length === 0) lines.push("  no packet went through a traced netfilter chain");
  for (const [ns, packets] of byNamespace(k.netfilter)) {
    lines.push(`  ${p.cyan(ns)}`);
    packets.forEach((pkt, i) => {
      lines.push(`    ${i + 1}. ${nfPacketText(pkt)}`);
      for (const s of pkt.steps)
        lines.push(`         ${paintVerdict(nfStepText(s), s.verdict, p)}`);
    });
  }
  return [...lines, ...warningLines(k.warnings, p), ...kernelStateLines(k.state ?? [], p)];
}

/** Which namespaces were traced, and why those. */
export function tracedText(
  traced: readonly string[],
  tracing: "all" | "predicted" | undefined,
): string {
  const names = traced.map(nsName).join(", ");
  return tracing === "predicted"
    ? `traced: ${names} (where the simulator predicts the probe goes, its source and ` +
        `destination, and the root; --trace-all traces every namespace)`
    : `traced: every namespace (${traced.length > 10 ? traced.length : names})`;
}

/** What the probe left behind, as the kernel's tools print it (commands with output only). */
function kernelStateLines(state: { command: string; output: string }[], p: Palette): string[] {
  const shown = state.filter((s) => s.output.trim() !== "");
  if (shown.length === 0) return [];
  return [
    "",
    p.bold("state after the probe:"),
    ...shown.flatMap((s) => [`  $ ${s.command}`, ...outputLines(s.output).map(indent(4))]),
  ];
}

export function warningLines(warnings: string[], p: Palette): string[] {
  if (warnings.length === 0) return [];
  return ["", p.yellow("warnings:"), ...warnings.map((w) => `  - ${w}`)];
}

function byNamespace(packets: NfPathPacket[]): Map<string, NfPathPacket[]> {
  const m = new Map<string, NfPathPacket[]>();
  for (const pkt of packets) {
    const ns = nsName(pkt.ns);
    m.set(ns, [...(m.get(ns) ?? []), pkt]);
  }
  return m;
}

/** `src > dst proto`, with ports, TCP flags and length when the trace gave them. */
export function nfPacketText(pkt: NfPathPacket): string {
  const src = pkt.sport === undefined ? pkt.src : `${pkt.src}:${pkt.sport}`;
  const dst = pkt.dport === undefined ? pkt.dst : `${pkt.dst}:${pkt.dport}`;
  const flags = pkt.tcpFlags?.length ? ` [${pkt.tcpFlags.join(",")}]` : "";
  const len = pkt.len === undefined ? "" : ` len ${pkt.len}`;
  return `${src} > ${dst} ${pkt.proto ?? "?"}${flags}${len}`;
}

/** One netfilter trace event in words (the comparison's own wording, so marks line up). */
export const nfStepText: (s: NfPathStep) => string = stepText;
