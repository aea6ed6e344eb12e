// Per-device neighbour parameters (struct neigh_parms, net/core/neighbour.c) and their
// /proc/sys/net/ipv4/neigh/DEV/* files. The kernel keeps times in jiffies and each file
// converts on the way in and out (seconds, USER_HZ ticks or milliseconds), so a value can
// read back rounded (locktime 7 reads 6). Every device with an in_device gets parms copied
// from arp_tbl's defaults when it registers, in any namespace (neigh_parms_alloc); the
// defaults' own directory (net.ipv4.neigh.default) exists only in the machine's initial
// namespace, which a lab never is. Moving a device to another namespace makes its parms
// afresh. Checked on kernel 6.18 (HZ=250).

/** The kernel's tick rate (CONFIG_HZ) and the tick /proc reports in (USER_HZ). */
const HZ = 250;
const USER_HZ = 100;
const INT_MAX = 2 ** 31 - 1;
/** SKB_TRUESIZE(ETH_FRAME_LEN): unres_qlen counts packets of this size in unres_qlen_bytes. */
const FRAME_TRUESIZE = 2090;

/** The NEIGH_VAR_* slots; times in jiffies. */
type Var =
  | "MCAST_PROBES"
  | "UCAST_PROBES"
  | "APP_PROBES"
  | "MCAST_REPROBES"
  | "RETRANS_TIME"
  | "BASE_REACHABLE_TIME"
  | "DELAY_PROBE_TIME"
  | "INTERVAL_PROBE_TIME_MS"
  | "GC_STALETIME"
  | "QUEUE_LEN_BYTES"
  | "PROXY_QLEN"
  | "ANYCAST_DELAY"
  | "PROXY_DELAY"
  | "LOCKTIME";

/** arp_tbl.parms (net/ipv4/arp.c). */
const DEFAULTS: Record<Var, number> = {
  MCAST_PROBES: 3,
  UCAST_PROBES: 3,
  APP_PROBES: 0,
  MCAST_REPROBES: 0,
  RETRANS_TIME: 1 * HZ,
  BASE_REACHABLE_TIME: 30 * HZ,
  DELAY_PROBE_TIME: 5 * HZ,
  INTERVAL_PROBE_TIME_MS: 5 * HZ,
  GC_STALETIME: 60 * HZ,
  QUEUE_LEN_BYTES: 212992,
  PROXY_QLEN: 64,
  ANYCAST_DELAY: 1 * HZ,
  PROXY_DELAY: (8 * HZ) / 10,
  LOCKTIME: 1 * HZ,
};

/**
 * How a file converts: int (0..INT_MAX), secs (proc_dointvec_jiffies), userhz
 * (proc_dointvec_userhz_jiffies), ms (proc_dointvec_ms_jiffies), ms+ (at least 1 ms),
 * qlen (packets of FRAME_TRUESIZE bytes).
 */
type Unit = "int" | "secs" | "userhz" | "ms" | "ms+" | "qlen";

/** The files of a device's directory (neigh_sysctl_template), in the kernel's order. */
const FILES: Record<string, [Var, Unit]> = {
  mcast_solicit: ["MCAST_PROBES", "int"],
  ucast_solicit: ["UCAST_PROBES", "int"],
  app_solicit: ["APP_PROBES", "int"],
  mcast_resolicit: ["MCAST_REPROBES", "int"],
  retrans_time: ["RETRANS_TIME", "userhz"],
  base_reachable_time: ["BASE_REACHABLE_TIME", "secs"],
  delay_first_probe_time: ["DELAY_PROBE_TIME", "secs"],
  interval_probe_time_ms: ["INTERVAL_PROBE_TIME_MS", "ms+"],
  gc_stale_time: ["GC_STALETIME", "secs"],
  unres_qlen_bytes: ["QUEUE_LEN_BYTES", "int"],
  proxy_qlen: ["PROXY_QLEN", "int"],
  anycast_delay: ["ANYCAST_DELAY", "userhz"],
  proxy_delay: ["PROXY_DELAY", "userhz"],
  locktime: ["LOCKTIME", "userhz"],
  unres_qlen: ["QUEUE_LEN_BYTES", "qlen"],
  retrans_time_ms: ["RETRANS_TIME", "ms"],
  base_reachable_time_ms: ["BASE_REACHABLE_TIME", "ms"],
};

export type NeighParmsWrite = { ok: true } | { ok: false; error: string };

/** Jiffies as milliseconds (jiffies_to_msecs). */
const toMs = (j: number): number => (j * 1000) / HZ;

export class NeighParms {
  private readonly v: Record<Var, number> = { ...DEFAULTS };
  /** reachable_time: drawn from [base/2, 3*base/2) when made and when the base is written. */
  reachableMs: number;

  constructor(private readonly rand: (lo: number, hi: number) => number) {
    this.reachableMs = this.drawReachable();
  }

  static has(file: string): boolean {
    return Object.hasOwn(FILES, file);
  }

  /** neigh_rand_reach_time, in milliseconds. */
  private drawReachable(): number {
    const base = toMs(this.v.BASE_REACHABLE_TIME);
    return base === 0 ? 0 : this.rand(base / 2, (3 * base) / 2 - 1);
  }

  read(file: string): string {
    const [slot, unit] = FILES[file]!;
    const j = this.v[slot];
    switch (unit) {
      case "int":
        return String(j);
      case "secs":
        return String(Math.trunc(j / HZ));
      case "userhz":
        return String(Math.trunc((j * USER_HZ) / HZ));
      case "ms":
      case "ms+":
        return String(toMs(j));
      case "qlen":
        return String(Math.trunc(j / FRAME_TRUESIZE));
    }
  }

  /** A parsed integer written to the file: converted, range-checked, stored. */
  write(file: string, value: number): NeighParmsWrite {
    const [slot, unit] = FILES[file]!;
    const bad = { ok: false, error: "Invalid argument" } as const;
    let j: number;
    switch (unit) {
      case "int":
        if (value < 0) return bad;
        j = value;
        break;
      case "secs":
        if (Math.abs(value) > INT_MAX / HZ) return bad;
        j = value * HZ;
        break;
      case "userhz":
        if (value > Math.floor(INT_MAX / HZ) * USER_HZ) return bad;
        // A negative count is taken and reads back as written (locktime -1 reads -1).
        j = value < 0 ? (value * HZ) / USER_HZ : Math.floor((value * HZ) / USER_HZ);
        break;
      case "ms":
      case "ms+":
        // msecs_to_jiffies rounds up; a negative count is a huge unsigned one (EINVAL).
        j = Math.ceil((value * HZ) / 1000);
        if (value < 0 || j > INT_MAX || (unit === "ms+" && value < 1)) return bad;
        break;
      case "qlen":
        if (value < 0 || value > Math.floor(INT_MAX / FRAME_TRUESIZE)) return bad;
        j = value * FRAME_TRUESIZE;
        break;
    }
    this.v[slot] = j;
    if (slot === "BASE_REACHABLE_TIME") this.reachableMs = this.drawReachable();
    return { ok: true };
  }

  // What the neighbour state machine reads when it arms a timer or counts probes.
  get mcastProbes(): number {
    return this.v.MCAST_PROBES;
  }
  get ucastProbes(): number {
    return this.v.UCAST_PROBES;
  }
  get appProbes(): number {
    return this.v.APP_PROBES;
  }
  get mcastReprobes(): number {
    return this.v.MCAST_REPROBES;
  }
  /** max(RETRANS_TIME, HZ/100): the timer never runs sooner than 10 ms. */
  get retransMs(): number {
    return toMs(Math.max(this.v.RETRANS_TIME, HZ / 100));
  }
  /** DELAY_PROBE_TIME; a negative one fires at the next tick. */
  get delayMs(): number {
    return Math.max(toMs(this.v.DELAY_PROBE_TIME), 0);
  }
  get locktimeMs(): number {
    return toMs(this.v.LOCKTIME);
  }
  /** unres_qlen in packets (the byte limit over full-size frames' truesize). */
  get queuePackets(): number {
    return Math.trunc(this.v.QUEUE_LEN_BYTES / FRAME_TRUESIZE);
  }
}
