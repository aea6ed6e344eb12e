// Helpers for the `ip` tests: run lab lines in a fresh simulator and look up the random
// values (MACs, link-locals) the seeded world gave, so expected texts can name them.
import type { CommandResult } from "../../../src/backend.js";
import { linkLocalFromMac } from "../../../src/sim/kernel/core/mac.js";
import { canonicalIp6 } from "../../../src/sim/kernel/core/ip6.js";
import { withFiles, type ScriptFiles } from "../../../src/script/load.js";
import { parseLine } from "../../../src/script/parse.js";
import { SimBackend, type SimOptions } from "../../../src/sim/sim-backend.js";

export class Lab {
  readonly b: SimBackend;

  /** `files`: where lines find the files they name (iptables-restore FILE), as when loaded. */
  constructor(
    opts: SimOptions = {},
    private readonly files?: ScriptFiles,
  ) {
    this.b = new SimBackend(opts);
  }

  /** Runs one lab line. */
  run(line: string): CommandResult {
    const cmd = parseLine(line, 1);
    if (!cmd) throw new Error(`not a command: ${line}`);
    return this.b.runSync(this.files ? withFiles(cmd, this.files) : cmd);
  }

  /** Runs lines that must all succeed silently. */
  setup(...lines: string[]): void {
    for (const l of lines) {
      const r = this.run(l);
      if (r.exit !== 0 || r.stderr !== "") throw new Error(`${l}: exit ${r.exit} ${r.stderr}`);
    }
  }

  /** stdout of a line that must succeed. */
  out(line: string): string {
    const r = this.run(line);
    if (r.exit !== 0) throw new Error(`${line}: exit ${r.exit} ${r.stderr}`);
    return r.stdout;
  }

  dev(name: string, ns?: string) {
    const n = this.b.world.netns(ns);
    const d = n?.byName(name);
    if (!d) throw new Error(`no device ${name}`);
    return d;
  }

  mac(name: string, ns?: string): string {
    return this.dev(name, ns).mac;
  }

  idx(name: string, ns?: string): number {
    return this.dev(name, ns).ifindex;
  }

  /** The EUI-64 link-local the device got. */
  ll(name: string, ns?: string): string {
    return canonicalIp6(linkLocalFromMac(this.mac(name, ns)))!;
  }

  /** Lets virtual time pass (DAD, timers). */
  wait(ms: number): void {
    const s = this.b.world.scheduler;
    s.runUntil(s.now + ms);
  }
}

export function res(exit: number, stdout = "", stderr = ""): CommandResult {
  return { exit, stdout, stderr };
}

/** Namespaces a (10.0.0.1) and b (10.0.0.2) joined by a veth pair, both ends up. */
export function vethPair(opts: SimOptions = {}): Lab {
  const l = new Lab(opts);
  l.setup(
    "ip netns add a",
    "ip netns add b",
    "ip link add va netns a type veth peer name vb netns b",
    "ip -n a addr add 10.0.0.1/24 dev va",
    "ip -n b addr add 10.0.0.2/24 dev vb",
    "ip -n a link set va up",
    "ip -n b link set vb up",
  );
  return l;
}
