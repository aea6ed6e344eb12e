// What the docker CLI shows of the daemon's objects: the values `inspect -f` and
// `--format` templates read (field names as in the Engine API), the `ps` and
// `network ls` tables, and the ages they print (go-units HumanDuration).
import { formatIp4 } from "../kernel/netlink/index.js";
import type { Container, DockerNetwork, Dockerd } from "./daemon.js";
import { goJson, GoMap, OmitEmpty, type GoValue } from "./template.js";

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return "Less than a second";
  if (s === 1) return "1 second";
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return "About a minute";
  if (m < 60) return `${m} minutes`;
  const h = Math.round(m / 60);
  if (h === 1) return "About an hour";
  return `${h} hours`;
}

/** text/tabwriter as the docker CLI sets it up: minwidth 10, padding 3, the last cell as is. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      if (i < r.length - 1) widths[i] = Math.max(widths[i] ?? 0, [...c].length + 3, 10);
    });
  }
  return rows
    .map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]!) : c)).join("") + "\n")
    .join("");
}

export function portsText(d: Dockerd, c: Container): string {
  if (d.state(c) !== "running") return "";
  return c.bound
    .map((b) => `${b.spec.hostIp}:${b.spec.hostPort}->${b.spec.port}/${b.spec.proto}`)
    .join(", ");
}

export function statusText(d: Dockerd, c: Container): string {
  const snap = c.actor.getSnapshot();
  switch (snap.value) {
    case "created":
      return "Created";
    case "running":
      return `Up ${humanDuration(d.now - snap.context.startedAt)}`;
    default:
      return `Exited (${snap.context.exitCode}) ${humanDuration(d.now - snap.context.finishedAt)} ago`;
  }
}

export function commandText(c: Container): string {
  const s = `"${c.cmd.join(" ")}"`;
  return s.length > 20 ? `${s.slice(0, 19)}…` : s;
}

/** The row values `docker ps --format` reads ({{.ID}}, {{.Names}}, ...). */
export function psRow(d: Dockerd, c: Container): Record<string, GoValue> {
  return {
    ID: c.id.slice(0, 12),
    Image: c.image,
    Command: commandText(c),
    CreatedAt: "",
    RunningFor: `${humanDuration(d.now - c.created)} ago`,
    Ports: portsText(d, c),
    Status: statusText(d, c),
    State: d.state(c),
    Names: c.name,
    Networks: [...c.config.keys()]
      .map((id) => d.networks.find((n) => n.id === id)?.name ?? id)
      .join(","),
  };
}

export const PS_HEADERS: Record<string, string> = {
  ID: "CONTAINER ID",
  Image: "IMAGE",
  Command: "COMMAND",
  RunningFor: "CREATED",
  Ports: "PORTS",
  Status: "STATUS",
  State: "STATE",
  Names: "NAMES",
  Networks: "NETWORKS",
};

export function networkRow(n: DockerNetwork): Record<string, GoValue> {
  return {
    ID: n.id.slice(0, 12),
    Name: n.name,
    Driver: n.driver,
    Scope: "local",
    Internal: n.internal,
  };
}

export const NETWORK_HEADERS: Record<string, string> = {
  ID: "NETWORK ID",
  Name: "NAME",
  Driver: "DRIVER",
  Scope: "SCOPE",
};

/** The container as `docker inspect` has it, the fields the subset reads. */
export function containerView(d: Dockerd, c: Container): Record<string, GoValue> {
  const snap = c.actor.getSnapshot();
  const running = snap.value === "running";
  const neverStarted = snap.value === "created";
  const nets = new GoMap(
    [...c.config.entries()].map(([id, cfg]) => {
      const n = d.networks.find((x) => x.id === id);
      const ep = c.endpoints.find((e) => e.network.id === id);
      return [
        n?.name ?? id,
        {
          IPAMConfig: cfg.ip !== undefined ? { IPv4Address: formatIp4(cfg.ip) } : null,
          Links: null,
          // On a user network: the short id, and the --hostname (a name others resolve).
          Aliases:
            n?.predefined === false
              ? [c.id.slice(0, 12), ...(c.hostname !== undefined ? [c.hostname] : [])]
              : null,
          // Set when the endpoint is first made; cleanOperationalData keeps it after a stop.
          NetworkID: neverStarted ? "" : id,
          EndpointID: ep?.id ?? "",
          Gateway: ep && n?.gateway !== undefined ? formatIp4(n.gateway) : "",
          IPAddress: ep ? formatIp4(ep.ip) : "",
          IPPrefixLen: ep ? n!.pool!.subnet.plen : 0,
          IPv6Gateway: "",
          GlobalIPv6Address: "",
          GlobalIPv6PrefixLen: 0,
          MacAddress: ep?.mac ?? "",
          DriverOpts: null,
        },
      ];
    }),
  );
  const first =
    c.networkMode === "default" || c.networkMode === "bridge" ? c.endpoints[0] : undefined;
  const ports = new GoMap(
    running
      ? c.bound.map((b) => [
          `${b.spec.port}/${b.spec.proto}`,
          [{ HostIp: b.spec.hostIp, HostPort: String(b.spec.hostPort) }],
        ])
      : [],
  );
  const mode = c.networkMode;
  return {
    Id: c.id,
    Path: c.cmd[0] ?? "",
    Args: c.cmd.slice(1),
    State: {
      Status: snap.value,
      Running: running,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: running ? (c.pid ?? 0) : 0,
      ExitCode: snap.context.exitCode,
      Error: "",
    },
    Name: `/${c.name}`,
    HostConfig: {
      NetworkMode: mode.startsWith("container:") ? mode : mode,
      PortBindings: new GoMap(
        c.ports.map((p) => [
          `${p.port}/${p.proto}`,
          [{ HostIp: p.hostIpGiven ? p.hostIp : "", HostPort: String(p.hostPort) }],
        ]),
      ),
    },
    Config: { Hostname: c.hostname ?? c.id.slice(0, 12), Image: c.image, Cmd: c.cmd },
    NetworkSettings: {
      Bridge: "",
      SandboxID: c.sandboxId,
      HairpinMode: false,
      Ports: ports,
      SandboxKey: c.sandboxKey,
      EndpointID: first?.id ?? "",
      Gateway: first ? formatIp4(first.network.gateway!) : "",
      IPAddress: first ? formatIp4(first.ip) : "",
      IPPrefixLen: first ? first.network.pool!.subnet.plen : 0,
      MacAddress: first?.mac ?? "",
      Networks: nets,
    },
  };
}

/** Go's time.Time in JSON (RFC 3339, nanoseconds without trailing zeros), from virtual ms. */
function goTime(ms: number): string {
  const d = new Date(ms);
  const frac = ms % 1000 === 0 ? "" : `.${String(ms % 1000).padStart(3, "0")}`.replace(/0+$/, "");
  return `${d.toISOString().slice(0, 19)}${frac}Z`;
}

/** The default bridge's driver options, as the daemon reports them. */
const DEFAULT_BRIDGE_OPTIONS: [string, string][] = [
  ["com.docker.network.bridge.default_bridge", "true"],
  ["com.docker.network.bridge.enable_icc", "true"],
  ["com.docker.network.bridge.enable_ip_masquerade", "true"],
  ["com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"],
  ["com.docker.network.bridge.name", "docker0"],
  ["com.docker.network.driver.mtu", "1500"],
];

/** The default bridge's options: --icc and --ip-masq as the daemon was started with. */
function defaultBridgeOptions(n: DockerNetwork): [string, string][] {
  const set: Record<string, boolean> = {
    "com.docker.network.bridge.enable_icc": n.icc,
    "com.docker.network.bridge.enable_ip_masquerade": n.masquerade,
  };
  return DEFAULT_BRIDGE_OPTIONS.map(([k, v]) => [k, k in set ? String(set[k]) : v]);
}

/** The network as `docker network inspect` has it (the Engine API's field order). */
export function networkView(d: Dockerd, n: DockerNetwork): Record<string, GoValue> {
  const containers = d.containers
    .filter((c) => c.endpoints.some((e) => e.network === n))
    .map((c): [string, GoValue] => {
      const ep = c.endpoints.find((e) => e.network === n)!;
      return [
        c.id,
        {
          Name: c.name,
          EndpointID: ep.id,
          MacAddress: ep.mac,
          IPv4Address: `${formatIp4(ep.ip)}/${n.pool!.subnet.plen}`,
          IPv6Address: "",
        },
      ];
    });
  const pool = n.pool;
  const config = pool
    ? [
        n.name === "bridge" && n.predefined
          ? // The default bridge's config names no gateway (json omitempty; a template sees
            // ""), but --bip's address (daemon_unix.go initBridgeDriver).
            {
              Subnet: `${formatIp4(pool.subnet.addr)}/${pool.subnet.plen}`,
              Gateway: d.config.bip !== undefined ? formatIp4(n.gateway!) : OMIT,
            }
          : {
              Subnet: `${formatIp4(pool.subnet.addr)}/${pool.subnet.plen}`,
              ...(pool.range !== pool.subnet
                ? { IPRange: `${formatIp4(pool.range.addr)}/${pool.range.plen}` }
                : {}),
              Gateway: n.configGateway === false ? OMIT : formatIp4(n.gateway!),
            },
      ]
    : [];
  const defaultBridge = n.name === "bridge" && n.predefined;
  return {
    Name: n.name,
    Id: n.id,
    Created: goTime(n.created),
    Scope: "local",
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: {
      Driver: "default",
      Options: n.predefined ? null : new GoMap([]),
      Config: config,
    },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: new GoMap(containers),
    Options: new GoMap(defaultBridge ? defaultBridgeOptions(n) : n.options),
    Labels: new GoMap([]),
  };
}

/** An empty field tagged omitempty: "" to a template, absent from the JSON. */
const OMIT = new OmitEmpty();

/** `docker network inspect` without a format: json.MarshalIndent with four spaces. */
export function networkJson(views: GoValue[]): string {
  return `${goJson(views, "    ")}\n`;
}
