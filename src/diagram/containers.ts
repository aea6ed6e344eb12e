// Docker containers in the topology: Backend.inspect() lists the namespaces `ip netns`
// names, and a container's namespace has no such name (dockerd keeps it under
// /run/docker/netns), so the host end of its veth would hang on the bridge unconnected.
// What docker itself says of each running container (src/cli/docker-containers.ts asks
// it the same way in both backends) is merged in as a namespace labelled with the
// container's name, and each of its veths is joined to the host end `eth0@ifN` names.
import { ROOT_NS, type NsId } from "../backend/ids.js";
import type { Device, NamespaceState, Route, Topology } from "../backend/topology.js";

/** A running container's interfaces, as `ip -o link` and `ip -o -4 addr` print them in it. */
export interface ContainerView {
  name: string;
  devices: {
    name: string;
    /** The host end's ifindex in the root namespace (`eth0@if7`), for a veth. */
    peerIfindex?: number;
    up: boolean;
    carrier: boolean;
    addresses: { address: string; prefixlen: number }[];
  }[];
  /** `ip route show default` in it: the gateway and device. */
  gateway?: { via?: string; dev: string };
}

/**
 * The namespace id a container is drawn under: its name and "(container)", so it reads
 * well as the group's title and stays apart from a namespace `ip netns add` named.
 */
export function containerNsId(name: string): NsId {
  return `${name} (container)` as NsId;
}

export function withContainers(topo: Topology, containers: readonly ContainerView[]): Topology {
  if (containers.length === 0) return topo;
  const copy = structuredClone(topo);
  const root = copy.namespaces.find((n) => n.id === ROOT_NS);
  for (const c of containers) {
    const id = containerNsId(c.name);
    if (copy.namespaces.some((n) => n.id === id)) continue;
    // A namespace `ip netns attach` named is in the topology already, joined to the host.
    const hostEnd = (d: ContainerView["devices"][number]): Device | undefined =>
      root?.devices.find((x) => x.ifindex === d.peerIfindex && x.kind === "veth");
    if (c.devices.some((d) => d.peerIfindex !== undefined && hostEnd(d)?.peer !== undefined))
      continue;
    const devices: Device[] = c.devices.map((d, i) => {
      const dev: Device = {
        name: d.name,
        ifindex: i + 1,
        kind: d.name === "lo" ? "loopback" : d.peerIfindex !== undefined ? "veth" : "other",
        up: d.up,
        operstate: d.up && d.carrier ? "UP" : "DOWN",
        carrier: d.carrier,
        mtu: 0,
        mac: "",
        addresses: d.addresses.map((a) => ({
          family: "inet",
          address: a.address,
          prefixlen: a.prefixlen,
          scope: "global",
        })),
      };
      const host = hostEnd(d);
      if (host && !host.peer) {
        dev.peer = { ns: ROOT_NS, name: host.name };
        host.peer = { ns: id, name: d.name };
      }
      return dev;
    });
    const routes: Route[] = c.gateway
      ? [
          {
            table: 254,
            type: "unicast",
            dst: "0.0.0.0/0",
            dev: c.gateway.dev,
            ...(c.gateway.via ? { gateway: c.gateway.via } : {}),
            protocol: "boot",
            scope: "global",
            metric: 0,
            flags: [],
          },
        ]
      : [];
    const ns: NamespaceState = {
      id,
      ipForward: false,
      devices,
      routes,
      rules: [],
      neighbours: [],
      iptables: [],
      conntrack: [],
      sockets: [],
    };
    copy.namespaces.push(ns);
  }
  return copy;
}

/** Parses `ip -o link` and `ip -o -4 addr` and `ip route show default` run in a container. */
export function parseContainer(
  name: string,
  link: string,
  addr: string,
  route: string,
): ContainerView {
  const devices: ContainerView["devices"] = [];
  for (const line of link.split("\n")) {
    const m = /^\d+:\s+([^:@\s]+)(?:@if(\d+))?:\s+<([^>]*)>/.exec(line);
    if (!m) continue;
    const flags = m[3]!.split(",");
    devices.push({
      name: m[1]!,
      ...(m[2] !== undefined ? { peerIfindex: Number(m[2]) } : {}),
      up: flags.includes("UP"),
      carrier: flags.includes("LOWER_UP"),
      addresses: [],
    });
  }
  for (const line of addr.split("\n")) {
    const m = /^\d+:\s+(\S+)\s+inet\s+([\d.]+)\/(\d+)/.exec(line);
    const d = m && devices.find((x) => x.name === m[1]);
    if (d) d.addresses.push({ address: m[2]!, prefixlen: Number(m[3]) });
  }
  const r = /^default(?: via ([\d.]+))? dev (\S+)/m.exec(route);
  return {
    name,
    devices,
    ...(r ? { gateway: { ...(r[1] ? { via: r[1] } : {}), dev: r[2]! } } : {}),
  };
}
