// Fuzzing the lab-script parser and every simulated program with near-miss lines: words
// from each program's own vocabulary, values at the edges (addresses, CIDRs, boundary and
// huge numbers, empty strings, unicode, control bytes, quotes, backslashes), namespace
// prefixes, background jobs. The parser may only refuse (a ScriptError naming the line);
// the simulator may only answer (an exit code and text), never throw or hang.
// PW_FUZZ=1 runs 10^5 lines instead of 10^4 (PW_FUZZ_LINES sets any number).
import fc from "fast-check";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as shellParse, quote } from "shell-quote";
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../../src/backend.js";
import { ScriptError } from "../../src/script/errors.js";
import { withFiles, type ScriptFiles } from "../../src/script/load.js";
import { parseScript } from "../../src/script/parse.js";
import { PROGRAMS } from "../../src/script/programs/registry.js";
import type { LabCommand } from "../../src/script/types.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { Lab, res } from "./userland/ip-helpers.js";

const LINES = Number(process.env.PW_FUZZ_LINES ?? (process.env.PW_FUZZ === "1" ? 100_000 : 10_000));
const SEED = process.env.PW_FUZZ_SEED === undefined ? undefined : Number(process.env.PW_FUZZ_SEED);
/** Lines per generated script (parser) and per prepared world (simulator). */
const PER_SCRIPT = 10;
const PER_WORLD = 10;
/** Wall time one simulated line may take before the watchdog calls it a hang. */
const WATCHDOG_MS = 5_000;

// ---- values ---------------------------------------------------------------------------

const octet = fc.oneof(fc.constantFrom(0, 1, 127, 254, 255, 256, 999), fc.nat(300));
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
const knownAddr = fc.constantFrom(
  "10.0.0.1",
  "10.0.0.2",
  "10.0.0.3",
  "10.0.1.1",
  "172.17.0.1",
  "192.168.0.1",
  "127.0.0.1",
  "0.0.0.0",
  "255.255.255.255",
  "224.0.0.1",
  "::1",
  "fe80::1",
  "2001:db8::1",
  "::",
  "::ffff:10.0.0.1",
  "localhost",
  "default",
  "any",
  "all",
);
const prefixLen = fc.oneof(
  fc.constantFrom(0, 1, 8, 16, 24, 31, 32, 33, 64, 128, 129, -1),
  fc.nat(200),
);
const cidr = fc.tuple(fc.oneof(ipv4, knownAddr), prefixLen).map(([a, p]) => `${a}/${p}`);
const number = fc.oneof(
  fc.constantFrom(
    "0",
    "1",
    "-1",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "-2147483648",
    "9007199254740993",
    "99999999999999999999999999",
    "1e9",
    "1e308",
    "1e999",
    "0x10",
    "0xffffffff",
    "010",
    "0.5",
    "0.0001",
    ".5",
    "5.",
    "NaN",
    "Infinity",
    "-0",
    "+3",
    "1:2",
    "80:",
    ":80",
    "1-65535",
    "65535-1",
    "0/0",
    "0x1/0xff",
  ),
  fc.integer().map(String),
  fc.double().map(String),
);
const mac = fc.oneof(
  fc.constantFrom(
    "00:11:22:33:44:55",
    "ff:ff:ff:ff:ff:ff",
    "00:00:00:00:00:00",
    "01:00:5e:00:00:01",
    "0:1:2:3:4:5:6",
  ),
  fc
    .uint8Array({ minLength: 1, maxLength: 8 })
    .map((b) => [...b].map((x) => x.toString(16)).join(":")),
);
const weird = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "-",
    "--",
    "---",
    "=",
    "/",
    ".",
    "..",
    "\\",
    "'",
    '"',
    "\t",
    "\x00",
    "\x1b[31m",
    "\r",
    "\x7f",
    "\u0085",
    "\u202e",
    "é",
    "名前",
    "😀",
    "a".repeat(300),
    "%s%n",
    "eth0\n",
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "binary", maxLength: 6 }),
);
const devName = fc.constantFrom(
  "lo",
  "br0",
  "va",
  "vb",
  "vc",
  "vd",
  "eth0",
  "veth0",
  "x",
  "ifb0",
  "a23456789012345",
  "a234567890123456",
  "br0.10",
  "va@vb",
  "+",
  "va+",
);
const nsName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("a", "b", "c") },
  { weight: 1, arbitrary: fc.constantFrom("nosuch", "", ".", "..", "a/b", "x y", "-a") },
);
const proto = fc.constantFrom(
  "tcp",
  "udp",
  "icmp",
  "all",
  "6",
  "17",
  "1",
  "0",
  "255",
  "256",
  "sctp",
  "ipv6-icmp",
  "TCP",
  "!",
);

/** Any value a word might take. */
const value = fc.oneof(
  { weight: 3, arbitrary: ipv4 },
  { weight: 3, arbitrary: knownAddr },
  { weight: 3, arbitrary: cidr },
  { weight: 4, arbitrary: number },
  { weight: 1, arbitrary: mac },
  { weight: 3, arbitrary: devName },
  { weight: 1, arbitrary: nsName },
  { weight: 1, arbitrary: proto },
  { weight: 2, arbitrary: weird },
);

// ---- vocabularies (from src/script/programs and src/sim/userland) -----------------------

// prettier-ignore
const IP_OPTS = [
  "-4", "-6", "-j", "-p", "-d", "-s", "-o", "-br", "-c", "-n", "-json", "-details", "-stats",
  "-family", "inet", "inet6", "link", "-h", "-V", "-t", "-N", "-r", "-a", "-all", "-force",
  "-batch",
];
// prettier-ignore
const IP_OBJ = [
  "link", "l", "addr", "address", "a", "route", "r", "ro", "neigh", "neighbour", "n", "rule",
  "netns", "monitor", "tunnel", "xfrm", "maddr", "help", "nope",
];
// prettier-ignore
const IP_WORDS = [
  "add", "del", "delete", "show", "list", "ls", "set", "change", "replace", "get", "flush",
  "append", "prepend", "exec", "identify", "pids", "attach", "save", "dev", "type", "veth",
  "bridge", "vxlan", "dummy", "macvlan", "peer", "name", "netns", "master", "nomaster", "up",
  "down", "mtu", "address", "broadcast", "brd", "label", "scope", "global", "host", "link",
  "noprefixroute", "valid_lft", "preferred_lft", "forever", "permanent", "nud", "reachable",
  "stale", "noarp", "failed", "lladdr", "proxy", "router", "via", "src", "table", "main",
  "local", "default", "metric", "proto", "kernel", "static", "onlink", "blackhole",
  "unreachable", "prohibit", "throw", "nexthop", "weight", "from", "to", "iif", "oif", "lookup",
  "priority", "pref", "fwmark", "not", "all", "promisc", "arp", "on", "off", "txqueuelen",
  "qlen", "alias", "id", "vni", "dstport", "learning", "group", "remote", "vlan_filtering",
  "stp_state", "forward_delay", "ageing_time", "hairpin", "isolated", "mark", "help", "?",
];
// prettier-ignore
const BRIDGE_OPTS = [
  "-4", "-6", "-j", "-json", "-p", "-pretty", "-d", "-details", "-s", "-stats", "-c",
  "-compressvlans", "-n", "-netns", "-o", "-oneline", "-t", "-timestamp", "-color", "-Version",
  "-help", "-force", "-",
];
// prettier-ignore
const BRIDGE_WORDS = [
  "link", "fdb", "vlan", "mdb", "monitor", "show", "add", "del", "append", "replace", "flush",
  "dev", "br", "brport", "master", "self", "static", "dynamic", "permanent", "vlan", "vid",
  "pvid", "untagged", "set", "hairpin", "learning", "flood", "isolated", "state", "on", "off",
  "dst", "port", "help",
];
// prettier-ignore
const IPT_OPTS = [
  "-A", "-I", "-D", "-R", "-L", "-S", "-F", "-Z", "-N", "-X", "-P", "-E", "-C", "-t", "-p",
  "-s", "-d", "-i", "-o", "-j", "-g", "-m", "-n", "-v", "-x", "-w", "-W", "-c", "-f", "-4",
  "-6", "!", "--line-numbers", "--numeric", "--verbose", "--exact", "--table", "--append",
  "--insert", "--delete", "--list", "--list-rules", "--flush", "--zero", "--new-chain",
  "--policy", "--check", "--protocol", "--source", "--destination", "--jump", "--goto",
  "--match", "--in-interface", "--out-interface", "--wait", "--help", "--version", "--dport",
  "--sport", "--dports", "--sports", "--ports", "--syn", "--tcp-flags", "--icmp-type",
  "--state", "--ctstate", "--ctorigdst", "--ctproto", "--to-destination", "--to-source",
  "--to-ports", "--to", "--reject-with", "--log-prefix", "--log-level", "--comment", "--mark",
  "--set-mark", "--set-xmark", "--and-mark", "--or-mark", "--xor-mark", "--physdev-in",
  "--physdev-out", "--physdev-is-bridged", "--physdev-is-in", "--src-type", "--dst-type",
  "--random", "--persistent", "--limit",
];
// prettier-ignore
const IPT_WORDS = [
  "filter", "nat", "mangle", "raw", "security", "nosuch", "INPUT", "OUTPUT", "FORWARD",
  "PREROUTING", "POSTROUTING", "DOCKER", "MYCHAIN", "input", "ACCEPT", "DROP", "REJECT",
  "RETURN", "LOG", "MASQUERADE", "SNAT", "DNAT", "REDIRECT", "MARK", "QUEUE", "NFQUEUE", "CT",
  "TRACE", "tcp", "udp", "icmp", "multiport", "conntrack", "state", "comment", "mark",
  "physdev", "addrtype", "limit", "owner", "NEW", "ESTABLISHED", "RELATED", "INVALID",
  "UNTRACKED", "DNAT,SNAT", "NEW,ESTABLISHED", "SYN,ACK", "SYN", "ALL", "NONE", "FIN,RST",
  "echo-request", "echo-reply", "destination-unreachable", "any", "8/0", "3/3",
  "icmp-port-unreachable", "icmp-host-prohibited", "tcp-reset", "LOCAL", "UNICAST", "BROADCAST",
  "80,443", "1:1024", "22:", "http", "ssh", "domain",
];
// prettier-ignore
const CT_OPTS = [
  "-L", "-F", "-D", "-E", "-G", "-I", "-U", "-C", "-S", "-h", "-V", "--dump", "--flush",
  "--help", "-p", "--proto", "--protonum", "-s", "-d", "--orig-src", "--orig-dst",
  "--reply-src", "--sport", "--dport", "-n", "-g", "-o", "extended", "xml", "-f", "ipv4",
  "ipv6", "-z", "-e", "-m", "--mark", "--state", "--status", "-u", "SEEN_REPLY", "ESTABLISHED",
  "conntrack", "expect", "tcp", "udp", "icmp",
];
// prettier-ignore
const PING_OPTS = [
  "-c", "-i", "-W", "-w", "-s", "-t", "-q", "-n", "-I", "-4", "-6", "-b", "-D", "-O", "-f",
  "-l", "-p", "-Q", "-M", "do", "dont", "want", "-R", "-v", "-V", "-h", "-a", "-A", "-U", "-r",
  "-B", "-L", "-T", "tsonly", "-e", "-m",
];
// prettier-ignore
const NC_OPTS = [
  "-l", "-k", "-u", "-z", "-v", "-n", "-w", "-p", "-4", "-6", "-h", "-zv", "-zvn", "-lk",
  "-lku", "-nvz", "-zw", "-e", "-c", "-N", "-q", "-s", "-x", "-X", "-U", "-d", "-b", "-C", "-D",
  "-t", "-T", "-i", "--", "-",
];
// prettier-ignore
const SYSCTL_OPTS = [
  "-w", "-n", "-e", "-N", "-q", "-b", "-a", "-p", "--write", "--values", "--names", "--quiet",
  "--ignore", "--binary", "--help", "--version", "--pattern", "--deprecated", "--all", "-h",
  "-V",
];
// prettier-ignore
const SYSCTL_KEYS = [
  "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding", "net.ipv4.conf.default.rp_filter",
  "net.ipv4.conf.va.rp_filter", "net.ipv4.conf.br0.proxy_arp",
  "net.ipv4.conf.all.route_localnet", "net.ipv4.icmp_echo_ignore_all",
  "net.ipv4.icmp_echo_ignore_broadcasts", "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_port_range", "net.ipv4.conf.lo.arp_ignore",
  "net.ipv4.neigh.default.gc_thresh1", "net.ipv6.conf.all.disable_ipv6",
  "net.ipv6.conf.default.forwarding", "net.bridge.bridge-nf-call-iptables",
  "net.netfilter.nf_conntrack_max", "net.core.somaxconn", "net/ipv4/ip_forward", "net.ipv4",
  "net", "net.", "net..ipv4", "net.ipv4.conf.nosuch.rp_filter", "net.ipv4.ip_forwardx",
  "kernel.hostname", "vm.swappiness",
];
// prettier-ignore
const PROC_SYS = [
  "/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv4/conf/all/forwarding",
  "/proc/sys/net/ipv4/conf/va/rp_filter", "/proc/sys/net/ipv6/conf/all/disable_ipv6",
  "/proc/sys/net/bridge/bridge-nf-call-iptables", "/proc/sys/net/ipv4", "/proc/sys/net/nosuch",
  "/proc/sys/kernel/hostname", "/etc/passwd", "/proc/sys/net/ipv4/ip_forward/x",
  "/proc/net/ip_forward",
];

const words = (vocab: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...vocab) }, { weight: 2, arbitrary: value });
const wordList = (vocab: readonly string[], max = 9): fc.Arbitrary<string[]> =>
  fc.array(words(vocab), { maxLength: max });
/** A word glued to a value the way people write options: `--dport=80`, `-c3`. */
const glued = (vocab: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...vocab), fc.constantFrom("", "=", ","), value)
    .map(([a, s, b]) => a + s + b);

const RULES_FILE = "rules.v4";
/** Changes to the prepared world, so that later lines meet what is gone, moved or down. */
// prettier-ignore
const CHURN = [
  "ip netns del a", "ip netns del c", "ip link del br0", "ip link del vb", "ip -n c link del vc",
  "ip link set vb netns b", "ip link set vd nomaster", "ip link set br0 down",
  "ip -n a link set va down", "ip -n a addr flush dev va", "ip -n a route flush table main",
  "ip link set br0 type bridge vlan_filtering 1", "ip link set vb name vz", "ip link set br0 mtu 68",
  "iptables -F", "iptables -t nat -F", "iptables -P FORWARD DROP", "iptables -P INPUT DROP",
  "iptables -A INPUT -j REJECT", "sysctl -w net.ipv4.ip_forward=0",
  "sysctl -w net.bridge.bridge-nf-call-iptables=1", "ip netns exec a nc -lku 53 &",
  "ip netns exec c ping -i 0.2 10.0.0.1 &", "ip netns add a", "ip netns exec c nc -zv 10.0.0.1 1-3",
  "ip link add vx type vxlan id 7 dev br0 dstport 4789", "ip link set vx master br0",
  "bridge fdb add 00:11:22:33:44:55 dev vb master static", "conntrack -F",
];
const churn = fc.constantFrom(...CHURN).map((l) => l.split(" "));

/** docker: subcommands, flags and the values labs give them, near misses included. */
const DOCKER_SUBS = [
  "run",
  "create",
  "start",
  "stop",
  "restart",
  "rm",
  "exec",
  "ps",
  "inspect",
  "port",
  "network",
];
const DOCKER_WORDS = [
  "-d", "--rm", "--name", "web", "db", "x", "--network", "--net=n1", "n1", "bridge", "host", "none",
  "container:web", "-p", "8080:80", "127.0.0.1:8081:81", "5353:53/udp", "80", "8080:80/sctp",
  "alpine", "sleep", "infinity", "nc", "-lk", "ip", "addr", "route", "ping", "-c", "1", "-W",
  "cat", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname", "--ip", "10.1.0.5", "172.17.0.9",
  "--hostname", "h1", "--sysctl", "net.ipv4.ip_forward=1", "-a", "-f", "--force", "-t", "0",
  "--format", "{{.Name}}", "{{json .NetworkSettings.Ports}}", "{{.NetworkSettings.IPAddress}}",
  "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}", "{{.Nope",
  "table {{.Names}}\t{{.Ports}}", "create", "ls", "rm", "connect", "disconnect", "inspect",
  "--subnet", "10.1.0.0/24", "10.1.0.0/30", "notacidr", "--gateway", "10.1.0.1", "10.9.0.1",
  "--ip-range", "10.1.0.128/25", "--internal", "-o", "com.docker.network.bridge.enable_icc=false",
  "com.docker.network.bridge.name=mybr", "com.docker.network.bridge.enable_ip_masquerade=false",
  "-i", "--privileged", "-v", "/:/host",
]; // prettier-ignore
const DOCKER_CHURN = [
  "docker network create n1", "docker run -d --name web -p 8080:80 alpine nc -lk 80",
  "docker run -d --name db --network n1 alpine", "docker network connect n1 web",
  "docker stop -t 0 web", "docker start web", "docker rm -f db",
  "docker run -d --name side --network container:web alpine",
].map((l) => l.split(" ")); // prettier-ignore

/** dockerd: its modelled flags and near misses (a late or second line is refused). */
const DOCKERD_WORDS = [
  "--userland-proxy=false", "--icc=false", "--iptables=false", "--ip-forward=false",
  "--ip-masq=false", "--bip", "192.0.2.1/24", "--bip=10.9.0.1/16", "--bip=10.9.0.0/16",
  "--engine=29", "--icc", "false", "--debug", "-b", "--icc=maybe",
]; // prettier-ignore

const programLine: fc.Arbitrary<string[]> = fc.oneof(
  fc.constantFrom(...DOCKER_CHURN),
  wordList(DOCKERD_WORDS, 4).map((w) => ["dockerd", ...w]),
  fc
    .tuple(fc.constantFrom(...DOCKER_SUBS), wordList(DOCKER_WORDS, 8))
    .map(([sub, w]) => ["docker", sub, ...w]),
  churn,
  churn,
  wordList([...IP_OPTS, ...IP_OBJ, ...IP_WORDS]).map((w) => ["ip", ...w]),
  fc
    .tuple(fc.constantFrom(...IP_OBJ), fc.constantFrom(...IP_WORDS), wordList(IP_WORDS, 8))
    .map(([o, c, w]) => ["ip", o, c, ...w]),
  wordList([...BRIDGE_OPTS, ...BRIDGE_WORDS]).map((w) => ["bridge", ...w]),
  fc
    .array(fc.oneof(words([...IPT_OPTS, ...IPT_WORDS]), glued(IPT_OPTS)), { maxLength: 12 })
    .map((w) => ["iptables", ...w]),
  fc
    .tuple(
      fc.constantFrom("-A", "-I", "-D", "-C", "-R"),
      fc.constantFrom("INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"),
      wordList([...IPT_OPTS, ...IPT_WORDS], 10),
    )
    .map(([c, ch, w]) => [
      "iptables",
      "-t",
      ch.endsWith("ROUTING") ? "nat" : "filter",
      c,
      ch,
      ...w,
    ]),
  wordList(
    ["-t", "-c", "-M", "--counters", "--table", "nat", "filter", "-h", "--modprobe", "-V"],
    4,
  ).map((w) => ["iptables-save", ...w]),
  wordList(["-n", "--noflush", "-c", "-T", "nat", "-t", "-v", "--test", "-w"], 3).map((w) => [
    "iptables-restore",
    ...w,
    RULES_FILE,
  ]),
  fc
    .array(fc.oneof(words(CT_OPTS), glued(CT_OPTS)), { maxLength: 7 })
    .map((w) => ["conntrack", ...w]),
  fc
    .array(fc.oneof(words(PING_OPTS), glued(PING_OPTS)), { maxLength: 8 })
    .map((w) => ["ping", ...w]),
  fc.array(fc.oneof(words(NC_OPTS), glued(NC_OPTS)), { maxLength: 7 }).map((w) => ["nc", ...w]),
  fc
    .array(
      fc.oneof(
        words([...SYSCTL_OPTS, ...SYSCTL_KEYS]),
        fc.tuple(fc.constantFrom(...SYSCTL_KEYS), value).map(([k, v]) => `${k}=${v}`),
      ),
      { maxLength: 5 },
    )
    .map((w) => ["sysctl", ...w]),
  fc
    .tuple(fc.array(value, { maxLength: 3 }), fc.constantFrom(...PROC_SYS))
    .map(([v, f]) => ["echo", ...v, ">", f]),
  wordList(["-n", "-e", "-E", "1", "0"], 3).map((w) => ["echo", ...w]),
  wordList([...PROC_SYS, "-A", "-v", "-n", "-"], 3).map((w) => ["cat", ...w]),
  fc.constantFrom(...PROC_SYS).map((f) => ["cat", f]),
  fc.oneof(number, fc.constantFrom("0.1", "1", "2.5", "120", "121")).map((n) => ["sleep", n]),
  fc
    .constantFrom("/proc/1/ns/net", "/proc/self/ns/net", "/proc/100/ns/net", "/proc/0/ns/net")
    .map((p) => ["readlink", p]),
  wordList(["/proc/1/ns/net", "/proc/self/ns/net", "-f", "/etc/passwd", "/proc/1/ns/mnt"], 3).map(
    (w) => ["readlink", ...w],
  ),
  wordList(
    [
      "0",
      "0.1",
      "1",
      "1s",
      "1m",
      "1h",
      "1d",
      "inf",
      "infinity",
      "--help",
      "--version",
      "-1",
      "1e3",
    ],
    3,
  ).map((w) => ["sleep", ...w]),
  // prettier-ignore
  wordList([
    "run", "create", "exec", "ps", "network", "create", "rm", "ls", "inspect", "connect", "-d",
    "--name", "web", "-p", "8080:80", "--network", "host", "-v", "/:/h", "-it", "nginx",
    "--format", "{{.Names}}", "-f", "--ip", "-H", "pull", "image",
  ], 8).map((w) => ["docker", ...w]),
  fc.array(value, { maxLength: 4 }).map((w) => [...w]),
);

const prefix: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<string[]>([]) },
  { weight: 3, arbitrary: nsName.map((n) => ["ip", "netns", "exec", n]) },
  { weight: 1, arbitrary: nsName.map((n) => ["nsenter", `--net=/var/run/netns/${n}`]) },
  { weight: 1, arbitrary: nsName.map((n) => ["nsenter", "--net", `/run/netns/${n}`]) },
  { weight: 1, arbitrary: fc.constant<string[]>(["sudo"]) },
  { weight: 1, arbitrary: nsName.map((n) => ["sudo", "ip", "netns", "exec", n]) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string[]>(
      ["ip", "netns", "exec"],
      ["ip", "-n", "a", "netns", "exec", "b"],
      ["nsenter"],
      ["nsenter", "-t", "1", "-n"],
      ["nsenter", "-n", "--target", "100"],
      ["nsenter", "-t", "999", "-n"],
      ["sudo", "-E"],
    ),
  },
);

/** How a word is written: plain, quoted for the shell, or quoted carelessly. */
const render = (w: string, how: number): string => {
  if (w === ">" || how < 5) return w === "" ? "''" : /^[\w@%+=:,./-]+$/.test(w) ? w : quote([w]);
  if (how < 7) return quote([w]);
  if (how < 8) return `"${w}"`;
  if (how < 9) return `'${w}'`;
  return w;
};

/** A near-miss lab line, as text. */
/** A generated near-miss lab line, as text. */
const generatedLine: fc.Arbitrary<string> = fc
  .tuple(
    prefix,
    programLine,
    fc.array(fc.nat(9), { minLength: 30, maxLength: 30 }),
    fc.nat(29),
    fc.nat(29),
  )
  .map(([pre, prog, hows, bg, prompt]) => {
    const ws = [...pre, ...prog];
    let text = ws.map((w, i) => render(w, hows[i % hows.length]!)).join(" ");
    if (bg === 0 || (bg < 4 && (ws.includes("nc") || ws.includes("ping")))) text += " &";
    if (bg === 4) text += "&";
    if (prompt === 0) text = `$ ${text}`;
    if (prompt === 1) text = `${text} \\`;
    if (prompt === 2) text = `  ${text}  # note`;
    return text;
  });

// The differential labs' own lines, split into words: mutated, they are the nearest misses.
const LAB_DIR = fileURLToPath(new URL("../labs/", import.meta.url));
const LAB_LINES: string[][] = readdirSync(LAB_DIR)
  .filter((f) => f.endsWith(".lab"))
  .flatMap((f) => readFileSync(LAB_DIR + f, "utf8").split("\n"))
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#") && !l.endsWith("\\"))
  .map((l) => shellParse(l).map((t) => (typeof t === "string" ? t : "op" in t ? t.op : "#")))
  .filter((ws) => ws.length > 0 && !ws.includes("#"));

const ALL_VOCAB = [...IP_WORDS, ...IPT_OPTS, ...IPT_WORDS, ...CT_OPTS, ...PING_OPTS, ...NC_OPTS];
type Mutation = [kind: number, at: number, word: string];
const mutation: fc.Arbitrary<Mutation> = fc.tuple(
  fc.nat(5),
  fc.nat(40),
  fc.oneof(value, fc.constantFrom(...ALL_VOCAB)),
);

function mutate(words: readonly string[], ms: readonly Mutation[]): string[] {
  const ws = [...words];
  for (const [kind, at, word] of ms) {
    const i = at % (ws.length + 1);
    if (kind === 0)
      ws.splice(i, 1, word); // replace
    else if (kind === 1)
      ws.splice(i, 1); // drop
    else if (kind === 2)
      ws.splice(i, 0, word); // insert
    else if (kind === 3 && i < ws.length)
      ws.splice(i, 0, ws[i]!); // repeat
    else if (kind === 4)
      ws.splice(Math.max(i, 1)); // cut short
    else if (i < ws.length) ws[i] = ws[i]! + word; // glue
  }
  return ws;
}

/** A lab's line with a few mutations. */
const mutatedLine: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...LAB_LINES),
    fc.array(mutation, { minLength: 0, maxLength: 3 }),
    fc.array(fc.nat(9), { minLength: 30, maxLength: 30 }),
  )
  .map(([ws, ms, hows]) =>
    mutate(ws, ms)
      .map((w, i) => (w === "&" && i > 0 ? w : render(w, hows[i % hows.length]!)))
      .join(" "),
  );

const lineArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: generatedLine },
  { weight: 10, arbitrary: mutatedLine },
  // Plain noise now and then: whatever bytes a pasted file may hold.
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
);

// ---- the parser ----------------------------------------------------------------------

// Control characters a refusal must not carry raw (its hint is on a line of its own).
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Checks the parser's answer for a script; the commands it accepted. */
function parseChecked(lines: readonly string[]): LabCommand[] {
  const text = lines.join("\n");
  let out: ReturnType<typeof parseScript>;
  try {
    out = parseScript(text, "fuzz.lab");
  } catch (e) {
    throw new Error(`parseScript threw ${String(e)} on:\n${JSON.stringify(lines)}`, { cause: e });
  }
  const count = text.split("\n").length;
  for (const e of out.errors) {
    expect(e).toBeInstanceOf(ScriptError);
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(count);
    expect(e.message).toContain(`fuzz.lab:${e.line}:`);
    expect(e.message, JSON.stringify(e.message)).not.toMatch(RAW_CONTROL);
  }
  return out.script.commands;
}

// ---- the simulator -------------------------------------------------------------------

const WORLD = [
  "ip netns add a",
  "ip netns add b",
  "ip netns add c",
  "ip link add br0 type bridge",
  "ip link set br0 up",
  "ip addr add 10.0.0.254/24 dev br0",
  "ip link add va netns a type veth peer name vb",
  "ip link add vc netns c type veth peer name vd",
  "ip link set vb master br0",
  "ip link set vd master br0",
  "ip link set vb up",
  "ip link set vd up",
  "ip -n a addr add 10.0.0.1/24 dev va",
  "ip -n c addr add 10.0.0.3/24 dev vc",
  "ip -n a link set va up",
  "ip -n c link set vc up",
  "ip -n a link set lo up",
  "ip -n a route add default via 10.0.0.254",
  "sysctl -w net.ipv4.ip_forward=1",
  "iptables -t nat -A POSTROUTING -s 10.0.0.0/24 ! -o br0 -j MASQUERADE",
  "iptables -A FORWARD -i br0 -o br0 -j ACCEPT",
  "iptables -A FORWARD -p tcp --dport 22 -j REJECT --reject-with tcp-reset",
  "iptables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.3:80",
  "ip netns exec c nc -lk 80 &",
  "ip netns exec a ping -c 1 10.0.0.3",
];

const rulesFile = fc.oneof(
  fc.constant("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n"),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(
          "*filter",
          "*nat",
          "*raw",
          "*bogus",
          "COMMIT",
          ":INPUT DROP [0:0]",
          ":NEW - [0:0]",
          ":FORWARD ACCEPT [1:2]",
          "# c",
          "",
        ),
        wordList([...IPT_OPTS, ...IPT_WORDS], 8).map((w) => w.map((x) => quote([x])).join(" ")),
      ),
      { maxLength: 6 },
    )
    .map((ls) => ls.join("\n")),
);

function filesOf(content: string): ScriptFiles {
  return {
    dir: "/lab",
    read: (name) =>
      name === RULES_FILE
        ? { realPath: `/lab/${name}`, content }
        : { realPath: `/lab/${name}`, error: "No such file or directory" },
  };
}

/** A prepared world, and the switch its watchdog pulls (the pacer looks at it between slices). */
interface Guarded {
  b: SimBackend;
  abort: AbortController;
}

async function prepared(): Promise<Guarded> {
  const abort = new AbortController();
  const b = new SimBackend({ signal: abort.signal, sliceMs: 20 });
  const { script, errors } = parseScript(WORLD.join("\n"), "world.lab");
  expect(errors).toEqual([]);
  for (const cmd of script.commands) {
    const r = await b.run(cmd);
    expect(r.exit, `${cmd.text}: ${r.stderr}`).toBe(0);
  }
  return { b, abort };
}

/** Runs one command under a wall-clock watchdog; a throw or a hang fails the property. */
async function runGuarded(
  g: Guarded,
  cmd: LabCommand,
  files: ScriptFiles,
  history: readonly string[],
): Promise<CommandResult> {
  const timer = setTimeout(() => g.abort.abort(), WATCHDOG_MS);
  const started = performance.now();
  const where = (): string =>
    `line ${JSON.stringify(cmd.text)} after:\n${[...WORLD, ...history].join("\n")}`;
  let r: CommandResult;
  try {
    r = await g.b.run(withFiles(cmd, files));
  } catch (e) {
    const what = g.abort.signal.aborted
      ? `hung (over ${WATCHDOG_MS} ms of wall time)`
      : `threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    throw new Error(`simulator ${what} on ${where()}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
  // A line that ends on its own but slowly is as bad: the next one would wait for it.
  const ms = performance.now() - started;
  if (ms > WATCHDOG_MS) throw new Error(`${ms.toFixed(0)} ms of wall time on ${where()}`);
  return r;
}

function checkResult(r: CommandResult, cmd: LabCommand): void {
  const at = JSON.stringify(cmd.text);
  expect(Number.isInteger(r.exit), at).toBe(true);
  expect(r.exit, at).toBeGreaterThanOrEqual(0);
  expect(r.exit, at).toBeLessThanOrEqual(255);
  expect(typeof r.stdout, at).toBe("string");
  expect(typeof r.stderr, at).toBe("string");
}

/** Runs the accepted lines of a batch in a fresh prepared world. */
/** Lines the simulator ran, by program: the generators must keep reaching every one. */
const ran = new Map<string, number>();

async function simulate(lines: readonly string[], rules: string): Promise<void> {
  const cmds = parseChecked(lines);
  if (cmds.length === 0) return;
  const g = await prepared();
  const files = filesOf(rules);
  const history: string[] = [];
  for (const cmd of cmds) {
    let loaded: LabCommand;
    try {
      loaded = withFiles(cmd, files);
    } catch (e) {
      if (e instanceof ScriptError) continue;
      throw e;
    }
    history.push(cmd.text);
    checkResult(await runGuarded(g, loaded, files, history.slice(0, -1)), cmd);
    ran.set(cmd.program, (ran.get(cmd.program) ?? 0) + 1);
  }
  // Whatever the lines left behind, the world can still be read (the labs' end check).
  try {
    await g.b.inspect();
  } catch (e) {
    throw new Error(`inspect() threw after:\n${[...WORLD, ...history].join("\n")}`, { cause: e });
  }
}

const params = (runs: number): fc.Parameters<unknown> => ({
  numRuns: runs,
  ...(SEED === undefined ? {} : { seed: SEED }),
  endOnFailure: true,
});

describe("fuzzing near-miss lab lines", () => {
  it(`the parser refuses only with a ScriptError naming the line (${LINES} lines)`, () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: PER_SCRIPT, maxLength: PER_SCRIPT }), (lines) => {
        parseChecked(lines);
      }),
      params(Math.ceil(LINES / PER_SCRIPT)),
    );
  });

  it(
    `the simulator answers every accepted line: an exit code and text, no throw, no hang (${LINES} lines)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(lineArb, { minLength: PER_WORLD, maxLength: PER_WORLD }),
          rulesFile,
          simulate,
        ),
        params(Math.ceil(LINES / PER_WORLD)),
      );
      // Near misses, not noise: about 60% of the lines pass the parser and run.
      const total = [...ran.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(LINES * 0.3);
      if (LINES >= 10_000) expect([...ran.keys()].sort()).toEqual(Object.keys(PROGRAMS).sort());
    },
    Math.max(120_000, LINES * 10),
  );
});

// Found probing the fuzz generators' edge values by hand against the kernel (unshare -n):
// the properties above check that the simulator answers, not that it answers right.
describe("found while fuzzing", () => {
  it("sysctl reads integers as proc_dointvec does: base 0, int-sized, one per value", () => {
    const l = new Lab();
    l.setup("ip link add veth0 type veth peer name veth1");
    const set = (v: string): number =>
      l.run(`sysctl -q -w net.ipv4.conf.veth0.rp_filter=${v}`).exit;
    const get = (): string => l.out("cat /proc/sys/net/ipv4/conf/veth0/rp_filter");
    expect([set("0x10"), get()]).toEqual([0, "16\n"]);
    expect([set("010"), get()]).toEqual([0, "8\n"]);
    expect([set("-0x80000000"), get()]).toEqual([0, "-2147483648\n"]);
    expect([set("'2 7'"), get()]).toEqual([0, "2\n"]);
    for (const bad of [
      "08",
      "+1",
      "0x",
      "2147483648",
      "-2147483649",
      "99999999999999999999",
      "000000000000000000001",
      "1x",
      "' '",
    ]) {
      expect([bad, set(bad), get()]).toEqual([bad, 1, "2\n"]);
    }
    expect(l.run("echo 4294967297 > /proc/sys/net/ipv4/ip_forward")).toEqual(
      res(1, "", "packetwalk: echo: /proc/sys/net/ipv4/ip_forward: Invalid argument\n"),
    );
  });

  it("ping_group_range takes two gids up to 4294967294; out of order it means no group", () => {
    const l = new Lab();
    const set = (v: string): number => l.run(`sysctl -q -w net.ipv4.ping_group_range='${v}'`).exit;
    const get = (): string => l.out("sysctl -n net.ipv4.ping_group_range");
    expect([set("0 5"), get()]).toEqual([0, "0\t5\n"]);
    expect([set("4"), get()]).toEqual([0, "4\t5\n"]);
    expect([set("3 1 7"), get()]).toEqual([0, "1\t0\n"]);
    expect([set("0 4294967294"), get()]).toEqual([0, "0\t4294967294\n"]);
    expect([set("-1 3"), set("0 4294967295"), get()]).toEqual([1, 1, "0\t4294967294\n"]);
  });
});
