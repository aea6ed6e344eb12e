// A walk as a Mermaid sequence diagram: participants are the namespaces and the bridges
// the packets met, in the topology's drawing order; messages are frames crossing veth
// pairs with their headers; netfilter verdicts other than a policy's ACCEPT, NAT
// rewrites, bridge floods and deliveries are notes; a drop is a note in a red box.
import type { Topology } from "../backend/topology.js";
import type { WalkPacket, WalkStep } from "../walk/types.js";
import { seqText } from "./mermaid-text.js";
import { namespaceOrder } from "./topology-chart.js";

const MAX_HEADER = 90;

export interface SequenceOptions {
  title?: string;
  order?: readonly string[];
}

export function walkSequence(
  packets: readonly WalkPacket[],
  topo: Topology,
  opts: SequenceOptions = {},
): string {
  const nsOf = (id: string) => topo.namespaces.find((n) => n.id === id);
  const masterOf = (ns: string, dev: string): string | undefined =>
    nsOf(ns)?.devices.find((d) => d.name === dev)?.master;
  const nsName = (ns: string): string => (ns === "" ? "(root)" : ns);

  // Participants: namespaces, and bridges as their own lifelines.
  const used = new Set<string>();
  const pid = (ns: string, bridge?: string): string => {
    const key = bridge === undefined ? `ns:${ns}` : `br:${ns}/${bridge}`;
    used.add(key);
    return key;
  };
  const steps: { p: WalkPacket; s: WalkStep }[] = packets
    .flatMap((p) => p.steps.map((s) => ({ p, s })))
    .sort((a, b) => a.s.seq - b.s.seq);
  const body: string[] = [];
  const born = new Set<number>();
  /** A device's lifeline: its bridge's when it is a bridge port, else its namespace's. */
  const lifeline = (ns: string, dev: string | undefined): string =>
    pid(ns, dev === undefined ? undefined : masterOf(ns, dev));
  const note = (who: string, text: string): void => {
    body.push(`  Note over ${ref(who)}: ${seqText(text)}`);
  };
  for (const { p, s } of steps) {
    const tag = `[${p.id}]`;
    if (!born.has(p.id) && (s.kind === "route" || s.kind === "neigh")) {
      // Where the packet is born: say what it is.
      note(pid(s.ns), `${tag} ${p.summary}`);
    }
    born.add(p.id);
    switch (s.kind) {
      case "wire": {
        // A veth hop lands on s.dev; it left from that device's peer.
        const peer = s.dev ? nsOf(s.ns)?.devices.find((d) => d.name === s.dev)?.peer : undefined;
        const from = peer ? lifeline(peer.ns, peer.name) : pid(s.ns);
        const to = lifeline(s.ns, s.dev);
        body.push(
          `  ${ref(from)}->>${ref(to)}: ${seqText(`${tag} ${short(s.header)} (to ${s.dev})`)}`,
        );
        break;
      }
      case "up":
        body.push(
          `  ${ref(pid(s.ns, s.dev))}->>${ref(pid(s.ns))}: ${seqText(`${tag} up through ${s.dev}`)}`,
        );
        break;
      case "loopback":
        body.push(
          `  ${ref(pid(s.ns))}->>${ref(pid(s.ns))}: ${seqText(`${tag} ${short(s.header)} (lo)`)}`,
        );
        break;
      case "nf":
        if (s.nf && !(s.nf.policy && s.nf.verdict === "ACCEPT")) {
          const what = s.nf.policy
            ? `${s.nf.table} ${s.nf.chain} policy ${s.nf.verdict}`
            : `${s.nf.table} ${s.nf.chain} ${s.nf.rule ?? ""} → ${s.nf.verdict}`;
          note(pid(s.ns), `${tag} ${what}`);
        }
        break;
      case "nat":
        if (s.nat) note(pid(s.ns), `${tag} NAT ${s.nat.before} → ${s.nat.after}`);
        break;
      case "bridge":
        if (s.dev && /flooded/.test(s.text))
          note(pid(s.ns, s.dev), `${tag} ${s.text.replace(/^bridge \S+, /, "")}`);
        break;
      case "local":
        if (!s.ignored) note(pid(s.ns), `${tag} delivered on ${s.dev ?? "?"}`);
        break;
      case "drop":
        body.push("  rect rgb(255, 214, 214)");
        note(pid(s.ns), `${tag} DROPPED: ${s.reason ?? s.text}`);
        body.push("  end");
        break;
      default:
        break;
    }
  }

  const out: string[] = ["sequenceDiagram"];
  if (opts.title) out.push(`  %% ${opts.title.replace(/[\r\n]+/g, " ")}`);
  for (const n of namespaceOrder(topo, opts.order)) {
    if (used.has(`ns:${n.id}`))
      out.push(`  participant ${ref(`ns:${n.id}`)} as ${seqText(nsName(n.id))}`);
    for (const d of n.devices) {
      const key = `br:${n.id}/${d.name}`;
      if (used.has(key))
        out.push(`  participant ${ref(key)} as ${seqText(`${d.name} [${nsName(n.id)}]`)}`);
    }
  }
  if (body.length === 0) out.push(`  Note over ${ref(pid(""))}: no packet was seen`);
  return [...out, ...body].join("\n") + "\n";
}

/** A participant id Mermaid takes as one word: p_ and the key's characters as hex where needed. */
function ref(key: string): string {
  return (
    "p_" +
    [...key].map((c) => (/[A-Za-z0-9]/.test(c) ? c : `_${c.codePointAt(0)!.toString(16)}`)).join("")
  );
}

function short(header: string): string {
  return header.length > MAX_HEADER ? header.slice(0, MAX_HEADER - 1) + "…" : header;
}
