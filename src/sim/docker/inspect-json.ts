// `docker inspect CONTAINER` without a format: the Engine API's ContainerJSON as docker
// 20.10 (Debian 12) prints it (json.MarshalIndent, four spaces, struct fields in Go's
// order), checked against /work/docker-captures 02 and 03. The network part comes from
// the model (containerView); the rest is what dockerd fills in for the containers a lab
// makes (packetwalk's imported image, vfs storage, no limits, no mounts).
import type { Container, Dockerd } from "./daemon.js";
import { GoMap, type GoValue } from "./template.js";
import { containerView } from "./views.js";

/** Go's zero time.Time in JSON. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

/** Go's time.Time in JSON (RFC 3339, fraction without trailing zeros), from virtual ms. */
function goTime(ms: number): string {
  const d = new Date(ms);
  const frac = ms % 1000 === 0 ? "" : `.${String(ms % 1000).padStart(3, "0")}`.replace(/0+$/, "");
  return `${d.toISOString().slice(0, 19)}${frac}Z`;
}

/** Why the document cannot be printed for this container, if it cannot. */
export function containerJsonRefusal(c: Container): string | undefined {
  if (c.networkMode.startsWith("container:"))
    return "inspect without --format of a container in --network container:... (use -f '{{...}}')";
  return undefined;
}

/** HostConfig fields no lab option changes, after ShmSize (and Sysctls). */
const HOST_CONFIG_TAIL: [string, GoValue][] = [
  ["Runtime", "runc"],
  ["ConsoleSize", [0, 0]],
  ["Isolation", ""],
  ["CpuShares", 0],
  ["Memory", 0],
  ["NanoCpus", 0],
  ["CgroupParent", ""],
  ["BlkioWeight", 0],
  ["BlkioWeightDevice", []],
  ["BlkioDeviceReadBps", null],
  ["BlkioDeviceWriteBps", null],
  ["BlkioDeviceReadIOps", null],
  ["BlkioDeviceWriteIOps", null],
  ["CpuPeriod", 0],
  ["CpuQuota", 0],
  ["CpuRealtimePeriod", 0],
  ["CpuRealtimeRuntime", 0],
  ["CpusetCpus", ""],
  ["CpusetMems", ""],
  ["Devices", []],
  ["DeviceCgroupRules", null],
  ["DeviceRequests", null],
  ["KernelMemory", 0],
  ["KernelMemoryTCP", 0],
  ["MemoryReservation", 0],
  ["MemorySwap", 0],
  ["MemorySwappiness", null],
  ["OomKillDisable", false],
  ["PidsLimit", null],
  ["Ulimits", null],
  ["CpuCount", 0],
  ["CpuPercent", 0],
  ["IOMaximumIOps", 0],
  ["IOMaximumBandwidth", 0],
  [
    "MaskedPaths",
    [
      "/proc/asound",
      "/proc/acpi",
      "/proc/kcore",
      "/proc/keys",
      "/proc/latency_stats",
      "/proc/timer_list",
      "/proc/timer_stats",
      "/proc/sched_debug",
      "/proc/scsi",
      "/sys/firmware",
    ],
  ],
  ["ReadonlyPaths", ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]],
];

/** The image every lab name tags (the kernel backend imports one): its id, as dockerd shows it. */
function imageId(d: Dockerd): string {
  return `sha256:${d.imageId}`;
}

export function containerJson(d: Dockerd, c: Container): GoValue {
  const v = containerView(d, c);
  const snap = c.actor.getSnapshot();
  const state = v.State as Record<string, GoValue>;
  const started = snap.value !== "created";
  const finished = snap.value === "exited";
  // The files dockerd writes when the container first starts.
  const dir = started ? `/var/lib/docker/containers/${c.id}` : undefined;
  const host = v.HostConfig as Record<string, GoValue>;
  const config = v.Config as Record<string, GoValue>;
  const net = v.NetworkSettings as Record<string, GoValue>;
  const exposed = [...new Set(c.ports.map((p) => `${p.port}/${p.proto}`))];
  return {
    Id: c.id,
    Created: goTime(c.created),
    Path: v.Path!,
    Args: v.Args!,
    State: {
      ...state,
      StartedAt: started ? goTime(snap.context.startedAt) : ZERO_TIME,
      FinishedAt: finished ? goTime(snap.context.finishedAt) : ZERO_TIME,
    },
    Image: imageId(d),
    ResolvConfPath: dir ? `${dir}/resolv.conf` : "",
    HostnamePath: dir ? `${dir}/hostname` : "",
    HostsPath: dir ? `${dir}/hosts` : "",
    LogPath: dir ? `${dir}/${c.id}-json.log` : "",
    Name: v.Name!,
    RestartCount: 0,
    Driver: "vfs",
    Platform: "linux",
    MountLabel: "",
    ProcessLabel: "",
    AppArmorProfile: "",
    ExecIDs: null,
    HostConfig: {
      Binds: null,
      ContainerIDFile: "",
      LogConfig: { Type: "json-file", Config: new GoMap([]) },
      NetworkMode: host.NetworkMode!,
      PortBindings: host.PortBindings!,
      RestartPolicy: { Name: "no", MaximumRetryCount: 0 },
      AutoRemove: c.autoRemove === true,
      VolumeDriver: "",
      VolumesFrom: null,
      CapAdd: null,
      CapDrop: null,
      CgroupnsMode: "host",
      Dns: [],
      DnsOptions: [],
      DnsSearch: [],
      ExtraHosts: null,
      GroupAdd: null,
      IpcMode: "private",
      Cgroup: "",
      Links: null,
      OomScoreAdj: 0,
      PidMode: "",
      Privileged: false,
      PublishAllPorts: false,
      ReadonlyRootfs: false,
      SecurityOpt: null,
      UTSMode: "",
      UsernsMode: "",
      ShmSize: 67108864,
      // map[string]string `json:",omitempty"`.
      ...(c.sysctls.length > 0 ? { Sysctls: new GoMap(c.sysctls) } : {}),
      ...Object.fromEntries(HOST_CONFIG_TAIL),
    },
    GraphDriver: { Data: null, Name: "vfs" },
    Mounts: [],
    Config: {
      Hostname: config.Hostname!,
      Domainname: "",
      User: "",
      AttachStdin: false,
      AttachStdout: c.attached === true,
      AttachStderr: c.attached === true,
      // nat.PortSet `json:",omitempty"`.
      ...(exposed.length > 0
        ? { ExposedPorts: new GoMap(exposed.map((p) => [p, new GoMap([])])) }
        : {}),
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: null,
      Cmd: c.cmd,
      Image: c.image,
      Volumes: null,
      WorkingDir: "",
      Entrypoint: null,
      OnBuild: null,
      Labels: new GoMap([]),
    },
    NetworkSettings: {
      Bridge: "",
      SandboxID: net.SandboxID!,
      HairpinMode: false,
      LinkLocalIPv6Address: "",
      LinkLocalIPv6PrefixLen: 0,
      Ports: net.Ports!,
      SandboxKey: net.SandboxKey!,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: net.EndpointID!,
      Gateway: net.Gateway!,
      GlobalIPv6Address: "",
      GlobalIPv6PrefixLen: 0,
      IPAddress: net.IPAddress!,
      IPPrefixLen: net.IPPrefixLen!,
      IPv6Gateway: "",
      MacAddress: net.MacAddress!,
      Networks: net.Networks!,
    },
  };
}
