// Where each device the egress watch saw leads (egress-watch.ts), in the kernel's own
// terms: the namespace of a veth's other end. The walk holds it against the traced
// namespaces to tell when the kernel's packets went where it did not trace. The kernel
// says it, not the simulator's topology: docker names the host ends of its veths at
// random (veth + 7 hex digits), differently on each side, and the simulator's inspect()
// lists no container's namespace.
//
// A veth's other end is the veth, in another namespace, whose ifindex is this one's link
// index and whose link index is this one's ifindex (as inspect.ts pairs them). The
// traced namespaces are read first; the others only when a device leads out of them.
import type { Egress } from "./egress-watch.js";
import { inNamespace } from "./egress-watch.js";
import type { Sandbox } from "./sandbox.js";

/** A namespace to look in: its name as traces give it, and its file for a container's. */
export interface Place {
  ns: string;
  file?: string;
}

/** An egress device and where it leads: a namespace's name, or null when none was found. */
export interface EgressTo extends Egress {
  /** Absent: not a veth into another namespace (a bridge, lo, a veth within the namespace). */
  to?: string | null;
}

interface Veth {
  ifname: string;
  ifindex: number;
  linkIndex: number;
  /** Present when the other end is in another namespace. */
  netnsid?: number;
}

/** The veths `ip -j link show` lists (those with a link index). */
export function parseVeths(json: string): Veth[] {
  let links: unknown;
  try {
    links = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(links)) return [];
  return (links as Record<string, unknown>[]).flatMap((l) => {
    const { ifname, ifindex, link_index: linkIndex, link_netnsid: netnsid } = l;
    if (typeof ifname !== "string" || typeof ifindex !== "number") return [];
    if (typeof linkIndex !== "number") return [];
    return [{ ifname, ifindex, linkIndex, ...(typeof netnsid === "number" ? { netnsid } : {}) }];
  });
}

async function vethsIn(sandbox: Sandbox, p: Place): Promise<Veth[]> {
  const r = await sandbox.exec({
    argv: inNamespace(p.ns, ["ip", "-j", "link", "show"], p.file),
    background: false,
  });
  return r.exit === 0 ? parseVeths(r.stdout) : [];
}

/** The namespace among `places` holding the other end of `v` (read in `from`). */
function mirror(v: Veth, from: string, read: Map<string, Veth[]>): string | undefined {
  for (const [ns, veths] of read) {
    if (ns === from) continue;
    if (veths.some((w) => w.ifindex === v.linkIndex && w.linkIndex === v.ifindex)) return ns;
  }
  return undefined;
}

/**
 * Each egress device with where it leads. `traced`: the namespaces watched (every egress
 * is in one); `others`: the rest, read only if a veth's other end is not among the traced.
 */
export async function egressPeers(
  sandbox: Sandbox,
  egress: readonly Egress[],
  traced: readonly Place[],
  others: () => Promise<Place[]>,
): Promise<EgressTo[]> {
  if (egress.length === 0) return [];
  const read = new Map<string, Veth[]>(
    await Promise.all(traced.map(async (p) => [p.ns, await vethsIn(sandbox, p)] as const)),
  );
  const out: EgressTo[] = egress.map((e) => ({ ...e }));
  const open: { e: EgressTo; v: Veth }[] = [];
  for (const e of out) {
    const v = read.get(e.ns)?.find((x) => x.ifname === e.dev);
    if (v?.netnsid === undefined) continue;
    const to = mirror(v, e.ns, read);
    if (to !== undefined) e.to = to;
    else open.push({ e, v });
  }
  if (open.length === 0) return out;
  const rest = (await others()).filter((p) => !read.has(p.ns));
  const more = new Map<string, Veth[]>(
    await Promise.all(rest.map(async (p) => [p.ns, await vethsIn(sandbox, p)] as const)),
  );
  for (const { e, v } of open) e.to = mirror(v, e.ns, more) ?? null;
  return out;
}
