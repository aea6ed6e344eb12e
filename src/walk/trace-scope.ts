// Where a kernel walk traces: tracing costs a monitor per namespace, so a walk in a world
// of 200 containers traces only where its probe can go, as the simulator predicts it (the
// same script and probe, run first in a simulator of their own): the probe's namespace,
// the owner of each address the probe names, every namespace the simulated IPv4 packets
// touched, and the root. The kernel stays the judge: what its trace shows is held against
// the prediction, and a probe that took another way is said to have (scopeWarnings).
import type { Backend, CommandResult, SimTraceAccount } from "../backend.js";
import type { Topology } from "../backend/topology.js";
import { nsDisplay, ROOT_NS, type NsName, type TraceEntry } from "../backend/trace-types.js";
import { parseLine } from "../script/parse.js";
import type { LabCommand } from "../script/types.js";
import { probeNs } from "./probe.js";
import { containerNs, containersOf } from "./state-reads.js";

export interface TraceScope {
  /** The namespaces to trace: the root first, then by name. */
  namespaces: NsName[];
  /** The simulator's probe: its exit code, and where its IPv4 packets entered a stack. */
  predicted: { exit: number; stacks: NsName[] };
  /** Doors out of the scope: veth ends in a traced namespace whose peer is not traced. */
  exits: { ns: NsName; dev: string; to: NsName }[];
}

/**
 * Whether a prediction can scope the kernel's trace: not for a script some line of which
 * an expander rewrote (its commands are not the script's lines). Docker's containers are
 * named alike on both sides ("web (container)"): the kernel finds each one's namespace by
 * the container's name (real/docker/container-netns.ts).
 */
export function predictable(commands: readonly LabCommand[], probe: LabCommand): boolean {
  return ![...commands, probe].some((c) => c.provenance.expandedBy !== undefined);
}

/**
 * Runs the probe in the predicting simulator (set up with the walk's script) and says
 * where the kernel should trace. The predictor is spent: the probe has run in it.
 */
export async function predictScope(
  predictor: Backend<SimTraceAccount>,
  probe: LabCommand,
  commands: readonly LabCommand[] = [],
): Promise<TraceScope> {
  const topology = await predictor.inspect();
  // inspect() lists no container: the owners of the probe's addresses are asked of docker.
  const unowned = addressesIn(probe).filter((a) => owners([a], topology).length === 0);
  const extra = unowned.length > 0 ? await containerOwners(predictor, commands, unowned) : [];
  const { result, account } = await predictor.trace(probe);
  const scope = scopeOf(probe, result, account.entries, topology);
  if (extra.length === 0) return scope;
  return { ...scope, namespaces: sorted(new Set([...scope.namespaces, ...extra])) };
}

/** The containers' namespaces with one of `addresses` (`docker exec C ip -o -4 addr`). */
async function containerOwners(
  backend: Backend,
  commands: readonly LabCommand[],
  addresses: readonly string[],
): Promise<NsName[]> {
  const out: NsName[] = [];
  for (const name of await containersOf(backend, commands)) {
    const cmd = parseLine(`docker exec ${name} ip -o -4 addr`, 0, "<walk>");
    const r = cmd ? await backend.run(cmd) : undefined;
    const mine = [...(r?.stdout ?? "").matchAll(/\sinet ([\d.]+)\//g)].map((m) => m[1]);
    if (mine.some((a) => a !== undefined && addresses.includes(a))) out.push(containerNs(name));
  }
  return out;
}

/** The scope from a simulated probe's trace and the world it ran in. */
export function scopeOf(
  probe: LabCommand,
  result: CommandResult,
  entries: readonly TraceEntry[],
  topology: Topology,
): TraceScope {
  const names = new Set<NsName>([ROOT_NS, probeNs(probe)]);
  for (const ns of owners(addressesIn(probe), topology)) names.add(ns);
  const stacks = new Set<NsName>();
  for (const e of entries) {
    // ARP is not traced (nftables' ip family), and its broadcasts reach every port.
    if (e.kind === "transition" || e.pkt.protocol === "arp") continue;
    if (e.kind === "hop") {
      if (e.from) names.add(e.from.ns);
      names.add(e.to.ns);
      continue;
    }
    names.add(e.point.ns);
    if (entersStack(e)) stacks.add(e.point.ns);
  }
  return {
    namespaces: sorted(names),
    predicted: { exit: result.exit, stacks: sorted(stacks) },
    exits: exitsOf(names, topology),
  };
}

/** veth ends (bridge ports among them) in `names` whose other end is elsewhere. */
function exitsOf(names: Set<NsName>, topology: Topology): TraceScope["exits"] {
  return topology.namespaces
    .filter((n) => names.has(n.id))
    .flatMap((n) =>
      n.devices.flatMap((d) =>
        d.peer && !names.has(d.peer.ns) ? [{ ns: n.id as NsName, dev: d.name, to: d.peer.ns }] : [],
      ),
    );
}

/**
 * Whether the kernel's trace must show this packet in the point's namespace: it passed
 * the prerouting or output hook there, where packetwalk's trace chains mark it. A local
 * packet with no route never reaches the output hook (the send fails first).
 */
function entersStack(e: Extract<TraceEntry, { kind: "point" }>): boolean {
  const p = e.point;
  if (p.kind === "route") return p.dir !== "output" || p.route !== undefined;
  return p.kind === "nf" || p.kind === "ct" || p.kind === "nat";
}

/** IPv4 addresses among the probe's words (ping's and nc's destination). */
function addressesIn(probe: LabCommand): string[] {
  return probe.args.filter((a) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a));
}

/** Namespaces with one of these addresses on a device. */
function owners(addresses: string[], topology: Topology): NsName[] {
  const wanted = new Set(addresses);
  return topology.namespaces
    .filter((n) => n.devices.some((d) => d.addresses.some((a) => wanted.has(a.address))))
    .map((n) => n.id as NsName);
}

function sorted(names: Set<NsName>): NsName[] {
  return [...names].sort((a, b) => (a === ROOT_NS ? -1 : b === ROOT_NS ? 1 : a < b ? -1 : 1));
}

const list = (names: readonly NsName[]): string => names.map(nsDisplay).join(", ");

/**
 * What the kernel's trace says of the prediction the scope was made from: namespaces
 * where the simulator's packets entered a stack and the kernel's did not, and a probe that
 * ended otherwise. Either means the kernel's packets took another way, possibly through
 * namespaces that were not traced: the walk says so instead of showing less in silence.
 */
export function scopeWarnings(
  scope: TraceScope,
  kernel: {
    result: CommandResult;
    netfilter: readonly { ns: NsName }[];
    traced: readonly NsName[];
    egress?: readonly { ns: NsName; dev: string; to?: NsName | null }[];
  },
): string[] {
  const seen = new Set(kernel.netfilter.map((p) => p.ns));
  const missing = scope.predicted.stacks.filter((ns) => !seen.has(ns));
  const out: string[] = [];
  const traced = `only ${list(kernel.traced)} were traced`;
  // Where the kernel says a device leads, it is believed; else the simulator's topology
  // (the same devices by name, for a world without docker's random names).
  const escaped = (kernel.egress ?? []).flatMap((e) =>
    e.to === undefined
      ? scope.exits.filter((x) => x.ns === e.ns && x.dev === e.dev)
      : e.to === null || !kernel.traced.includes(e.to)
        ? [{ ns: e.ns, dev: e.dev, to: e.to }]
        : [],
  );
  for (const x of escaped) {
    const into = x.to === null ? "a namespace" : nsDisplay(x.to);
    out.push(
      `the kernel's packets left ${nsDisplay(x.ns)} by ${x.dev} into ${into}, which the simulator ` +
        `did not predict and which was not traced: what happened there is missing from this walk ` +
        `(${traced}; --trace-all traces every namespace)`,
    );
  }
  if (missing.length > 0) {
    out.push(
      `the simulator's packets went through ${list(missing)}, the kernel's did not: they took another way, ` +
        `possibly through namespaces that were not traced (${traced}; --trace-all traces every namespace)`,
    );
  }
  if (kernel.result.exit !== scope.predicted.exit) {
    out.push(
      `the probe exited ${kernel.result.exit} on the kernel and ${scope.predicted.exit} in the simulator's ` +
        `prediction: its packets may have gone where the prediction did not (${traced}; --trace-all traces every namespace)`,
    );
  }
  return out;
}

/**
 * Namespaces where the simulator's walk (with --compare) went and the kernel was not
 * traced: a difference there says nothing of the kernel (the scope came from a predictor
 * whose walk went elsewhere).
 */
export function untracedSimWarnings(
  sim: readonly { ns: NsName }[],
  traced: readonly NsName[],
): string[] {
  const outside = sorted(new Set(sim.map((p) => p.ns).filter((ns) => !traced.includes(ns))));
  if (outside.length === 0) return [];
  return [
    `the simulator's packets went through ${list(outside)}, where the kernel was not traced ` +
      `(the prediction went elsewhere; --trace-all traces every namespace)`,
  ];
}
