// `dockerd [FLAGS]`: starts the docker daemon with the settings a lab asks for, before
// its first docker line (which would otherwise start it with dockerd's defaults). The
// flags are dockerd's own (20.10, Go's pflag syntax: `--icc=false`, `--bip CIDR`); the
// ones that shape its networking are modelled, any other is refused before anything
// runs, in both backends (on the kernel it could reach the machine: --data-root,
// --host, ...). `--engine=29` is packetwalk's, not dockerd's: the simulator's model of
// current Docker's iptables layout (the kernel's dockerd is Debian's 20.10).
import type { ProgramSpec } from "./types.js";

/** dockerd's networking settings, as a lab's dockerd line gives them. */
export interface DockerdSettings {
  /** --userland-proxy (default true): docker-proxy per published port, else hairpin NAT. */
  userlandProxy: boolean;
  /** --iptables (default true): dockerd writes its iptables rules. */
  iptables: boolean;
  /** --ip-forward (default true): dockerd turns net.ipv4.ip_forward on (FORWARD DROP with it). */
  ipForward: boolean;
  /** --icc (default true): containers on the default bridge reach each other. */
  icc: boolean;
  /** --ip-masq (default true): the default bridge's subnet is masqueraded going out. */
  ipMasq: boolean;
  /** --bip: docker0's address and prefix ("192.0.2.1/24"), else 172.17.0.1/16. */
  bip?: string;
  /** packetwalk's --engine: whose iptables layout (simulator only for "29"). */
  engine: "20.10" | "29";
}

export const DOCKERD_DEFAULTS: DockerdSettings = {
  userlandProxy: true,
  iptables: true,
  ipForward: true,
  icc: true,
  ipMasq: true,
  engine: "20.10",
};

const BOOLEAN: Readonly<Record<string, keyof DockerdSettings>> = {
  "userland-proxy": "userlandProxy",
  iptables: "iptables",
  "ip-forward": "ipForward",
  icc: "icc",
  "ip-masq": "ipMasq",
};

const TAKES = "--userland-proxy, --iptables, --ip-forward, --icc, --ip-masq, --bip and --engine";

/** strconv.ParseBool's words. */
function parseBool(v: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  return undefined;
}

/** docker0's address: an IPv4 address inside its prefix, neither its network nor its broadcast. */
function bipRefusal(v: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
  const octets = m?.slice(1, 5).map(Number);
  const plen = Number(m?.[5]);
  if (!m || octets!.some((o) => o > 255) || plen > 30 || plen < 8) {
    return `dockerd --bip ${v}: packetwalk's dockerd takes docker0's address as A.B.C.D/LEN (LEN 8 to 30), e.g. 192.0.2.1/24`;
  }
  const addr = octets!.reduce((a, o) => a * 256 + o, 0);
  const host = addr % 2 ** (32 - plen);
  if (host === 0 || host === 2 ** (32 - plen) - 1) {
    return `dockerd --bip ${v}: that is the subnet's network or broadcast address; docker0 needs a host address (e.g. ${m[1]}.${m[2]}.${m[3]}.1/${plen} for a /24)`;
  }
  return undefined;
}

/** The settings of a dockerd line, or why it is refused (before anything runs). */
export function parseDockerdArgs(
  args: readonly string[],
): { settings: DockerdSettings } | { refusal: string } {
  const s: DockerdSettings = { ...DOCKERD_DEFAULTS };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(a);
    if (!m) {
      return {
        refusal: a.startsWith("-")
          ? `dockerd ${a} is not simulated: packetwalk's dockerd takes ${TAKES} (--flag=value)`
          : `dockerd takes no arguments, only flags (--icc=false, not --icc false): "${a}"`,
      };
    }
    const [, name, value] = m as unknown as [string, string, string | undefined];
    const key = BOOLEAN[name];
    if (key !== undefined) {
      const b = parseBool(value ?? "true");
      if (b === undefined) {
        return {
          refusal: `dockerd: invalid argument "${value}" for "--${name}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
        };
      }
      (s as unknown as Record<string, boolean>)[key] = b;
      continue;
    }
    if (name === "bip" || name === "engine") {
      const v = value ?? args[++i];
      if (v === undefined) return { refusal: `dockerd: flag needs an argument: --${name}` };
      if (name === "bip") {
        const why = bipRefusal(v);
        if (why !== undefined) return { refusal: why };
        s.bip = v;
      } else if (v === "29" || v === "20.10") s.engine = v;
      else {
        return {
          refusal: `dockerd --engine ${v}: packetwalk's engines are 20.10 (Debian 12's docker.io, the default) and 29 (current Docker's iptables layout, simulator only)`,
        };
      }
      continue;
    }
    return {
      refusal: `dockerd --${name} is not simulated: packetwalk's dockerd takes ${TAKES}`,
    };
  }
  // daemon_unix.go verifyDaemonSettings: icc off is an iptables rule.
  if (!s.iptables && !s.icc) {
    return {
      refusal:
        "dockerd: You specified --iptables=false with --icc=false. ICC=false uses iptables to function. Please set --icc or --iptables to true",
    };
  }
  return { settings: s };
}

/** dockerd's own flags for these settings (the kernel backend adds them to its command line). */
export function dockerdFlags(s: DockerdSettings): string[] {
  const flags = [
    `--userland-proxy=${s.userlandProxy}`,
    `--iptables=${s.iptables}`,
    `--ip-forward=${s.ipForward}`,
    `--icc=${s.icc}`,
    `--ip-masq=${s.ipMasq}`,
  ];
  if (s.bip !== undefined) flags.push(`--bip=${s.bip}`);
  return flags;
}

/** The refusal of a dockerd line that comes after the daemon started (both backends). */
export const DOCKERD_RUNNING =
  "packetwalk: dockerd is running already (an earlier dockerd or docker line started it): " +
  "its settings go on one dockerd line before the script's first docker line\n";

/** The refusal of a namespace prefix (both backends): the daemon is the sandbox's. */
export const DOCKERD_NETNS =
  "packetwalk: dockerd runs in the host's namespace: a namespace prefix is not simulated\n";

/** On the kernel: current Docker's layout is the simulator's alone. */
export const ENGINE_29_KERNEL =
  "packetwalk: dockerd --engine=29 is simulated only: the kernel backend runs Debian's " +
  "dockerd 20.10 (current Docker's iptables layout is modelled from moby's reference " +
  "listings); run this script with --sim\n";

export const dockerd = {
  help: "dockerd --FLAG=VALUE... (before the first docker line)",
  check: (args) => {
    const r = parseDockerdArgs(args);
    return "refusal" in r ? r.refusal : undefined;
  },
  kernel: {
    daemon: "dockerd",
    guard: (args) => {
      const r = parseDockerdArgs(args);
      if ("refusal" in r) return `packetwalk: ${r.refusal}\n`;
      return r.settings.engine === "29" ? ENGINE_29_KERNEL : undefined;
    },
  },
} satisfies ProgramSpec;
