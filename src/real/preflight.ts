// `packetwalk doctor`: what the kernel backend needs, whether this machine has it, and
// exactly how to get what is missing (Debian package or command).
import { readFileSync } from "node:fs";
import { execa } from "execa";
import { parseLine } from "../script/parse.js";
import type { LabCommand } from "../script/types.js";
import { checkDocker } from "./docker/doctor-check.js";
import { KernelBackend } from "./kernel-backend.js";
import { readMachineProfileDetailed } from "./machine-profile.js";
import { findProgram, SANDBOX_PATH } from "./paths.js";

export { readMachineProfile, readMachineProfileDetailed } from "./machine-profile.js";

export interface Check {
  name: string;
  ok: boolean;
  /** What was found (a version line, an error). */
  detail: string;
  /** How to get it: a Debian package to install or a command to run. */
  fix: string;
  /**
   * Set when only this command needs it (`walk --kernel`): the rest of the kernel backend
   * works without it.
   */
  onlyFor?: string;
}

export interface DoctorOptions {
  /** Check the sandbox with a user namespace even as root (default: only when not root). */
  userns?: boolean;
}

const ENV = { PATH: SANDBOX_PATH, LC_ALL: "C" };

async function runTool(file: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  const r = await execa(file, args, { reject: false, env: ENV, extendEnv: false, timeout: 10_000 });
  const text = `${r.stdout}\n${r.stderr}`.trim();
  return { ok: !r.failed, text: r.failed && !text ? (r.shortMessage ?? "failed") : text };
}

interface ToolSpec {
  name: string;
  program: string;
  args: string[];
  /** Debian package that ships the program. */
  pkg: string;
  /** Wrong variant of the program (e.g. busybox ping): why, and what to do. */
  wrong?: (text: string) => { why: string; fix: string } | undefined;
  onlyFor?: string;
}

const TOOLS: ToolSpec[] = [
  { name: "unshare", program: "unshare", args: ["--version"], pkg: "util-linux" },
  { name: "mount", program: "mount", args: ["--version"], pkg: "mount" },
  { name: "ip", program: "ip", args: ["-V"], pkg: "iproute2" },
  { name: "bridge", program: "bridge", args: ["-V"], pkg: "iproute2" },
  {
    name: "iptables",
    program: "iptables",
    args: ["-V"],
    pkg: "iptables",
    wrong: (t) =>
      t.includes("(nf_tables)")
        ? undefined
        : {
            why: "not the nf_tables variant, which packetwalk's simulator reproduces",
            fix: "update-alternatives --set iptables /usr/sbin/iptables-nft",
          },
  },
  {
    name: "ping",
    program: "ping",
    args: ["-V"],
    pkg: "iputils-ping",
    wrong: (t) =>
      t.includes("iputils")
        ? undefined
        : { why: "not iputils ping", fix: "apt-get install iputils-ping" },
  },
  {
    name: "nc",
    program: "nc",
    args: ["-h"],
    pkg: "netcat-openbsd",
    wrong: (t) =>
      t.includes("OpenBSD netcat")
        ? undefined
        : {
            why: "not OpenBSD netcat",
            fix: "apt-get install netcat-openbsd && update-alternatives --set nc /bin/nc.openbsd",
          },
  },
  { name: "conntrack", program: "conntrack", args: ["--version"], pkg: "conntrack" },
  { name: "sysctl", program: "sysctl", args: ["--version"], pkg: "procps" },
  { name: "arp", program: "arp", args: ["-V"], pkg: "net-tools" },
  { name: "brctl", program: "brctl", args: ["-V"], pkg: "bridge-utils" },
  {
    name: "traceroute",
    program: "traceroute",
    args: ["-V"],
    pkg: "traceroute",
    wrong: (t) =>
      t.includes("Modern traceroute for Linux")
        ? undefined
        : {
            why: "not Debian's traceroute (Dmitry Butskoy's 2.1)",
            fix: "apt-get install traceroute && update-alternatives --set traceroute /usr/bin/traceroute.db",
          },
  },
  // The kernel's own netfilter trace of a probe (nf-trace.ts): a trace table and its monitor.
  { name: "nft", program: "nft", args: ["--version"], pkg: "nftables", onlyFor: "walk --kernel" },
  {
    name: "xtables-monitor",
    program: "xtables-monitor",
    args: ["-V"],
    pkg: "iptables",
    onlyFor: "walk --kernel",
  },
];

async function checkTool(spec: ToolSpec): Promise<Check> {
  const check = await checkToolAlone(spec);
  return spec.onlyFor === undefined ? check : { ...check, onlyFor: spec.onlyFor };
}

async function checkToolAlone(spec: ToolSpec): Promise<Check> {
  const fix = `apt-get install ${spec.pkg}`;
  const path = findProgram(spec.program);
  if (!path)
    return {
      name: spec.name,
      ok: false,
      detail: `${spec.program} not found in ${SANDBOX_PATH}`,
      fix,
    };
  const r = await runTool(path, spec.args);
  const first = r.text.split("\n")[0] ?? "";
  const wrong = spec.wrong?.(r.text);
  if (wrong)
    return {
      name: spec.name,
      ok: false,
      detail: `${path}: ${first} (${wrong.why})`,
      fix: wrong.fix,
    };
  return { name: spec.name, ok: true, detail: `${path}: ${first}`, fix };
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Unprivileged user namespaces: what the rootless sandbox stands on. */
async function checkUserNamespaces(needed: boolean): Promise<Check> {
  const name = "user namespaces";
  if (!needed) {
    return {
      name,
      ok: true,
      detail: "running as root: the sandbox needs no user namespace",
      fix: "",
    };
  }
  const clone = readSysctl("/proc/sys/kernel/unprivileged_userns_clone");
  const max = readSysctl("/proc/sys/user/max_user_namespaces");
  const apparmor = readSysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  const settings = [
    clone !== undefined ? `kernel.unprivileged_userns_clone=${clone}` : undefined,
    max !== undefined ? `user.max_user_namespaces=${max}` : undefined,
    apparmor !== undefined ? `kernel.apparmor_restrict_unprivileged_userns=${apparmor}` : undefined,
  ].filter((s) => s !== undefined);
  const unshare = findProgram("unshare");
  const truePath = findProgram("true");
  if (!unshare || !truePath) {
    return {
      name,
      ok: false,
      detail: "cannot test: unshare or true missing",
      fix: "apt-get install util-linux coreutils",
    };
  }
  const r = await runTool(unshare, ["--user", "--map-root-user", "--net", truePath]);
  const detail = `${r.ok ? "unshare --user --map-root-user --net works" : r.text}${settings.length ? ` (${settings.join(", ")})` : ""}`;
  let fix = "run packetwalk as root (sudo), or allow unprivileged user namespaces";
  if (clone === "0") fix = "sysctl -w kernel.unprivileged_userns_clone=1";
  else if (max === "0") fix = "sysctl -w user.max_user_namespaces=15000";
  else if (apparmor === "1")
    fix = "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or run as root)";
  return { name, ok: r.ok, detail, fix };
}

const line = (text: string): LabCommand => parseLine(text, 0, "<doctor>")!;

/** A real sandbox: start it, make a veth pair, list iptables rules, tear it down. */
async function checkSandbox(userns: boolean | undefined): Promise<Check> {
  const name = "sandbox";
  const fix = "fix the checks above; then: packetwalk doctor";
  const t0 = Date.now();
  let kb: KernelBackend | undefined;
  try {
    kb = await KernelBackend.start(userns === undefined ? {} : { userns });
    for (const text of [
      "ip link add pw0 type veth peer name pw1",
      "ip -o link show pw1",
      "iptables -S",
    ]) {
      const r = await kb.run(line(text));
      if (r.exit !== 0)
        return { name, ok: false, detail: `${text}: exit ${r.exit}: ${r.stderr.trim()}`, fix };
    }
    const mode = kb.sandbox.userns ? "rootless (user namespace)" : "as root";
    return {
      name,
      ok: true,
      detail: `started ${mode}, veth pair and iptables work (${Date.now() - t0} ms)`,
      fix,
    };
  } catch (e) {
    return { name, ok: false, detail: e instanceof Error ? e.message : String(e), fix };
  } finally {
    await kb?.close();
  }
}

function checkProfile(): Check {
  const { profile, source } = readMachineProfileDetailed();
  const v = (k: string): string => profile.ipv4[k] ?? "?";
  const br = profile.brNetfilter
    ? `br_netfilter loaded (bridge-nf-call-iptables ${profile.brNetfilter["net.bridge.bridge-nf-call-iptables"] ?? "?"})`
    : "br_netfilter not loaded";
  const where =
    source === "new-netns" ? "as a new namespace sees them" : "from packetwalk's own namespace";
  return {
    name: "host profile",
    ok: true,
    detail: `${where}: ip_forward ${v("net.ipv4.ip_forward")}, rp_filter all ${v("net.ipv4.conf.all.rp_filter")} default ${v("net.ipv4.conf.default.rp_filter")}, ${br}`,
    fix: "lessons that depend on a setting set it explicitly; simulate this machine with --profile machine",
  };
}

export async function doctor(opts: DoctorOptions = {}): Promise<Check[]> {
  const tools = await Promise.all(TOOLS.map(checkTool));
  const userns = opts.userns ?? process.getuid?.() !== 0;
  return [
    ...tools,
    await checkUserNamespaces(userns),
    await checkSandbox(opts.userns),
    ...(await checkDocker()),
    checkProfile(),
  ];
}
