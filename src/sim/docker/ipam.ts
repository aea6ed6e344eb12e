// libnetwork's default IPAM driver (ipam/allocator.go), for IPv4: address pools per
// network, the gateway first, then the lowest free address; an address is not handed out
// again while it is held, and goes back to the pool on release. Subnets for networks
// created without --subnet come from the default address pools (ipamutils): 172.17.0.0/16
// to 172.31.0.0/16, then 192.168.0.0/16 in /20s, skipping any that overlaps a pool in use.
import {
  formatIp4,
  inPrefix,
  maskOf,
  network,
  parseIp4,
  type Ip4,
} from "../kernel/netlink/index.js";

export interface Subnet {
  addr: Ip4;
  plen: number;
}

export function formatSubnet(s: Subnet): string {
  return `${formatIp4(s.addr)}/${s.plen}`;
}

/** Errors the IPAM driver returns, in its own words (ipamapi/contract.go). */
export class IpamError extends Error {}

export function overlaps(a: Subnet, b: Subnet): boolean {
  const plen = Math.min(a.plen, b.plen);
  return network(a.addr, plen) === network(b.addr, plen);
}

export function parseSubnet(s: string): Subnet | undefined {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const addr = parseIp4(m[1]!);
  const plen = Number(m[2]);
  if (addr === undefined || plen > 32) return undefined;
  return { addr, plen };
}

function* defaultPools(): Generator<Subnet> {
  for (let i = 17; i <= 31; i++) yield { addr: ((172 << 24) | (i << 16)) >>> 0, plen: 16 };
  for (let i = 0; i < 16; i++)
    yield { addr: ((192 << 24) | (168 << 16) | (i << 12)) >>> 0, plen: 20 };
}

/** One network's pool: which of its addresses are held. */
export class Pool {
  private held = new Set<Ip4>();
  constructor(
    readonly subnet: Subnet,
    /** --ip-range: where dynamic addresses come from (the whole subnet without it). */
    readonly range: Subnet = subnet,
  ) {}

  contains(a: Ip4): boolean {
    return inPrefix(a, this.subnet.addr, this.subnet.plen);
  }

  /** RequestAddress with a preferred address (--ip, --gateway). */
  claim(a: Ip4): void {
    if (!this.contains(a))
      throw new IpamError("no available IPv4 addresses on this network's address pools");
    if (this.held.has(a)) throw new IpamError("Address already in use");
    this.held.add(a);
  }

  /** RequestAddress without one: the lowest free address of the range (network and broadcast excluded). */
  allocate(): Ip4 {
    const base = network(this.range.addr, this.range.plen);
    const size = 2 ** (32 - this.range.plen);
    const net = network(this.subnet.addr, this.subnet.plen);
    const bcast = (net | ~maskOf(this.subnet.plen)) >>> 0;
    for (let i = 0; i < size; i++) {
      const a = (base + i) >>> 0;
      if (a === net || a === bcast || this.held.has(a)) continue;
      this.held.add(a);
      return a;
    }
    throw new IpamError("no available IPv4 addresses on this network's address pools");
  }

  release(a: Ip4): void {
    this.held.delete(a);
  }
}

/** The address space: the pools of every network, for overlap checks and defaults. */
export class AddressSpace {
  readonly pools = new Set<Pool>();

  /** RequestPool with a subnet the user gave. */
  requestPool(subnet: Subnet, range?: Subnet): Pool {
    for (const p of this.pools) {
      if (overlaps(p.subnet, subnet))
        throw new IpamError("Pool overlaps with other one on this address space");
    }
    const pool = new Pool(subnet, range);
    this.pools.add(pool);
    return pool;
  }

  /** RequestPool without one: the first default pool that overlaps nothing held. */
  defaultPool(): Pool {
    for (const s of defaultPools()) {
      if ([...this.pools].some((p) => overlaps(p.subnet, s))) continue;
      const pool = new Pool(s);
      this.pools.add(pool);
      return pool;
    }
    throw new IpamError(
      "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network",
    );
  }

  releasePool(p: Pool): void {
    this.pools.delete(p);
  }
}
