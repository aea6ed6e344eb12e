// What a walk reads after its probe, to show (--kernel) or compare (--compare) the state
// the probe left: neighbours, bridge forwarding entries, conntrack entries and iptables
// counters, in the root, in every namespace the script named, and in every running
// container's namespace. A container's namespace has no `ip netns` name (dockerd keeps it
// under /run/docker/netns/<id>): it is read as a learner would, through the container's
// PID (`nsenter -t $(docker inspect -f '{{.State.Pid}}' web) -n ip neigh show`), which
// each backend resolves in its own world (the kernel enters the namespace with the host's
// tools, the simulator finds it by the container's name). Docker's random ids and veth
// names in what is read are folded by the comparison (compare/docker-normalise.ts).
import type { Backend } from "../backend.js";
import { nsOf, type NsName } from "../backend/trace-types.js";
import { parseLine } from "../script/parse.js";
import { ask as askLine, runningContainers } from "./running-containers.js";
import type { LabCommand, LabScript } from "../script/types.js";

/** A namespace to read: the root, one `ip netns add` named, or a container's. */
export interface StatePlace {
  ns: NsName;
  /** The container whose namespace it is. */
  container?: string;
}

/** What is read in each place; conntrack per protocol (a bridge's IGMP makes entries too). */
const READS = [
  "ip neigh show",
  "bridge fdb show",
  "conntrack -L -p icmp",
  "conntrack -L -p tcp",
  "conntrack -L -p udp",
  "iptables-save -c",
];

/** What traces call a container's namespace (as both backends' traces do). */
export const containerNs = (name: string): NsName => `${name} (container)`;

const line = (text: string): LabCommand | null => parseLine(text, 0, "<walk>");

const ask = (backend: Backend, text: string) => askLine(backend, text, "<walk>");

/** The running containers with a namespace of their own (running-containers.ts). */
export const containersOf = (backend: Backend, commands: readonly LabCommand[]) =>
  runningContainers(backend, commands, "<walk>");

/** Namespaces the script made (`ip netns add NAME`), in order. */
function namedNamespaces(script: LabScript): string[] {
  const names = script.commands.flatMap((c) =>
    c.program === "ip" && c.args[0] === "netns" && c.args[1] === "add" && c.args[2]
      ? [c.args[2]]
      : [],
  );
  return [...new Set(names)];
}

/**
 * Where to read: the root, the script's namespaces, the containers; with `only`, only
 * those of them (where the probe was traced: elsewhere it left nothing, trace-scope.ts).
 */
export function statePlaces(
  script: LabScript,
  containers: readonly string[],
  only?: readonly string[],
): StatePlace[] {
  const places: StatePlace[] = [
    { ns: nsOf(undefined) },
    ...namedNamespaces(script).map((n) => ({ ns: nsOf(n) })),
    ...containers.map((c) => ({ ns: containerNs(c), container: c })),
  ];
  return only ? places.filter((p) => only.includes(p.ns)) : places;
}

/** A read: its text as people are shown it, and the command this backend runs for it. */
export interface StateRead {
  text: string;
  command: LabCommand;
}

/**
 * The reads of one place for one backend. A container's PID is asked once per place (a
 * `docker inspect` of the real daemon is slow): the command then names the PID, its text
 * the `$(...)` a learner would write. When the PID cannot be had, the line with its
 * `$(...)` runs as written, and says why itself.
 */
export async function stateReads(place: StatePlace, backend: Backend): Promise<StateRead[]> {
  let prefix = place.ns === "" ? "" : `ip netns exec ${place.ns} `;
  let shown = prefix;
  if (place.container !== undefined) {
    shown = `nsenter -t $(docker inspect -f '{{.State.Pid}}' ${place.container}) -n `;
    const pid = (
      await ask(backend, `docker inspect -f '{{.State.Pid}}' ${place.container}`)
    )?.trim();
    prefix = pid && /^[1-9]\d*$/.test(pid) ? `nsenter -t ${pid} -n ` : shown;
  }
  return READS.flatMap((r) => {
    const command = line(prefix + r);
    return command ? [{ text: shown + r, command }] : [];
  });
}
