// The docker daemon's networking, as dockerd 20.10 (Debian 12's docker.io) does it:
// containers, networks (libnetwork's CNM: network, endpoint, sandbox) and the bridge
// driver. The daemon changes the kernel only through lab lines (ip, iptables, sysctl) run
// by the simulator's own programs, in the order dockerd makes its netlink calls and runs
// iptables; each is recorded as an operation, which `run` shows under the docker line.
// What is not a lab line (a namespace made, a device moved into it, docker-proxy) is an
// operation too, performed on the simulated kernel directly and shown as the command a
// learner would type for it.
import { quote } from "shell-quote";
import { createActor } from "xstate";
import type { CommandResult } from "../../backend.js";
import { formatIp4, parseIp4, type Ip4 } from "../kernel/core/ip4.js";
import { moveToNetns } from "../kernel/core/links.js";
import type { NetNs } from "../kernel/core/netns.js";
import type { World } from "../kernel/core/world.js";
import type { TcpListener } from "../kernel/sockets/tcp.js";
import type { Waiting } from "../userland/program.js";
import { nextPid } from "../userland/pids.js";
import { DockerIds, macFromIp } from "./ids.js";
import { AddressSpace, IpamError, parseSubnet, type Pool, type Subnet } from "./ipam.js";
import {
  containerMachine,
  endpointMachine,
  networkMachine,
  type ContainerActor,
  type EndpointActor,
  type NetworkActor,
} from "./machines.js";

/** Runs a lab line's argv in a namespace with the simulator's programs. */
export type LabRunner = (ns: NetNs, argv: string[], background: boolean) => CommandResult | Waiting;

/** One thing the daemon did to the kernel, as a learner would type it. */
export interface DaemonOp {
  /** The namespace: "" for the host's, else the sandbox's path (/run/docker/netns/<id>). */
  where: string;
  text: string;
}

/** The daemon's refusal: Docker's error text (without "Error response from daemon: "). */
export class DaemonError extends Error {}

export interface PortSpec {
  hostIp: string;
  hostPort: number;
  port: number;
  proto: "tcp" | "udp";
}

export interface DockerNetwork {
  id: string;
  name: string;
  driver: "bridge" | "host" | "null";
  /** The bridge device: docker0 or br-<12 hex of the id>. */
  bridge?: string;
  pool?: Pool;
  gateway?: Ip4;
  internal: boolean;
  icc: boolean;
  masquerade: boolean;
  /** The default networks (bridge, host, none) are not user-defined: no DNS, no rm. */
  predefined: boolean;
  created: number;
  actor: NetworkActor;
}

export interface Endpoint {
  id: string;
  network: DockerNetwork;
  hostVeth: string;
  /** The container end's name before the sandbox renamed it (it gets it back on leave). */
  peer: string;
  ifname: string;
  ip: Ip4;
  mac: string;
  actor: EndpointActor;
}

export interface Container {
  id: string;
  name: string;
  image: string;
  cmd: string[];
  /** HostConfig.NetworkMode: default, bridge, host, none, container:<id>, or a network name. */
  networkMode: string;
  /** Networks the container is configured on (by network id), with a requested --ip. */
  config: Map<string, { ip?: Ip4; aliases: string[] }>;
  ports: PortSpec[];
  hostname?: string;
  created: number;
  actor: ContainerActor;
  sandbox?: { key: string; ns: NetNs; id: string };
  endpoints: Endpoint[];
  /** Bindings made for the published ports while it runs (released at stop). */
  bound: { spec: PortSpec; listener?: TcpListener }[];
  pid?: number;
}

export interface DaemonConfig {
  userlandProxy: boolean;
  icc: boolean;
  iptables: boolean;
  ipForward: boolean;
  bip: string;
}

export const DOCKER_20_10: DaemonConfig = {
  userlandProxy: true,
  icc: true,
  iptables: true,
  ipForward: true,
  bip: "172.17.0.1/16",
};

export class Dockerd {
  readonly ids = new DockerIds();
  readonly space = new AddressSpace();
  readonly networks: DockerNetwork[] = [];
  readonly containers: Container[] = [];
  /** Host ports taken by published ports (portallocator), "proto/ip/port". */
  private readonly allocated = new Set<string>();
  /** Operations of the docker line now running. */
  ops: DaemonOp[] = [];

  constructor(
    readonly world: World,
    readonly run: LabRunner,
    readonly config: DaemonConfig = DOCKER_20_10,
  ) {}

  /** The daemon of this world, started (its first operations recorded) on first use. */
  static of(world: World, run: LabRunner): Dockerd {
    // world.dockerd is typed unknown so that the kernel need not import the daemon.
    if (world.dockerd instanceof Dockerd) return world.dockerd;
    const d = new Dockerd(world, run);
    world.dockerd = d;
    d.boot();
    return d;
  }

  get now(): number {
    return this.world.scheduler.now;
  }

  // ---- operations -----------------------------------------------------------------

  /** Runs a lab line in the host's namespace (or a sandbox's), recording it. */
  private lab(argv: string[], sandbox?: { key: string; ns: NetNs }): void {
    const ns = sandbox?.ns ?? this.world.root;
    this.ops.push({ where: sandbox?.key ?? "", text: quote(argv) });
    const r = this.run(ns, argv, false);
    if ("waiting" in r || r.exit !== 0) {
      const why = "waiting" in r ? "it waits" : r.stderr.trim();
      throw new Error(`simulated dockerd: ${quote(argv)} failed: ${why}`);
    }
  }

  /** An operation that is not a lab line: shown as text, done by fn. */
  private act(text: string, fn: () => void, where = ""): void {
    this.ops.push({ where, text });
    fn();
  }

  private iptables(...args: string[]): void {
    if (this.config.iptables) this.lab(["iptables", ...args]);
  }

  // ---- daemon start -----------------------------------------------------------------

  /**
   * dockerd's start: the bridge driver's configure (ip forwarding and the FORWARD
   * policy, then its chains), the default networks (bridge, host, none), and DOCKER-USER
   * (libnetwork controller.go arrangeUserFilterRule) once the bridge network exists.
   */
  private boot(): void {
    if (this.config.ipForward) {
      // drivers/bridge/setup_ip_forwarding.go: forwarding on, and FORWARD's policy DROP.
      this.lab(["sysctl", "-w", "net.ipv4.ip_forward=1"]);
      this.iptables("-P", "FORWARD", "DROP");
    }
    // setupIPChains: the chains first, each isolation chain ending in RETURN.
    this.iptables("-t", "nat", "-N", "DOCKER");
    this.iptables("-t", "filter", "-N", "DOCKER");
    this.iptables("-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-1");
    this.iptables("-t", "filter", "-N", "DOCKER-ISOLATION-STAGE-2");
    this.iptables("-t", "filter", "-A", "DOCKER-ISOLATION-STAGE-1", "-j", "RETURN");
    this.iptables("-t", "filter", "-A", "DOCKER-ISOLATION-STAGE-2", "-j", "RETURN");
    const bip = parseSubnet(this.config.bip)!;
    this.createBridgeNetwork("bridge", {
      subnet: { addr: (bip.addr & ~(2 ** (32 - bip.plen) - 1)) >>> 0, plen: bip.plen },
      gateway: bip.addr,
      bridge: "docker0",
      predefined: true,
      internal: false,
      icc: this.config.icc,
      masquerade: true,
    });
    this.addNetwork("host", "host");
    this.addNetwork("none", "null");
    this.iptables("-N", "DOCKER-USER");
    this.iptables("-A", "DOCKER-USER", "-j", "RETURN");
    this.iptables("-I", "FORWARD", "-j", "DOCKER-USER");
  }

  private addNetwork(
    name: string,
    driver: DockerNetwork["driver"],
    id = this.ids.id(),
  ): DockerNetwork {
    const n: DockerNetwork = {
      id,
      name,
      driver,
      internal: false,
      icc: true,
      masquerade: true,
      predefined: driver !== "bridge" || name === "bridge",
      created: this.now,
      actor: createActor(networkMachine).start(),
    };
    this.networks.push(n);
    return n;
  }

  // ---- networks ---------------------------------------------------------------------

  network(ref: string): DockerNetwork | undefined {
    const live = this.networks.filter((n) => n.actor.getSnapshot().value === "active");
    return (
      live.find((n) => n.id === ref) ??
      live.find((n) => n.name === ref) ??
      (ref.length > 0 ? live.find((n) => n.id.startsWith(ref)) : undefined)
    );
  }

  /** docker network create -d bridge. */
  createBridgeNetwork(
    name: string,
    o: {
      subnet?: Subnet;
      range?: Subnet;
      gateway?: Ip4;
      bridge?: string;
      predefined?: boolean;
      internal: boolean;
      icc: boolean;
      masquerade: boolean;
    },
  ): DockerNetwork {
    if (this.network(name)?.name === name)
      throw new DaemonError(`network with name ${name} already exists`);
    let pool: Pool;
    try {
      pool = o.subnet ? this.space.requestPool(o.subnet, o.range) : this.space.defaultPool();
    } catch (e) {
      if (e instanceof IpamError) throw new DaemonError(e.message);
      throw e;
    }
    let gateway: Ip4;
    try {
      gateway = o.gateway ?? pool.allocate();
      if (o.gateway !== undefined) pool.claim(o.gateway);
    } catch (e) {
      this.space.releasePool(pool);
      if (e instanceof IpamError) {
        throw new DaemonError(
          `failed to allocate gateway (${formatIp4(o.gateway ?? 0)}): ${e.message}`,
        );
      }
      throw e;
    }
    const id = this.ids.id();
    const n = this.addNetwork(name, "bridge", id);
    Object.assign(n, {
      bridge: o.bridge ?? `br-${id.slice(0, 12)}`,
      pool,
      gateway,
      internal: o.internal,
      icc: o.icc,
      masquerade: o.masquerade,
      predefined: o.predefined ?? false,
    });
    this.setupBridge(n);
    return n;
  }

  /**
   * drivers/bridge/bridge.go createNetwork, its setup steps in their order: the device
   * (with a random 02:42 MAC), its IPv4 address, the iptables rules, the isolation rules,
   * then up.
   */
  private setupBridge(n: DockerNetwork): void {
    const br = n.bridge!;
    const sub = `${formatIp4(n.pool!.subnet.addr)}/${n.pool!.subnet.plen}`;
    this.lab([
      "ip",
      "link",
      "add",
      br,
      "address",
      this.ids.mac(),
      "txqueuelen",
      "0",
      "type",
      "bridge",
    ]);
    this.lab([
      "ip",
      "addr",
      "add",
      `${formatIp4(n.gateway!)}/${n.pool!.subnet.plen}`,
      "brd",
      "+",
      "dev",
      br,
    ]);
    const proxy = this.config.userlandProxy;
    if (n.internal) {
      // setupInternalNetworkRules: nothing leaves or enters the subnet.
      this.iptables("-I", "DOCKER-ISOLATION-STAGE-1", "-i", br, "!", "-d", sub, "-j", "DROP");
      this.iptables("-I", "DOCKER-ISOLATION-STAGE-1", "-o", br, "!", "-s", sub, "-j", "DROP");
    } else {
      // setupIPTablesInternal: masquerade, the hairpin skip, icc, outgoing.
      if (n.masquerade)
        this.iptables(
          "-t",
          "nat",
          "-I",
          "POSTROUTING",
          "-s",
          sub,
          "!",
          "-o",
          br,
          "-j",
          "MASQUERADE",
        );
      if (proxy) this.iptables("-t", "nat", "-I", "DOCKER", "-i", br, "-j", "RETURN");
    }
    this.iptables("-I", "FORWARD", "-i", br, "-o", br, "-j", n.icc ? "ACCEPT" : "DROP");
    if (!n.internal) {
      this.iptables("-I", "FORWARD", "-i", br, "!", "-o", br, "-j", "ACCEPT");
      // ProgramChain: nat PREROUTING/OUTPUT jumps (once), then FORWARD -o br -j DOCKER and
      // the established rule above it.
      if (!this.natJumps) {
        this.natJumps = true;
        this.iptables(
          "-t",
          "nat",
          "-A",
          "PREROUTING",
          "-m",
          "addrtype",
          "--dst-type",
          "LOCAL",
          "-j",
          "DOCKER",
        );
        this.iptables(
          "-t", "nat", "-A", "OUTPUT",
          ...(proxy ? ["!", "-d", "127.0.0.0/8"] : []),
          "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER",
        ); // prettier-ignore
      }
      this.iptables("-I", "FORWARD", "-o", br, "-j", "DOCKER");
      this.iptables(
        "-I",
        "FORWARD",
        "-o",
        br,
        "-m",
        "conntrack",
        "--ctstate",
        "RELATED,ESTABLISHED",
        "-j",
        "ACCEPT",
      );
      // setINC: isolation from every other bridge network.
      this.iptables(
        "-I",
        "DOCKER-ISOLATION-STAGE-1",
        "-i",
        br,
        "!",
        "-o",
        br,
        "-j",
        "DOCKER-ISOLATION-STAGE-2",
      );
      this.iptables("-I", "DOCKER-ISOLATION-STAGE-2", "-o", br, "-j", "DROP");
    }
    // ensureJumpRule, after each network's rules: the isolation jump, then DOCKER-USER,
    // each moved back to FORWARD's top.
    if (this.stage1Jump) this.iptables("-D", "FORWARD", "-j", "DOCKER-ISOLATION-STAGE-1");
    this.stage1Jump = true;
    this.iptables("-I", "FORWARD", "-j", "DOCKER-ISOLATION-STAGE-1");
    if (this.userChainMade) {
      this.iptables("-D", "FORWARD", "-j", "DOCKER-USER");
      this.iptables("-I", "FORWARD", "-j", "DOCKER-USER");
    }
    this.lab(["ip", "link", "set", br, "up"]);
  }

  private natJumps = false;
  private stage1Jump = false;
  private get userChainMade(): boolean {
    return this.networks.some((n) => n.name === "none");
  }

  /** docker network rm: refused while it has endpoints; then the rules and the bridge go. */
  removeNetwork(n: DockerNetwork): void {
    if (n.predefined)
      throw new DaemonError(`${n.name} is a pre-defined network and cannot be removed`);
    n.actor.send({ type: "REMOVE" });
    if (n.actor.getSnapshot().value !== "removed") {
      throw new DaemonError(
        `error while removing network: network ${n.name} id ${n.id} has active endpoints`,
      );
    }
    // Configuration of stopped containers keeps naming it; dockerd then refuses their start.
    const br = n.bridge!;
    const sub = `${formatIp4(n.pool!.subnet.addr)}/${n.pool!.subnet.plen}`;
    if (n.internal) {
      this.iptables("-D", "DOCKER-ISOLATION-STAGE-1", "-i", br, "!", "-d", sub, "-j", "DROP");
      this.iptables("-D", "DOCKER-ISOLATION-STAGE-1", "-o", br, "!", "-s", sub, "-j", "DROP");
    } else {
      this.iptables("-t", "nat", "-D", "POSTROUTING", "-s", sub, "!", "-o", br, "-j", "MASQUERADE");
      if (this.config.userlandProxy)
        this.iptables("-t", "nat", "-D", "DOCKER", "-i", br, "-j", "RETURN");
    }
    this.iptables("-D", "FORWARD", "-i", br, "-o", br, "-j", n.icc ? "ACCEPT" : "DROP");
    if (!n.internal) {
      this.iptables("-D", "FORWARD", "-i", br, "!", "-o", br, "-j", "ACCEPT");
      this.iptables("-D", "FORWARD", "-o", br, "-j", "DOCKER");
      this.iptables(
        "-D",
        "FORWARD",
        "-o",
        br,
        "-m",
        "conntrack",
        "--ctstate",
        "RELATED,ESTABLISHED",
        "-j",
        "ACCEPT",
      );
      this.iptables(
        "-D",
        "DOCKER-ISOLATION-STAGE-1",
        "-i",
        br,
        "!",
        "-o",
        br,
        "-j",
        "DOCKER-ISOLATION-STAGE-2",
      );
      this.iptables("-D", "DOCKER-ISOLATION-STAGE-2", "-o", br, "-j", "DROP");
    }
    this.lab(["ip", "link", "del", br]);
    this.space.releasePool(n.pool!);
  }

  // ---- containers -------------------------------------------------------------------

  container(ref: string): Container | undefined {
    const live = this.containers.filter((c) => c.actor.getSnapshot().value !== "removed");
    return (
      live.find((c) => c.id === ref) ??
      live.find((c) => c.name === ref) ??
      (ref.length > 0 ? live.find((c) => c.id.startsWith(ref)) : undefined)
    );
  }

  state(c: Container): "created" | "running" | "exited" | "removed" {
    return c.actor.getSnapshot().value;
  }

  /** docker create: the container's record; nothing in the kernel yet. */
  create(o: {
    name?: string;
    image: string;
    cmd: string[];
    network: string;
    ip?: string;
    ports: PortSpec[];
    hostname?: string;
  }): Container {
    const id = this.ids.id();
    const name = o.name ?? `container_${this.containers.length + 1}`;
    const clash = this.container(name);
    if (clash && clash.name === name) {
      throw new DaemonError(
        `Conflict. The container name "/${name}" is already in use by container "${clash.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    const config = new Map<string, { ip?: Ip4; aliases: string[] }>();
    let mode = o.network;
    if (mode === "default") mode = "default";
    if (mode.startsWith("container:")) {
      const other = this.container(mode.slice("container:".length));
      if (!other) throw new DaemonError(`No such container: ${mode.slice("container:".length)}`);
      mode = `container:${other.id}`;
    } else {
      const n = this.network(mode === "default" ? "bridge" : mode);
      if (!n) throw new DaemonError(`network ${mode} not found`);
      let ip: Ip4 | undefined;
      if (o.ip !== undefined) {
        ip = parseIp4(o.ip);
        if (n.predefined) {
          throw new DaemonError(
            "user specified IP address is supported on user defined networks only",
          );
        }
      }
      config.set(n.id, { ...(ip !== undefined ? { ip } : {}), aliases: [] });
    }
    const c: Container = {
      id,
      name,
      image: o.image,
      cmd: o.cmd,
      networkMode: mode,
      config,
      ports: o.ports,
      ...(o.hostname !== undefined ? { hostname: o.hostname } : {}),
      created: this.now,
      actor: createActor(containerMachine).start(),
      endpoints: [],
      bound: [],
    };
    this.containers.push(c);
    return c;
  }

  /** The network a container's namespace belongs to for its mode (host, none, another's). */
  private sharedWith(c: Container): Container | undefined {
    if (!c.networkMode.startsWith("container:")) return undefined;
    return this.container(c.networkMode.slice("container:".length));
  }

  /** The namespace a running container's processes are in. */
  nsOf(c: Container): { ns: NetNs; key: string } | undefined {
    if (this.state(c) !== "running") return undefined;
    if (c.networkMode === "host") return { ns: this.world.root, key: "" };
    const other = this.sharedWith(c);
    if (other) return this.nsOf(other);
    return c.sandbox ? { ns: c.sandbox.ns, key: c.sandbox.key } : undefined;
  }

  /**
   * docker start: the sandbox (a new namespace, lo up), for each configured network an
   * endpoint (IPAM, the veth pair on the bridge) joined to it (moved in, renamed ethN,
   * addressed, up, the default route), its published ports (iptables, docker-proxy);
   * then the container's process.
   */
  start(c: Container, runCmd: boolean): void {
    if (this.state(c) === "running") return;
    if (c.networkMode === "host") {
      // No sandbox of its own: the host's namespace.
    } else if (c.networkMode.startsWith("container:")) {
      const other = this.sharedWith(c);
      if (!other || this.state(other) !== "running") {
        throw new DaemonError(
          `cannot join network of a non running container: ${c.networkMode.slice("container:".length)}`,
        );
      }
    } else {
      this.makeSandbox(c);
      let index = 0;
      for (const [netId, cfg] of c.config) {
        const n = this.networks.find((x) => x.id === netId);
        if (!n || n.actor.getSnapshot().value !== "active") {
          this.teardown(c);
          throw new DaemonError(`network ${netId} not found`);
        }
        if (n.driver === "null") continue;
        try {
          this.join(c, n, `eth${index++}`, cfg.ip, index === 1);
        } catch (e) {
          this.teardown(c);
          throw e;
        }
      }
    }
    c.actor.send({ type: "START", at: this.now });
    c.pid = nextPid(this.world);
    if (runCmd) this.startProcess(c);
  }

  private makeSandbox(c: Container): void {
    const id = this.ids.hex(12);
    const key = `/run/docker/netns/${id}`;
    let ns!: NetNs;
    this.act(`(a new network namespace, bind-mounted at ${key})`, () => {
      ns = this.world.addUnnamedNetns();
    });
    c.sandbox = { key, ns, id };
    this.lab(["ip", "link", "set", "lo", "up"], c.sandbox);
  }

  /** bridge driver CreateEndpoint and Join, then the sandbox's interface and gateway. */
  private join(
    c: Container,
    n: DockerNetwork,
    ifname: string,
    want: Ip4 | undefined,
    gw: boolean,
  ): void {
    if (n.driver === "host") return;
    let ip: Ip4;
    try {
      if (want !== undefined) {
        n.pool!.claim(want);
        ip = want;
      } else ip = n.pool!.allocate();
    } catch (e) {
      if (!(e instanceof IpamError)) throw e;
      throw new DaemonError(
        want !== undefined
          ? `Address already in use`
          : `no available IPv4 addresses on this network's address pools: ${n.name} (${n.id})`,
      );
    }
    const host = `veth${this.ids.hex(7)}`;
    const peer = `veth${this.ids.hex(7)}`;
    const mac = macFromIp(ip);
    const ep: Endpoint = {
      id: this.ids.id(),
      network: n,
      hostVeth: host,
      peer,
      ifname,
      ip,
      mac,
      actor: createActor(endpointMachine).start(),
    };
    const sb = c.sandbox!;
    // netlink.Veth{TxQLen: 0}: neither end gets a queue length (ip shows no qlen).
    this.lab([
      "ip",
      "link",
      "add",
      host,
      "txqueuelen",
      "0",
      "type",
      "veth",
      "peer",
      "name",
      peer,
      "txqueuelen",
      "0",
    ]);
    this.lab(["ip", "link", "set", host, "master", n.bridge!]);
    if (!this.config.userlandProxy)
      this.lab(["ip", "link", "set", host, "type", "bridge_slave", "hairpin", "on"]);
    this.lab(["ip", "link", "set", host, "up"]);
    n.actor.send({ type: "ENDPOINT_UP" });
    // osl AddInterface: into the sandbox, renamed, addressed, up.
    this.act(`ip link set ${peer} netns ${sb.key}`, () => {
      const dev = this.world.root.deviceList().find((d) => d.name === peer)!;
      moveToNetns(dev, sb.ns);
    });
    this.lab(["ip", "link", "set", peer, "name", ifname], sb);
    this.lab(["ip", "link", "set", ifname, "address", mac], sb);
    this.lab(
      ["ip", "addr", "add", `${formatIp4(ip)}/${n.pool!.subnet.plen}`, "brd", "+", "dev", ifname],
      sb,
    );
    this.lab(["ip", "link", "set", ifname, "up"], sb);
    if (gw)
      this.lab(["ip", "route", "add", "default", "via", formatIp4(n.gateway!), "dev", ifname], sb);
    ep.actor.send({ type: "JOIN" });
    c.endpoints.push(ep);
    if (gw && !n.internal) this.publish(c, ep);
  }

  /** bridge driver ProgramExternalConnectivity: per port, portallocator, iptables, docker-proxy. */
  private publish(c: Container, ep: Endpoint): void {
    const br = ep.network.bridge!;
    const ip = formatIp4(ep.ip);
    for (const p of c.ports) {
      const key = `${p.proto}/${p.hostIp}/${p.hostPort}`;
      const any = `${p.proto}/0.0.0.0/${p.hostPort}`;
      if (
        this.allocated.has(key) ||
        (p.hostIp === "0.0.0.0"
          ? [...this.allocated].some(
              (k) => k.startsWith(`${p.proto}/`) && k.endsWith(`/${p.hostPort}`),
            )
          : this.allocated.has(any))
      ) {
        throw new DaemonError(
          `driver failed programming external connectivity on endpoint ${c.name} (${ep.id}): Bind for ${p.hostIp}:${p.hostPort} failed: port is already allocated`,
        );
      }
      this.allocated.add(key);
      const dst = p.hostIp === "0.0.0.0" ? [] : ["-d", `${p.hostIp}/32`];
      const hairpin = this.config.userlandProxy ? ["!", "-i", br] : [];
      this.iptables(
        "-t",
        "nat",
        "-A",
        "DOCKER",
        ...dst,
        ...hairpin,
        "-p",
        p.proto,
        "-m",
        p.proto,
        "--dport",
        String(p.hostPort),
        "-j",
        "DNAT",
        "--to-destination",
        `${ip}:${p.port}`,
      );
      this.iptables(
        "-t",
        "filter",
        "-A",
        "DOCKER",
        "-d",
        `${ip}/32`,
        "!",
        "-i",
        br,
        "-o",
        br,
        "-p",
        p.proto,
        "-m",
        p.proto,
        "--dport",
        String(p.port),
        "-j",
        "ACCEPT",
      );
      this.iptables(
        "-t",
        "nat",
        "-A",
        "POSTROUTING",
        "-s",
        `${ip}/32`,
        "-d",
        `${ip}/32`,
        "-p",
        p.proto,
        "-m",
        p.proto,
        "--dport",
        String(p.port),
        "-j",
        "MASQUERADE",
      );
      const binding: Container["bound"][number] = { spec: p };
      if (this.config.userlandProxy) {
        const text = `docker-proxy -proto ${p.proto} -host-ip ${p.hostIp} -host-port ${p.hostPort} -container-ip ${ip} -container-port ${p.port} &`;
        this.act(text, () => {
          if (p.proto !== "tcp") return;
          const host = parseIp4(p.hostIp) ?? 0;
          const l = this.world.root.tcp.listen(host, p.hostPort, 4096);
          l.owner = { comm: "docker-proxy", pid: nextPid(this.world), fd: 4 };
          binding.listener = l;
        });
      }
      c.bound.push(binding);
    }
  }

  /** The container's command: a lab program in its namespace (sleep does nothing to see). */
  private startProcess(c: Container): void {
    const where = this.nsOf(c);
    if (!where || c.cmd.length === 0 || c.cmd[0] === "sleep") return;
    this.run(where.ns, c.cmd, true);
  }

  /**
   * The container's process ended (docker stop: SIGTERM, then SIGKILL after the grace
   * period): the ports go, each endpoint leaves (the interface moved back to the host
   * and deleted with its pair), and the sandbox with it.
   */
  exited(c: Container, code: number): void {
    this.teardown(c);
    c.actor.send({ type: "EXIT", code, at: this.now });
  }

  private teardown(c: Container): void {
    for (const b of c.bound) {
      const ep = c.endpoints[0]!;
      const br = ep.network.bridge!;
      const ip = formatIp4(ep.ip);
      const p = b.spec;
      const dst = p.hostIp === "0.0.0.0" ? [] : ["-d", `${p.hostIp}/32`];
      const hairpin = this.config.userlandProxy ? ["!", "-i", br] : [];
      this.iptables(
        "-t",
        "nat",
        "-D",
        "DOCKER",
        ...dst,
        ...hairpin,
        "-p",
        p.proto,
        "-m",
        p.proto,
        "--dport",
        String(p.hostPort),
        "-j",
        "DNAT",
        "--to-destination",
        `${ip}:${p.port}`,
      );
      this.iptables(
        "-t",
        "filter",
        "-D",
        "DOCKER",
        "-d",
        `${ip}/32`,
        "!",
        "-i",
        br,
        "-o",
        br,
        "-p",
        p.proto,
        "-m",
        p.proto,
        "--dport",
        String(p.port),
        "-j",
        "ACCEPT",
      );
      this.iptables(
        "-t",
        "nat",
        "-D",
        "POSTROUTING",
        "-s",
        `${ip}/32`,
        "-d",
        `${ip}/32`,
        "-p",
        p.proto,
        "-m",
        p.proto,
        "--dport",
        String(p.port),
        "-j",
        "MASQUERADE",
      );
      if (b.listener) {
        const l = b.listener;
        this.act(`(docker-proxy for ${p.hostIp}:${p.hostPort} killed)`, () =>
          this.world.root.tcp.closeListener(l),
        );
      }
      this.allocated.delete(`${p.proto}/${p.hostIp}/${p.hostPort}`);
    }
    c.bound = [];
    for (const ep of [...c.endpoints].reverse()) this.leave(c, ep);
    c.endpoints = [];
    const sb = c.sandbox;
    if (sb) {
      this.act(`(the namespace ${sb.key} goes)`, () => this.world.killUnnamedNetns(sb.ns));
      c.sandbox = undefined;
    }
  }

  /** osl RemoveInterface (back to the host under its old name), then DeleteEndpoint. */
  private leave(c: Container, ep: Endpoint): void {
    const sb = c.sandbox!;
    this.lab(["ip", "link", "set", ep.ifname, "down"], sb);
    this.lab(["ip", "link", "set", ep.ifname, "name", ep.peer], sb);
    this.act(
      `ip link set ${ep.peer} netns 1`,
      () => {
        const dev = sb.ns.deviceList().find((d) => d.name === ep.peer);
        if (dev) moveToNetns(dev, this.world.root);
      },
      sb.key,
    );
    this.lab(["ip", "link", "del", ep.hostVeth]);
    ep.actor.send({ type: "LEAVE" });
    ep.actor.send({ type: "DELETE" });
    ep.network.actor.send({ type: "ENDPOINT_DOWN" });
    ep.network.pool!.release(ep.ip);
  }

  /** docker rm: the record goes (the container must not be running: the CLI's -f stops it first). */
  remove(c: Container): void {
    c.actor.send({ type: "REMOVE" });
  }

  /** docker network connect: a running container gets an endpoint now; a stopped one, only configuration. */
  connect(c: Container, n: DockerNetwork, ip?: Ip4): void {
    if (
      c.networkMode === "host" ||
      c.networkMode.startsWith("container:") ||
      c.networkMode === "none"
    ) {
      throw new DaemonError(
        "container sharing network namespace with another container or host cannot be connected to any other network",
      );
    }
    if (c.config.has(n.id)) {
      throw new DaemonError(`endpoint with name ${c.name} already exists in network ${n.name}`);
    }
    if (ip !== undefined && n.predefined) {
      throw new DaemonError("user specified IP address is supported on user defined networks only");
    }
    c.config.set(n.id, { ...(ip !== undefined ? { ip } : {}), aliases: [] });
    if (this.state(c) !== "running" || !c.sandbox) return;
    try {
      this.join(c, n, `eth${c.endpoints.length}`, ip, c.endpoints.length === 0);
    } catch (e) {
      c.config.delete(n.id);
      throw e;
    }
  }

  /** docker network disconnect: the endpoint leaves, its address goes back to the pool. */
  disconnect(c: Container, n: DockerNetwork): void {
    if (!c.config.has(n.id)) {
      throw new DaemonError(`container ${c.id} is not connected to network ${n.name}`);
    }
    c.config.delete(n.id);
    const ep = c.endpoints.find((e) => e.network === n);
    if (!ep) return;
    this.leave(c, ep);
    c.endpoints = c.endpoints.filter((e) => e !== ep);
  }
}
