// The docker daemon's networking, as dockerd 20.10 (Debian 12's docker.io) does it:
// containers, networks (libnetwork's CNM: network, endpoint, sandbox) and the bridge
// driver. The daemon changes the kernel only through lab lines (ip, iptables, sysctl) run
// by the simulator's own programs, in the order dockerd makes its netlink calls and runs
// iptables; each is recorded as an operation, which `run` shows under the docker line.
// What is not a lab line (a namespace made, a device moved into it, docker-proxy) is an
// operation too, made through the kernel's netlink-like API (as the programs make theirs)
// and shown in words.
//
// Checked against a real dockerd 20.10 in the sandbox (captures of its CLI output,
// iptables-save, ip and ss listings): see test/sim/docker-*.test.ts.
import { createActor } from "xstate";
import type { CommandResult } from "../../backend.js";
import {
  conntrackDeleteByAddress,
  formatIp4,
  KernelError,
  linkSet,
  network,
  netnsAddUnnamed,
  netnsRelease,
  readSysctl,
  type Ip4,
  type NetNs,
  type TcpListener,
  type UdpSock,
  type Inet6Wildcard,
  type World,
} from "../kernel/netlink/index.js";
import type { ProcessEnv, Waiting } from "../userland/program.js";
import { nextPid } from "../userland/pids.js";
import { bindNsfs } from "../userland/nsfs.js";
import { startProcess } from "../userland/procs.js";
import {
  EMBEDDED_DNS,
  HOST_NAMESERVER,
  startDnsServer,
  stopDnsServer,
  type DnsServer,
} from "./dns-server.js";
import { DockerIds, macFromIp } from "./ids.js";
import { proxyTcp } from "./proxy.js";
import { proxyUdp } from "./proxy-udp.js";
import {
  AddressSpace,
  formatSubnet,
  IpamError,
  parseSubnet,
  type Pool,
  type Subnet,
} from "./ipam.js";
import { bootV29, networkV29, portV29, type V29Network } from "./rules-v29.js";
import {
  containerMachine,
  endpointMachine,
  networkMachine,
  type ContainerActor,
  type EndpointActor,
  type NetworkActor,
} from "./machines.js";

/** Runs a lab line's argv in a namespace with the simulator's programs. */
export type LabRunner = (
  ns: NetNs,
  argv: string[],
  background: boolean,
  env?: ProcessEnv,
) => CommandResult | Waiting;

/** One thing the daemon did to the kernel, as a learner would type it. */
export interface DaemonOp {
  /** The namespace: "" for the host's, else the sandbox's path (/run/docker/netns/<id>). */
  where: string;
  text: string;
}

/** The daemon's refusal: Docker's error text (without "Error response from daemon: "). */
export class DaemonError extends Error {}

export interface PortSpec {
  /** "0.0.0.0" when -p gave none; "::" for the IPv6 twin dockerd adds to such a binding. */
  hostIp: string;
  /**
   * -p named the host address: an IPv4 one (0.0.0.0 too) gets no IPv6 twin
   * (bridge driver validatePortBindingIPv6 returns early for an IPv4 host IP).
   */
  hostIpGiven?: boolean;
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
  /** --subnet was given (only then may a container ask for an --ip). */
  userSubnet: boolean;
  /** IPAM.Config names the gateway: IPAM chose the pool, or --gateway was given (with
   *  --subnet alone it stays empty, checked on 20.10; the bridge still takes the first). */
  configGateway?: boolean;
  internal: boolean;
  icc: boolean;
  masquerade: boolean;
  /** The -o options as given (network inspect's Options). */
  options: [string, string][];
  /** The default networks (bridge, host, none): no embedded DNS, no rm. */
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

interface Sandbox {
  id: string;
  key: string;
  ns: NetNs;
  /** The next ethN: libnetwork's osl counts per sandbox and never reuses a number. */
  nextIf: number;
  /** Unmounts /run/docker/netns/<id> (lsns sees the mount: nsfs.ts). */
  unmount: () => void;
}

/** A published port while the container runs: the reservation and the docker-proxy. */
interface Binding {
  spec: PortSpec;
  ip: Ip4;
  bridge: string;
  /** The socket that holds the host port: docker-proxy's, or dockerd's own without it. */
  tcp?: TcpListener;
  udp?: UdpSock;
  /** docker-proxy's [::] socket (sockets/inet6.ts). */
  inet6?: Inet6Wildcard;
  /** docker-proxy's UDP side ends: its sockets to the container go with it. */
  stopUdpProxy?: () => void;
}

export interface Container {
  id: string;
  name: string;
  image: string;
  cmd: string[];
  /** HostConfig.NetworkMode: default, bridge, host, none, container:<id>, or a network name. */
  networkMode: string;
  /** Networks the container is configured on (by network id), with a requested --ip. */
  config: Map<string, { ip?: Ip4 }>;
  ports: PortSpec[];
  sysctls: [string, string][];
  hostname?: string;
  created: number;
  actor: ContainerActor;
  sandbox?: Sandbox;
  /** NetworkSettings.SandboxKey: stays after the container stops. */
  sandboxKey: string;
  sandboxId: string;
  /** container:X: the namespace it joined at its start. */
  joined?: NetNs;
  endpoints: Endpoint[];
  bound: Binding[];
  pid?: number;
  /** Its process leaves the process table (procs.ts). */
  procExit?: (() => void) | undefined;
  /** --rm (HostConfig.AutoRemove). */
  autoRemove?: boolean;
  /** Made without -d: Config.AttachStdout and AttachStderr. */
  attached?: boolean;
}

/** dockerd's own settings (its command line: a lab's dockerd line, dockerd-program.ts). */
export interface DaemonConfig {
  /** --userland-proxy (default true): docker-proxy per published port, else hairpin NAT. */
  userlandProxy: boolean;
  /** --iptables (default true): without it dockerd writes no rule in the host's namespace. */
  iptables?: boolean;
  /** --ip-forward (default true): dockerd turns net.ipv4.ip_forward on if it is off. */
  ipForward?: boolean;
  /** --icc (default true): the default bridge's containers reach each other. */
  icc?: boolean;
  /** --ip-masq (default true): the default bridge's subnet is masqueraded going out. */
  ipMasq?: boolean;
  /** --bip: docker0's address and prefix, "A.B.C.D/LEN" (else 172.17.0.1/16). */
  bip?: string;
  /**
   * Whose iptables layout: Debian 12's docker.io 20.10 (checked against the real daemon),
   * or current Docker's (Engine v29, from moby's generated rule listings: rules-v29.ts).
   */
  profile?: "20.10" | "29";
}

export const DOCKER_20_10: DaemonConfig = { userlandProxy: true };

/**
 * How long a docker line that changed the kernel lasts (virtual ms). The daemon's work
 * takes real time (a docker run about half a second), and by the time the next line
 * runs the kernel's deferred link work (linkwatch: carrier, operstate, linkdown routes)
 * is done.
 */
export const SETTLE_MS = 1000;

/**
 * How long any other docker line lasts: the CLI's start and its call to the daemon. A
 * `docker stop` returns this long after the kill (its network already gone, linkwatch
 * not yet done: as on the kernel, right after it docker0 is still UP without carrier).
 */
export const CLI_MS = 300;

const DEFAULT_BRIDGE: Subnet = { addr: 0xac110000, plen: 16 };

export class Dockerd {
  readonly ids = new DockerIds();
  /**
   * The one image every name a lab uses tags (the kernel backend imports one): its id.
   * Any 64 hex digits do, the comparison folds ids.
   */
  readonly imageId = "f59fece8f83aaad564d428ea95101c09eda2e9a0da0c9fdd1afe89c37b8b6f73";
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

  /**
   * The daemon of this world, started (its first operations recorded) on first use; a
   * DaemonConfig left in world.dockerd (setDaemonConfig) is the command line it starts with.
   */
  static of(world: World, run: LabRunner): Dockerd {
    // world.dockerd is typed unknown so that the kernel need not import the daemon.
    if (world.dockerd instanceof Dockerd) return world.dockerd;
    const config = (world.dockerd as DaemonConfig | undefined) ?? DOCKER_20_10;
    const d = new Dockerd(world, run, config);
    world.dockerd = d;
    d.boot();
    return d;
  }

  get now(): number {
    return this.world.scheduler.now;
  }

  // ---- operations -----------------------------------------------------------------

  /**
   * Runs a lab line (its words split at spaces) in the host's namespace or a sandbox's.
   * A step that fails (the lab made the same chain or address first) is shown with its
   * error and the daemon goes on, as dockerd logs and goes on for most of its steps.
   */
  private lab(line: string, sandbox?: { key: string; ns: NetNs }): void {
    const where = sandbox?.key ?? "";
    this.ops.push({ where, text: line });
    const r = this.quiet(line, sandbox);
    if (r.exit !== 0) this.ops.push({ where, text: `# failed: ${r.stderr.trim()}` });
  }

  /** A lab line run without showing it (dockerd's own checks), its result. */
  private quiet(line: string, sandbox?: { key: string; ns: NetNs }): CommandResult {
    const r = this.run(sandbox?.ns ?? this.world.root, line.split(" "), false);
    if ("waiting" in r) throw new Error(`simulated dockerd: ${line} would wait`);
    return r;
  }

  /** An operation that is not a lab line: shown as text, done by fn. */
  private act<T>(text: string, fn: () => T, where = ""): T {
    this.ops.push({ where, text });
    return fn();
  }

  /** --iptables (default on): off, dockerd writes no rule in the host's namespace. */
  private get iptablesOn(): boolean {
    return this.config.iptables !== false;
  }

  private iptables(args: string, sandbox?: Sandbox): void {
    if (!sandbox && !this.iptablesOn) return;
    // iptables.NewChain: a chain that exists already is flushed and kept.
    const m = /^(?:-t (\S+) )?-N (\S+)$/.exec(args);
    if (m) {
      const table = m[1] ?? "filter";
      if (this.quiet(`iptables -t ${table} -n -L ${m[2]}`, sandbox).exit === 0) {
        this.lab(`iptables -t ${table} -F ${m[2]}`, sandbox);
        return;
      }
    }
    this.lab(`iptables ${args}`, sandbox);
  }

  // ---- daemon start -----------------------------------------------------------------

  /**
   * dockerd's start: the bridge driver's configure (ip forwarding and the FORWARD
   * policy, then its chains), the default networks (bridge, host, none), and DOCKER-USER
   * (libnetwork controller.go arrangeUserFilterRule) once the bridge network exists.
   */
  private boot(): void {
    this.act("(dockerd starts)", () => undefined);
    // drivers/bridge/setup_ip_forwarding.go (with --ip-forward): forwarding on, and
    // FORWARD's policy DROP, only when the daemon is the one that turns forwarding on.
    const forwarding = readSysctl(this.world.root, "net.ipv4.ip_forward");
    if (this.config.ipForward !== false && (!forwarding.ok || forwarding.value !== "1")) {
      this.lab("sysctl -w net.ipv4.ip_forward=1");
      this.iptables("-P FORWARD DROP");
    }
    if (this.v29) bootV29((a) => this.iptables(a));
    else {
      // setupIPChains: the chains first, each isolation chain ending in RETURN.
      this.iptables("-t nat -N DOCKER");
      this.iptables("-t filter -N DOCKER");
      this.iptables("-t filter -N DOCKER-ISOLATION-STAGE-1");
      this.iptables("-t filter -N DOCKER-ISOLATION-STAGE-2");
      this.iptables("-t filter -A DOCKER-ISOLATION-STAGE-1 -j RETURN");
      this.iptables("-t filter -A DOCKER-ISOLATION-STAGE-2 -j RETURN");
    }
    // --bip: docker0's address, its subnet the default bridge's pool.
    const bip = this.config.bip === undefined ? undefined : parseSubnet(this.config.bip);
    const subnet = bip ? { addr: network(bip.addr, bip.plen), plen: bip.plen } : DEFAULT_BRIDGE;
    this.createBridgeNetwork("bridge", {
      subnet,
      gateway: bip?.addr ?? DEFAULT_BRIDGE.addr + 1,
      bridge: "docker0",
      predefined: true,
      internal: false,
      icc: this.config.icc !== false,
      masquerade: this.config.ipMasq !== false,
      options: [],
    });
    this.addNetwork("host", "host");
    this.addNetwork("none", "null");
    if (this.v29 || !this.iptablesOn) return;
    this.iptables("-N DOCKER-USER");
    this.iptables("-A DOCKER-USER -j RETURN");
    this.iptables("-I FORWARD -j DOCKER-USER");
  }

  private get v29(): boolean {
    return this.config.profile === "29";
  }

  private v29Network(n: DockerNetwork): V29Network {
    return {
      bridge: n.bridge!,
      subnet: formatSubnet(n.pool!.subnet),
      internal: n.internal,
      icc: n.icc,
      masquerade: n.masquerade,
      proxy: this.config.userlandProxy,
    };
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
      userSubnet: false,
      internal: false,
      icc: true,
      masquerade: true,
      options: [],
      predefined: true,
      created: this.now,
      actor: createActor(networkMachine).start(),
    };
    this.networks.push(n);
    return n;
  }

  // ---- networks ---------------------------------------------------------------------

  /** A network by full id, name, or id prefix, as the daemon looks one up. */
  network(ref: string): DockerNetwork | undefined {
    const live = this.networks.filter((n) => n.actor.getSnapshot().value === "active");
    return (
      live.find((n) => n.id === ref) ??
      live.find((n) => n.name === ref) ??
      (ref.length > 0 ? live.find((n) => n.id.startsWith(ref)) : undefined)
    );
  }

  /** docker network create -d bridge: IPAM's pool and gateway, then the bridge driver. */
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
      options: [string, string][];
    },
  ): DockerNetwork {
    if (this.network(name)?.name === name) {
      throw new DaemonError(`network with name ${name} already exists`);
    }
    let pool: Pool;
    try {
      pool = o.subnet ? this.space.requestPool(o.subnet, o.range) : this.space.defaultPool();
    } catch (e) {
      if (e instanceof IpamError) throw new DaemonError(e.message);
      throw e;
    }
    let gateway: Ip4;
    try {
      if (o.gateway !== undefined) pool.claim(o.gateway);
      gateway = o.gateway ?? pool.allocate();
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
      userSubnet: o.subnet !== undefined && o.predefined !== true,
      configGateway: o.subnet === undefined || o.gateway !== undefined,
      internal: o.internal,
      icc: o.icc,
      masquerade: o.masquerade,
      options: o.options,
      predefined: o.predefined ?? false,
    });
    this.setupBridge(n);
    return n;
  }

  /**
   * drivers/bridge/bridge.go createNetwork, its setup steps in their order: the device
   * (with a random 02:42 MAC), its IPv4 address, the iptables rules of
   * setup_ip_tables.go, the isolation rules, then up.
   */
  private setupBridge(n: DockerNetwork): void {
    const br = n.bridge!;
    const sub = formatSubnet(n.pool!.subnet);
    const proxy = this.config.userlandProxy;
    this.lab(`ip link add ${br} address ${this.ids.mac()} txqueuelen 0 type bridge`);
    this.lab(`ip addr add ${formatIp4(n.gateway!)}/${n.pool!.subnet.plen} brd + dev ${br}`);
    if (!proxy) {
      // setupLoopbackAddressesRouting: hairpin NAT to 127.0.0.1 needs route_localnet.
      this.lab(`sysctl -w net.ipv4.conf.${br}.route_localnet=1`);
    }
    if (this.v29) {
      networkV29((a) => this.iptables(a), "add", this.v29Network(n), !this.natJumps);
      if (!n.internal) this.natJumps = true;
      this.lab(`ip link set ${br} up`);
      return;
    }
    if (n.internal) {
      // setupInternalNetworkRules: nothing leaves the subnet or enters it.
      this.iptables(`-I DOCKER-ISOLATION-STAGE-1 -i ${br} ! -d ${sub} -j DROP`);
      this.iptables(`-I DOCKER-ISOLATION-STAGE-1 -o ${br} ! -s ${sub} -j DROP`);
      this.iptables(`-I FORWARD -i ${br} -o ${br} -j ACCEPT`);
    } else {
      // setupIPTablesInternal: masquerade and the hairpin skip (both only with
      // masquerading), the hairpin masquerade, icc (a DROP is appended, an ACCEPT
      // inserted), outgoing.
      if (n.masquerade) {
        this.iptables(`-t nat -I POSTROUTING -s ${sub} ! -o ${br} -j MASQUERADE`);
        if (proxy) this.iptables(`-t nat -I DOCKER -i ${br} -j RETURN`);
      }
      // Hairpin mode (no proxy): what the host sends from its own addresses is masqueraded.
      if (!proxy) {
        this.iptables(`-t nat -I POSTROUTING -o ${br} -m addrtype --src-type LOCAL -j MASQUERADE`);
      }
      if (n.icc) this.iptables(`-I FORWARD -i ${br} -o ${br} -j ACCEPT`);
      else this.iptables(`-A FORWARD -i ${br} -o ${br} -j DROP`);
      this.iptables(`-I FORWARD -i ${br} ! -o ${br} -j ACCEPT`);
      // ProgramChain: the nat jumps (once: the first network's), then FORWARD -o br -j
      // DOCKER and the established rule above it.
      if (!this.natJumps) {
        this.natJumps = true;
        this.iptables("-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER");
        this.iptables(
          `-t nat -A OUTPUT ${proxy ? "! -d 127.0.0.0/8 " : ""}-m addrtype --dst-type LOCAL -j DOCKER`,
        );
      }
      this.iptables(`-I FORWARD -o ${br} -j DOCKER`);
      this.iptables(`-I FORWARD -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
      // setINC: isolation from every other bridge network.
      this.iptables(`-I DOCKER-ISOLATION-STAGE-1 -i ${br} ! -o ${br} -j DOCKER-ISOLATION-STAGE-2`);
      this.iptables(`-I DOCKER-ISOLATION-STAGE-2 -o ${br} -j DROP`);
    }
    // ensureJumpRule after each network's rules: the isolation jump, then DOCKER-USER,
    // each moved back to FORWARD's top.
    if (this.stage1Jump) this.iptables("-D FORWARD -j DOCKER-ISOLATION-STAGE-1");
    this.stage1Jump = true;
    this.iptables("-I FORWARD -j DOCKER-ISOLATION-STAGE-1");
    if (this.networks.some((x) => x.name === "none")) {
      this.iptables("-D FORWARD -j DOCKER-USER");
      this.iptables("-I FORWARD -j DOCKER-USER");
    }
    if (!n.icc && this.iptablesOn) this.bridgeNetFiltering();
    this.lab(`ip link set ${br} up`);
  }

  /**
   * setup_bridgenetfiltering.go, for a network without icc: its DROP must see bridged
   * packets, so with forwarding on bridge-nf-call-iptables is turned on if it is off.
   */
  private bridgeNetFiltering(): void {
    const get = (k: string): string | undefined => {
      const r = readSysctl(this.world.root, k);
      return r.ok ? r.value : undefined;
    };
    if (get("net.ipv4.ip_forward") !== "1") return;
    const nf = get("net.bridge.bridge-nf-call-iptables");
    if (nf !== undefined && nf !== "1") this.lab("sysctl -w net.bridge.bridge-nf-call-iptables=1");
  }

  private natJumps = false;
  private stage1Jump = false;

  /** docker network rm: refused while it has endpoints; then its rules and its bridge go. */
  removeNetwork(n: DockerNetwork): void {
    if (n.predefined) {
      throw new DaemonError(`${n.name} is a pre-defined network and cannot be removed`);
    }
    n.actor.send({ type: "REMOVE" });
    if (n.actor.getSnapshot().value !== "removed") {
      throw new DaemonError(
        `error while removing network: network ${n.name} id ${n.id} has active endpoints`,
      );
    }
    const br = n.bridge!;
    const sub = formatSubnet(n.pool!.subnet);
    const proxy = this.config.userlandProxy;
    if (this.v29) {
      networkV29((a) => this.iptables(a), "del", this.v29Network(n), false);
      this.lab(`ip link del ${br}`);
      this.space.releasePool(n.pool!);
      return;
    }
    if (n.internal) {
      this.iptables(`-D DOCKER-ISOLATION-STAGE-1 -i ${br} ! -d ${sub} -j DROP`);
      this.iptables(`-D DOCKER-ISOLATION-STAGE-1 -o ${br} ! -s ${sub} -j DROP`);
      this.iptables(`-D FORWARD -i ${br} -o ${br} -j ACCEPT`);
    } else {
      if (n.masquerade) {
        this.iptables(`-t nat -D POSTROUTING -s ${sub} ! -o ${br} -j MASQUERADE`);
        if (proxy) this.iptables(`-t nat -D DOCKER -i ${br} -j RETURN`);
      }
      // Hairpin mode (no proxy): what the host sends from its own addresses is masqueraded.
      if (!proxy) {
        this.iptables(`-t nat -D POSTROUTING -o ${br} -m addrtype --src-type LOCAL -j MASQUERADE`);
      }
      this.iptables(`-D FORWARD -i ${br} -o ${br} -j ${n.icc ? "ACCEPT" : "DROP"}`);
      this.iptables(`-D FORWARD -i ${br} ! -o ${br} -j ACCEPT`);
      this.iptables(`-D FORWARD -o ${br} -j DOCKER`);
      this.iptables(`-D FORWARD -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
      this.iptables(`-D DOCKER-ISOLATION-STAGE-1 -i ${br} ! -o ${br} -j DOCKER-ISOLATION-STAGE-2`);
      this.iptables(`-D DOCKER-ISOLATION-STAGE-2 -o ${br} -j DROP`);
    }
    this.lab(`ip link del ${br}`);
    this.space.releasePool(n.pool!);
  }

  // ---- containers -------------------------------------------------------------------

  /** A container by full id, name, or id prefix. */
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
    name: string;
    image: string;
    cmd: string[];
    network: string;
    ip?: Ip4;
    ports: PortSpec[];
    sysctls: [string, string][];
    hostname?: string;
  }): Container {
    const clash = this.container(o.name);
    if (clash && clash.name === o.name) {
      throw new DaemonError(
        `Conflict. The container name "/${o.name}" is already in use by container "${clash.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    const config = new Map<string, { ip?: Ip4 }>();
    let mode = o.network;
    if (mode.startsWith("container:")) {
      const ref = mode.slice("container:".length);
      const other = this.container(ref);
      if (!other) throw new DaemonError(`No such container: ${ref}`);
      mode = `container:${other.id}`;
    } else {
      const n = this.network(mode === "default" ? "bridge" : mode);
      if (!n) throw new DaemonError(`network ${mode} not found`);
      // The endpoint settings of --ip are keyed by the mode's name: for "default" they
      // match no network and the address is silently dynamic (checked on 20.10).
      const ip = mode === "default" ? undefined : o.ip;
      config.set(n.id, ip !== undefined ? { ip } : {});
    }
    const c: Container = {
      id: this.ids.id(),
      name: o.name,
      image: o.image,
      cmd: o.cmd,
      networkMode: mode,
      config,
      // nat.SortPortMap: the bindings with the highest host port first.
      ports: [...o.ports].sort((a, b) => b.hostPort - a.hostPort || b.port - a.port),
      sysctls: o.sysctls,
      ...(o.hostname !== undefined ? { hostname: o.hostname } : {}),
      created: this.now,
      actor: createActor(containerMachine).start(),
      sandboxKey: "",
      sandboxId: "",
      endpoints: [],
      bound: [],
    };
    this.containers.push(c);
    return c;
  }

  /** An --ip request: only on a user-defined network with a subnet the user gave. */
  private checkIpRequest(n: DockerNetwork): void {
    if (n.predefined) {
      throw new DaemonError("user specified IP address is supported on user defined networks only");
    }
    if (!n.userSubnet) {
      throw new DaemonError(
        "user specified IP address is supported only when connecting to networks with user configured subnets",
      );
    }
  }

  /** The container whose namespace a container:X container shares. */
  private sharedWith(c: Container): Container | undefined {
    if (!c.networkMode.startsWith("container:")) return undefined;
    return this.container(c.networkMode.slice("container:".length));
  }

  /** The namespace a running container's processes are in. */
  nsOf(c: Container): NetNs | undefined {
    if (this.state(c) !== "running") return undefined;
    if (c.networkMode === "host") return this.world.root;
    return c.joined ?? c.sandbox?.ns;
  }

  /**
   * docker start: the sandbox (a new namespace, lo up), for each configured network an
   * endpoint (IPAM, the veth pair on the bridge) joined to it (moved in, renamed ethN,
   * addressed, up, the default route), its published ports (iptables, docker-proxy), the
   * --sysctl settings; then the container's process. A failure undoes what was done and
   * leaves the container as it was (Created for a new one).
   */
  start(c: Container, runCmd: boolean): void {
    if (this.state(c) === "running") return;
    if (c.networkMode === "host") {
      // The sandbox of the host's namespace ("default"): libnetwork brings its lo up.
      this.lab("ip link set lo up");
      c.sandboxKey = "/run/docker/netns/default";
    } else if (c.networkMode.startsWith("container:")) {
      const other = this.sharedWith(c);
      const ns = other ? this.nsOf(other) : undefined;
      if (!ns) {
        throw new DaemonError(
          `cannot join network of a non running container: ${c.networkMode.slice("container:".length)}`,
        );
      }
      c.joined = ns;
    } else {
      const sb = this.makeSandbox(c);
      try {
        const joins = [...c.config].map(([netId, cfg]) => {
          const n = this.networks.find((x) => x.id === netId);
          if (!n || n.actor.getSnapshot().value !== "active") {
            throw new DaemonError(`network ${netId} not found`);
          }
          return { n, cfg };
        });
        // The endpoints are made in the configuration's order (their veths get ifindexes
        // in it), but the runtime makes the namespace and libnetwork's SetKey then names
        // them in its own order (internal networks last, then by name): eth0 is the first,
        // and gives the default route (checked on 20.10: created on bridge, connected to
        // "back", started: back's is eth0, bridge's eth1 with the lower ifindex).
        const named = joins
          .filter(({ n }) => n.driver !== "null")
          .sort(
            (a, b) =>
              Number(a.n.internal) - Number(b.n.internal) ||
              (a.n.name < b.n.name ? -1 : a.n.name > b.n.name ? 1 : 0),
          );
        for (const { n, cfg } of joins) {
          if (n.driver === "null") continue;
          const i = named.findIndex((x) => x.n === n);
          this.join(c, n, `eth${i}`, cfg.ip, i === 0);
        }
        sb.nextIf = named.length;
        for (const [k, v] of c.sysctls) this.lab(`sysctl -w ${k}=${v}`, sb);
      } catch (e) {
        this.teardown(c);
        throw e;
      }
    }
    c.actor.send({ type: "START", at: this.now });
    // Its process is in the process table: found by PID (nsenter -t, ip netns identify).
    const argv = c.cmd.length > 0 ? c.cmd : ["sleep", "infinity"];
    const proc = startProcess(this.world, this.nsOf(c) ?? this.world.root, argv);
    c.pid = proc.pid;
    c.procExit = proc.exit;
    if (runCmd) this.startProcess(c);
  }

  private makeSandbox(c: Container): Sandbox {
    const id = this.ids.id();
    const key = `/run/docker/netns/${id.slice(0, 12)}`;
    // Walks say "in web (container)", not "(root)", for what happens in its namespace.
    const ns = this.act(`(a new network namespace, bind-mounted at ${key})`, () =>
      netnsAddUnnamed(this.world, `${c.name} (container)`),
    );
    c.sandbox = { id, key, ns, nextIf: 0, unmount: bindNsfs(this.world, ns, key) };
    c.sandboxKey = key;
    c.sandboxId = id;
    this.lab("ip link set lo up", c.sandbox);
    // Without IPv6 on its networks (never, here) the sandbox has none: lo loses ::1, and
    // every interface moved in later starts disabled (checked on 20.10: all, default, lo
    // and each ethN read 1; `ip -6 addr` and `ip -6 route` print nothing).
    this.lab("sysctl -w net.ipv6.conf.all.disable_ipv6=1", c.sandbox);
    return c.sandbox;
  }

  /** bridge driver CreateEndpoint and Join, then the sandbox's interface and gateway. */
  private join(
    c: Container,
    n: DockerNetwork,
    ifname: string,
    want: Ip4 | undefined,
    gw: boolean,
  ): void {
    let ip: Ip4;
    if (want !== undefined) {
      this.checkIpRequest(n);
      if (!n.pool!.contains(want)) {
        throw new DaemonError(
          `Invalid address ${formatIp4(want)}: It does not belong to any of this network's subnets`,
        );
      }
    }
    try {
      if (want !== undefined) n.pool!.claim(want);
      ip = want ?? n.pool!.allocate();
    } catch (e) {
      if (!(e instanceof IpamError)) throw e;
      throw new DaemonError(
        want !== undefined
          ? e.message
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
    c.endpoints.push(ep);
    n.actor.send({ type: "ENDPOINT_UP" });
    // netlink.Veth{TxQLen: 0}: neither end gets a queue length (ip shows no qlen).
    this.lab(`ip link add ${host} txqueuelen 0 type veth peer name ${peer} txqueuelen 0`);
    this.lab(`ip link set ${host} master ${n.bridge!}`);
    if (!this.config.userlandProxy) this.lab(`ip link set ${host} type bridge_slave hairpin on`);
    this.lab(`ip link set ${host} up`);
    // osl AddInterface: into the sandbox, renamed, addressed, up.
    this.act(`ip link set ${peer} netns ${sb.key}`, () => {
      const dev = this.world.root.deviceList().find((d) => d.name === peer)!;
      // Into a namespace whose default is disable_ipv6=1 (makeSandbox): the interface
      // gets no link-local and stays silent (no MLD report, no DAD), so docker0 learns
      // nothing from it until it sends IPv4.
      linkSet(dev, { netns: sb.ns });
    });
    this.lab(`ip link set ${peer} name ${ifname}`, sb);
    this.lab(`ip link set ${ifname} address ${mac}`, sb);
    this.lab(`ip addr add ${formatIp4(ip)}/${n.pool!.subnet.plen} brd + dev ${ifname}`, sb);
    this.lab(`ip link set ${ifname} up`, sb);
    if (gw) this.lab(`ip route add default via ${formatIp4(n.gateway!)} dev ${ifname}`, sb);
    ep.actor.send({ type: "JOIN" });
    if (!n.predefined && !this.resolverUp.has(sb.ns)) this.startResolver(sb);
    if (gw && !n.internal) this.publish(c, ep);
  }

  /** Namespaces whose embedded DNS resolver runs (sandbox.go startResolver), and its sockets. */
  private readonly resolverUp = new Map<NetNs, DnsServer>();

  /**
   * The embedded DNS server's rules in the container's namespace (resolver_unix.go
   * setupIPTable): 127.0.0.11:53 goes to the daemon's sockets on random ports.
   */
  private startResolver(sb: Sandbox): void {
    const udp = 32768 + (parseInt(this.ids.hex(4), 16) % 28000);
    const tcp = 32768 + (parseInt(this.ids.hex(4), 16) % 28000);
    // resolver.go Start: the sockets first (in the namespace), then the rules to them.
    this.resolverUp.set(
      sb.ns,
      startDnsServer(
        sb.ns,
        { udp, tcp },
        {
          resolveName: (ns, name) => this.resolve(ns, name)?.addr,
          resolveIp: (ns, addr) => this.resolveIp(ns, addr),
        },
      ),
    );
    this.iptables("-t nat -N DOCKER_OUTPUT", sb);
    this.iptables("-t nat -N DOCKER_POSTROUTING", sb);
    this.iptables("-t nat -A OUTPUT -d 127.0.0.11 -j DOCKER_OUTPUT", sb);
    this.iptables("-t nat -A POSTROUTING -d 127.0.0.11 -j DOCKER_POSTROUTING", sb);
    this.iptables(
      `-t nat -I DOCKER_OUTPUT -d 127.0.0.11 -p udp --dport 53 -j DNAT --to-destination 127.0.0.11:${udp}`,
      sb,
    );
    this.iptables(
      `-t nat -I DOCKER_POSTROUTING -s 127.0.0.11 -p udp --sport ${udp} -j SNAT --to-source :53`,
      sb,
    );
    this.iptables(
      `-t nat -I DOCKER_OUTPUT -d 127.0.0.11 -p tcp --dport 53 -j DNAT --to-destination 127.0.0.11:${tcp}`,
      sb,
    );
    this.iptables(
      `-t nat -I DOCKER_POSTROUTING -s 127.0.0.11 -p tcp --sport ${tcp} -j SNAT --to-source :53`,
      sb,
    );
  }

  /** The host has IPv6 (its lo has ::1): an unspecified host address is bound on :: too. */
  private hostHasIpv6(): boolean {
    const lo = this.world.root.byName("lo");
    return lo !== undefined && lo.adminUp && lo.addrs6.length > 0;
  }

  /**
   * bridge driver ProgramExternalConnectivity: per port (highest host port first), the
   * port allocator, the DNAT, filter and hairpin MASQUERADE rules, then the socket that
   * holds the port: docker-proxy's, or with the proxy off the daemon's own.
   */
  private publish(c: Container, ep: Endpoint): void {
    const br = ep.network.bridge!;
    const ip = formatIp4(ep.ip);
    const specs = c.ports.flatMap((p) =>
      p.hostIp === "0.0.0.0" && !p.hostIpGiven && this.config.userlandProxy && this.hostHasIpv6()
        ? [p, { ...p, hostIp: "::" }]
        : [p],
    );
    for (const p of specs) {
      const v6 = p.hostIp === "::";
      const clash = [...this.allocated].some((k) => {
        const [proto, host, port] = k.split("/");
        return (
          proto === p.proto &&
          Number(port) === p.hostPort &&
          (host === p.hostIp || host === "0.0.0.0" || p.hostIp === "0.0.0.0")
        );
      });
      if (!v6 && clash) {
        throw new DaemonError(
          `driver failed programming external connectivity on endpoint ${c.name} (${ep.id}): Bind for ${p.hostIp}:${p.hostPort} failed: port is already allocated`,
        );
      }
      const b: Binding = { spec: p, ip: ep.ip, bridge: br };
      c.bound.push(b);
      if (!v6) {
        this.allocated.add(`${p.proto}/${p.hostIp}/${p.hostPort}`);
        this.portRules("-A", b, c.bound.filter((x) => x.spec.hostIp !== "::").length === 1);
      }
      const text = this.config.userlandProxy
        ? `docker-proxy -proto ${p.proto} -host-ip ${p.hostIp} -host-port ${p.hostPort} -container-ip ${ip} -container-port ${p.port} &`
        : `(dockerd holds ${p.proto} ${p.hostIp}:${p.hostPort} open)`;
      if (v6) {
        // Its own docker-proxy on [::]: it holds the port and shows in ss; the simulated
        // kernel has no IPv6 stack, so nothing reaches it.
        this.act(text, () => {
          b.inet6 = this.world.root.inet6.bind(p.proto, p.hostPort, 4096);
          b.inet6.owner = { comm: "docker-proxy", pid: nextPid(this.world), fd: 4 };
        });
        continue;
      }
      this.act(text, () => this.holdPort(b, c, ep));
    }
  }

  /** iptables.go forward(): the nat DNAT, the filter ACCEPT, the hairpin MASQUERADE. */
  private portRules(op: "-A" | "-D", b: Binding, first = false): void {
    const p = b.spec;
    const ip = formatIp4(b.ip);
    if (this.v29) {
      const port = { ...p, bridge: b.bridge, ip, proxy: this.config.userlandProxy, first };
      portV29((a) => this.iptables(a), op === "-A" ? "add" : "del", port);
      return;
    }
    const dst = p.hostIp === "0.0.0.0" ? "" : `-d ${p.hostIp}/32 `;
    const hairpin = this.config.userlandProxy ? `! -i ${b.bridge} ` : "";
    const m = `-p ${p.proto} -m ${p.proto}`;
    this.iptables(
      `-t nat ${op} DOCKER ${dst}${hairpin}${m} --dport ${p.hostPort} -j DNAT --to-destination ${ip}:${p.port}`,
    );
    this.iptables(
      `-t filter ${op} DOCKER -d ${ip}/32 ! -i ${b.bridge} -o ${b.bridge} ${m} --dport ${p.port} -j ACCEPT`,
    );
    this.iptables(
      `-t nat ${op} POSTROUTING -s ${ip}/32 -d ${ip}/32 ${m} --dport ${p.port} -j MASQUERADE`,
    );
  }

  /** The host port's socket; its bind error is docker-proxy's (or the daemon's). */
  private holdPort(b: Binding, c: Container, ep: Endpoint): void {
    const p = b.spec;
    const root = this.world.root;
    const proxy = this.config.userlandProxy;
    const owner = proxy
      ? { comm: "docker-proxy", pid: nextPid(this.world), fd: 4 }
      : { comm: "dockerd", pid: 45, fd: this.openFd(b) };
    const addr = p.hostIp === "0.0.0.0" ? 0 : this.parseHostIp(p.hostIp);
    try {
      if (p.proto === "tcp") {
        b.tcp = root.tcp.listen(addr, p.hostPort, 4096);
        b.tcp.owner = owner;
        if (proxy) proxyTcp(root, b.tcp, { ip: b.ip, port: p.port }, owner);
      } else {
        b.udp = root.udp.bind(addr, p.hostPort);
        b.udp.owner = owner;
        if (proxy) b.stopUdpProxy = proxyUdp(root, b.udp, { ip: b.ip, port: p.port }, owner);
      }
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      const why =
        e.errno === "EADDRNOTAVAIL" ? "cannot assign requested address" : "address already in use";
      const listen = `listen ${p.proto}4 ${p.hostIp}:${p.hostPort}: bind: ${why}`;
      throw new DaemonError(
        `driver failed programming external connectivity on endpoint ${c.name} (${ep.id}): ${proxy ? `Error starting userland proxy: ${listen}` : listen}`,
      );
    }
  }

  /** dockerd's descriptors for the ports it holds (the lowest free one, from 24 on). */
  private readonly fds = new Map<number, Binding>();
  private openFd(b: Binding): number {
    let fd = 24;
    while (this.fds.has(fd)) fd++;
    this.fds.set(fd, b);
    return fd;
  }

  private parseHostIp(s: string): Ip4 {
    const [a, b, x, y] = s.split(".").map(Number);
    return ((a! << 24) | (b! << 16) | (x! << 8) | y!) >>> 0;
  }

  /** The container's command: a lab program in its namespace (sleep shows nothing). */
  private startProcess(c: Container): void {
    const ns = this.nsOf(c);
    if (!ns || c.cmd.length === 0 || c.cmd[0] === "sleep") return;
    this.run(ns, c.cmd, true, this.envOf(c));
  }

  /**
   * What a container's process sees: the image's files (no /etc/services) and, in a
   * namespace with the embedded DNS server, Docker's names.
   */
  envOf(c: Container): ProcessEnv {
    const ns = this.nsOf(c);
    const dns = ns !== undefined && this.resolverUp.has(ns);
    // resolv.conf: the embedded server's address, else the host's (the sandbox's fixed one).
    // Docker's default capabilities leave out CAP_NET_ADMIN: the container cannot change
    // its own interfaces, addresses, routes (nsenter from the host still can).
    return {
      noServices: true,
      noNetAdmin: true,
      nameserver: dns ? EMBEDDED_DNS : HOST_NAMESERVER,
    };
  }

  /**
   * The container's process ended (docker stop: SIGTERM, then SIGKILL after the grace
   * period): the ports go, each endpoint leaves (the interface moved back to the host
   * and deleted with its pair), and the sandbox with it.
   */
  exited(c: Container, code: number): void {
    c.procExit?.();
    c.procExit = undefined;
    this.teardown(c);
    c.actor.send({ type: "EXIT", code, at: this.now });
  }

  private teardown(c: Container): void {
    for (const b of [...c.bound].reverse()) {
      const p = b.spec;
      const v4 = c.bound.filter((x) => x.spec.hostIp !== "::");
      if (p.hostIp !== "::") this.portRules("-D", b, v4[0] === b);
      const gone = (): void => {
        if (b.tcp) this.world.root.tcp.closeListener(b.tcp);
        b.stopUdpProxy?.();
        if (b.inet6) this.world.root.inet6.close(b.inet6);
        if (b.udp) this.world.root.udp.close(b.udp);
        for (const [fd, x] of this.fds) if (x === b) this.fds.delete(fd);
      };
      if (this.config.userlandProxy)
        this.act(`(docker-proxy for ${p.proto} ${p.hostIp}:${p.hostPort} ends)`, gone);
      else gone();
      this.allocated.delete(`${p.proto}/${p.hostIp}/${p.hostPort}`);
    }
    c.bound = [];
    for (const ep of [...c.endpoints].reverse()) this.leave(c, ep);
    c.endpoints = [];
    const sb = c.sandbox;
    if (sb) {
      c.sandbox = undefined;
      sb.unmount();
      const dns = this.resolverUp.get(sb.ns);
      if (dns) stopDnsServer(sb.ns, dns);
      this.resolverUp.delete(sb.ns);
      // Containers that joined it keep the namespace alive (their processes are in it).
      const users = this.containers.filter(
        (x) => x !== c && this.state(x) === "running" && x.joined === sb.ns,
      );
      if (users.length === 0)
        this.act(`(the namespace ${sb.key} goes)`, () => netnsRelease(this.world, sb.ns));
      else
        this.act(
          `(${sb.key} is unmounted; its namespace lives on in ${users.map((u) => u.name).join(", ")})`,
          () => undefined,
        );
    } else if (c.joined) {
      const ns = c.joined;
      c.joined = undefined;
      const alive = this.containers.some(
        (x) => x !== c && this.state(x) === "running" && (x.sandbox?.ns === ns || x.joined === ns),
      );
      if (!alive && ns !== this.world.root) netnsRelease(this.world, ns);
    }
  }

  /** osl RemoveInterface (back to the host under its old name), then DeleteEndpoint. */
  private leave(c: Container, ep: Endpoint): void {
    const sb = c.sandbox!;
    const here = sb.ns.deviceList().some((d) => d.name === ep.ifname);
    if (here) {
      this.lab(`ip link set ${ep.ifname} down`, sb);
      this.lab(`ip link set ${ep.ifname} name ${ep.peer}`, sb);
      this.act(
        `ip link set ${ep.peer} netns 1`,
        () => {
          const dev = sb.ns.deviceList().find((d) => d.name === ep.peer);
          if (dev) linkSet(dev, { netns: { pid: 1 } });
        },
        sb.key,
      );
    }
    if (this.world.root.byName(ep.hostVeth)) this.lab(`ip link del ${ep.hostVeth}`);
    ep.actor.send({ type: here ? "LEAVE" : "DELETE" });
    ep.actor.send({ type: "DELETE" });
    ep.network.actor.send({ type: "ENDPOINT_DOWN" });
    ep.network.pool!.release(ep.ip);
  }

  /** docker rm: the record goes (the CLI's -f kills a running one first). */
  remove(c: Container): void {
    c.actor.send({ type: "REMOVE" });
  }

  /** docker network connect: a running container gets an endpoint now; a stopped one, only configuration. */
  connect(c: Container, n: DockerNetwork, ip?: Ip4): void {
    const mode = c.networkMode;
    if (mode === "host" || mode === "none" || mode.startsWith("container:")) {
      throw new DaemonError(
        "container sharing network namespace with another container or host cannot be connected to any other network",
      );
    }
    if (c.config.has(n.id)) {
      throw new DaemonError(`endpoint with name ${c.name} already exists in network ${n.name}`);
    }
    if (ip !== undefined) this.checkIpRequest(n);
    if (this.state(c) !== "running" || !c.sandbox) {
      c.config.set(n.id, ip !== undefined ? { ip } : {});
      return;
    }
    const before = this.gatewayEndpoint(c);
    this.join(c, n, `eth${c.sandbox.nextIf++}`, ip, c.endpoints.length === 0);
    c.config.set(n.id, ip !== undefined ? { ip } : {});
    // sandbox.updateGateway: the default route follows the first endpoint in libnetwork's
    // order (network names), so a network connected later can take it over.
    const after = this.gatewayEndpoint(c);
    if (before && after && after !== before && c.sandbox) {
      const sb = c.sandbox;
      // Revoke/ProgramExternalConnectivity: clearEndpointConnections drops the host's
      // conntrack entries of both endpoints' addresses.
      for (const ep of [before, after]) {
        this.act(`(conntrack entries with ${formatIp4(ep.ip)} deleted)`, () =>
          conntrackDeleteByAddress(this.world.root, ep.ip),
        );
      }
      this.lab(`ip route del default`, sb);
      this.lab(
        `ip route add default via ${formatIp4(after.network.gateway!)} dev ${after.ifname}`,
        sb,
      );
    }
  }

  /** The endpoint whose network gives the default route: non-internal, lowest network name. */
  private gatewayEndpoint(c: Container): Endpoint | undefined {
    const eps = c.endpoints.filter((e) => !e.network.internal && e.network.gateway !== undefined);
    return eps.sort((a, b) => (a.network.name < b.network.name ? -1 : 1))[0];
  }

  /** docker network disconnect: the endpoint leaves, its address goes back to the pool. */
  disconnect(c: Container, n: DockerNetwork): void {
    if (!c.config.has(n.id)) {
      throw new DaemonError(`container ${c.id} is not connected to network ${n.name}`);
    }
    c.config.delete(n.id);
    const ep = c.endpoints.find((e) => e.network === n);
    if (!ep) return;
    const before = this.gatewayEndpoint(c);
    this.leave(c, ep);
    c.endpoints = c.endpoints.filter((e) => e !== ep);
    // sandbox.updateGateway: the gateway's endpoint left (its device, and the default
    // route on it, went with it); the next endpoint in libnetwork's order gives the route.
    const after = this.gatewayEndpoint(c);
    if (before === ep && after && c.sandbox)
      this.lab(
        `ip route add default via ${formatIp4(after.network.gateway!)} dev ${after.ifname}`,
        c.sandbox,
      );
  }

  /** The embedded DNS server's answer for a name asked from a container's namespace. */
  resolve(ns: NetNs, name: string): { addr: Ip4; fqdn: string } | undefined {
    for (const { c, there } of this.peersOnUserNetworks(ns)) {
      const full = `${c.name}.${there.network.name}`;
      if (c.name === name || c.id.slice(0, 12) === name || full === name) {
        return { addr: there.ip, fqdn: full };
      }
    }
    return undefined;
  }

  /** ResolveIP: the name.network of an address on a network the asker is on. */
  resolveIp(ns: NetNs, addr: Ip4): string | undefined {
    for (const { c, there } of this.peersOnUserNetworks(ns)) {
      if (there.ip === addr) return `${c.name}.${there.network.name}`;
    }
    return undefined;
  }

  /**
   * What the embedded DNS server of the container running in NS knows: each running
   * container (itself included) with its endpoint on each user network they share, in order.
   */
  private *peersOnUserNetworks(ns: NetNs): Generator<{ c: Container; there: Endpoint }> {
    const asker = this.containers.find((c) => this.state(c) === "running" && this.nsOf(c) === ns);
    if (!asker) return;
    for (const ep of asker.endpoints) {
      if (ep.network.predefined) continue;
      for (const c of this.containers) {
        if (this.state(c) !== "running") continue;
        const there = c.endpoints.find((e) => e.network === ep.network);
        if (there) yield { c, there };
      }
    }
  }

  /** Whether a namespace's resolver is Docker's embedded DNS (a user network's container). */
  embeddedDns(ns: NetNs): boolean {
    return this.resolverUp.has(ns);
  }
}

/** Sets the command line the daemon of this world will start with (before its first line). */
export function setDaemonConfig(world: World, config: DaemonConfig): void {
  if (world.dockerd instanceof Dockerd) throw new Error("the daemon has started already");
  world.dockerd = config;
}
