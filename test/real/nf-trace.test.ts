// The kernel's own netfilter trace of a probe, in a docker-like sandbox: exact steps per
// namespace, and the learner's tables, listings and counters left as they were.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listNamespaces, startNfTrace, type NfTraceResult } from "../../src/real/nf-trace.js";
import { Sandbox } from "../../src/real/sandbox.js";
import { TRACE_TABLE } from "../../src/real/xtables-trace.js";
import type { NfPathPacket } from "../../src/backend/trace-types.js";
import { sandboxUnavailable } from "./helpers.js";

// docker0 (172.17.0.1/16) in the sandbox's own namespace with containers c1 and c2; an
// outside network 198.51.100.0/24 in namespace ext, reached through MASQUERADE.
const TOPOLOGY = `
ip link set lo up
ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
ip netns add c1
ip link add veth1 type veth peer name eth0 netns c1
ip link set veth1 master docker0 up
ip -n c1 addr add 172.17.0.2/16 dev eth0
ip -n c1 link set eth0 up
ip -n c1 route add default via 172.17.0.1
ip netns add c2
ip link add veth2 type veth peer name eth0 netns c2
ip link set veth2 master docker0 up
ip -n c2 addr add 172.17.0.3/16 dev eth0
ip -n c2 link set eth0 up
ip netns add ext
ip link add vext type veth peer name eth0 netns ext
ip addr add 198.51.100.1/24 dev vext
ip link set vext up
ip -n ext addr add 198.51.100.9/24 dev eth0
ip -n ext link set eth0 up
sysctl -qw net.ipv4.ip_forward=1
iptables -P FORWARD DROP
iptables -N DOCKER-USER
iptables -A DOCKER-USER -j RETURN
iptables -A FORWARD -j DOCKER-USER
iptables -A FORWARD -i docker0 -o docker0 -j ACCEPT
iptables -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
iptables -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
iptables -A INPUT -p tcp --dport 81 -j REJECT
ip netns exec c1 iptables -A OUTPUT -p icmp -j ACCEPT
`
  .trim()
  .split("\n");

const DOCKER_USER = [
  "filter FORWARD 1: -j DOCKER-USER => JUMP:DOCKER-USER",
  "filter DOCKER-USER 1: -j RETURN => RETURN",
];

/** One line per packet: namespace, headers, then each step. */
function summary(packets: NfPathPacket[]): string[] {
  return packets.map((p) => {
    const ports = p.dport !== undefined ? ` dport ${p.dport}` : "";
    const flags = p.tcpFlags?.length ? ` [${p.tcpFlags.join(",")}]` : "";
    const steps = p.steps.map((s) =>
      s.policy
        ? `${s.table} ${s.chain} policy ${s.verdict}`
        : `${s.table} ${s.chain} ${s.ruleNum ?? "?"}: ${s.rule ?? "?"} => ${s.verdict}`,
    );
    return [`${p.ns || "-"} ${p.proto ?? "?"} ${p.src} > ${p.dst}${ports}${flags}`, ...steps].join(
      " | ",
    );
  });
}

const line = (...parts: (string | string[])[]): string => parts.flat().join(" | ");

describe.skipIf(sandboxUnavailable)("netfilter trace in the sandbox", () => {
  let sb: Sandbox;

  const exec = async (argv: string[]): Promise<string> => {
    const r = await sb.exec({ argv, background: false });
    if (r.exit !== 0) throw new Error(`${argv.join(" ")}: exit ${r.exit}: ${r.stderr}`);
    return r.stdout;
  };
  const inNs = (ns: string, argv: string[]): string[] =>
    ns === "" ? argv : ["ip", "netns", "exec", ns, ...argv];

  /** Runs `probe` (one argv line) while tracing every namespace. */
  async function traced(probe: string): Promise<NfTraceResult & { exit: number }> {
    const session = await startNfTrace(sb, await listNamespaces(sb));
    const r = await sb.exec({ argv: probe.split(" "), background: false });
    const result = await session.stop();
    return { ...result, exit: r.exit };
  }

  /** br_netfilter: whether bridged IPv4 frames go through iptables in this sandbox. */
  async function bridgeNf(): Promise<boolean | undefined> {
    const r = await sb.exec({
      argv: ["cat", "/proc/sys/net/bridge/bridge-nf-call-iptables"],
      background: false,
    });
    return r.exit === 0 ? r.stdout.trim() === "1" : undefined;
  }

  /** What the learner can see of the rules, per namespace: listings with counters, tables. */
  async function listings(): Promise<string[]> {
    const out: string[] = [];
    for (const ns of ["", "c1"]) {
      const save = await exec(inNs(ns, ["iptables-save", "-c"]));
      out.push(save.replace(/^# (Generated|Completed) .*\n/gm, ""));
      out.push(await exec(inNs(ns, ["iptables", "-L", "-v", "-n", "-x"])));
      out.push(await exec(inNs(ns, ["iptables", "-t", "nat", "-L", "-v", "-n", "-x"])));
      out.push(await exec(inNs(ns, ["nft", "list", "tables"])));
    }
    return out;
  }

  beforeAll(async () => {
    sb = await Sandbox.start();
    for (const l of TOPOLOGY) await exec(l.split(" "));
  });
  afterAll(async () => {
    await sb?.close();
  });

  it("lists the sandbox's namespaces by name", async () => {
    expect((await listNamespaces(sb)).sort()).toEqual(["c1", "c2", "ext"]);
  });

  it("follows a ping through DOCKER-USER and MASQUERADE, in every namespace", async () => {
    const r = await traced("ip netns exec c1 ping -c1 -W2 198.51.100.9");
    expect(r.exit).toBe(0);
    expect(r.warnings).toEqual([]);
    expect(summary(r.packets)).toEqual([
      line(
        "- icmp 172.17.0.2 > 198.51.100.9",
        DOCKER_USER,
        "filter FORWARD 3: -i docker0 ! -o docker0 -j ACCEPT => ACCEPT",
        "nat POSTROUTING 1: -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE => ACCEPT",
      ),
      // The reply, as FORWARD sees it: conntrack has undone the MASQUERADE.
      line(
        "- icmp 198.51.100.9 > 172.17.0.2",
        DOCKER_USER,
        "filter FORWARD 4: -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT => ACCEPT",
      ),
      line("c1 icmp 172.17.0.2 > 198.51.100.9", "filter OUTPUT 1: -p icmp -j ACCEPT => ACCEPT"),
      "c1 icmp 198.51.100.9 > 172.17.0.2",
      "ext icmp 198.51.100.1 > 198.51.100.9",
      "ext icmp 198.51.100.9 > 198.51.100.1",
    ]);
  });

  it("keeps a REJECTed SYN and the ICMP error REJECT sends apart", async () => {
    const r = await traced("ip netns exec c1 nc -z -w2 172.17.0.1 81");
    expect(r.exit).toBe(1);
    expect(r.warnings).toEqual([]);
    expect(summary(r.packets)).toEqual([
      line(
        "- tcp 172.17.0.2 > 172.17.0.1 dport 81 [SYN]",
        // REJECT's verdict, as the kernel reports it, is DROP.
        "filter INPUT 1: -p tcp -m tcp --dport 81 -j REJECT --reject-with icmp-port-unreachable => DROP",
      ),
      "- icmp 172.17.0.1 > 172.17.0.2",
      line("c1 tcp 172.17.0.2 > 172.17.0.1 dport 81 [SYN]", "filter OUTPUT policy ACCEPT"),
      "c1 icmp 172.17.0.1 > 172.17.0.2",
    ]);
    const syn = r.packets[0]!;
    expect(syn).toMatchObject({ proto: "tcp", dport: 81, len: 60, tcpFlags: ["SYN"] });
    expect(syn.sport).toBeGreaterThan(1023);
  });

  it("follows nc -z through MASQUERADE to a closed port and the RST back", async () => {
    const r = await traced("ip netns exec c1 nc -z -w2 198.51.100.9 80");
    expect(r.exit).toBe(1);
    const eph = r.packets[0]?.sport; // nc's port, where the RST goes
    expect(summary(r.packets)).toEqual([
      line(
        "- tcp 172.17.0.2 > 198.51.100.9 dport 80 [SYN]",
        DOCKER_USER,
        "filter FORWARD 3: -i docker0 ! -o docker0 -j ACCEPT => ACCEPT",
        "nat POSTROUTING 1: -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE => ACCEPT",
      ),
      line(
        `- tcp 198.51.100.9 > 172.17.0.2 dport ${eph} [ACK,RST]`,
        DOCKER_USER,
        "filter FORWARD 4: -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT => ACCEPT",
      ),
      "c1 tcp 172.17.0.2 > 198.51.100.9 dport 80 [SYN] | filter OUTPUT policy ACCEPT",
      `c1 tcp 198.51.100.9 > 172.17.0.2 dport ${eph} [ACK,RST]`,
      "ext tcp 198.51.100.1 > 198.51.100.9 dport 80 [SYN]",
      // MASQUERADE kept the port (no clash), so ext answers the same one.
      `ext tcp 198.51.100.9 > 198.51.100.1 dport ${eph} [ACK,RST]`,
    ]);
  });

  it("sees container to container traffic on the bridge only with br_netfilter", async () => {
    const probe = "ip netns exec c1 ping -c1 -W2 172.17.0.3";
    const containers = [
      line("c1 icmp 172.17.0.2 > 172.17.0.3", "filter OUTPUT 1: -p icmp -j ACCEPT => ACCEPT"),
      "c1 icmp 172.17.0.3 > 172.17.0.2",
      "c2 icmp 172.17.0.2 > 172.17.0.3",
      "c2 icmp 172.17.0.3 > 172.17.0.2",
    ];
    const bridged = [
      line(
        "- icmp 172.17.0.2 > 172.17.0.3",
        DOCKER_USER,
        "filter FORWARD 2: -i docker0 -o docker0 -j ACCEPT => ACCEPT",
        "nat POSTROUTING policy ACCEPT",
      ),
      line(
        "- icmp 172.17.0.3 > 172.17.0.2",
        DOCKER_USER,
        "filter FORWARD 2: -i docker0 -o docker0 -j ACCEPT => ACCEPT",
      ),
    ];
    const nf = await bridgeNf();
    const first = await traced(probe);
    expect(summary(first.packets)).toEqual([...(nf ? bridged : []), ...containers]);
    if (nf === undefined) return; // br_netfilter not loaded on this machine
    // Per namespace: switching it off here changes nothing outside the sandbox.
    await exec(["sysctl", "-qw", `net.bridge.bridge-nf-call-iptables=${nf ? 0 : 1}`]);
    try {
      const second = await traced(probe);
      expect(summary(second.packets)).toEqual([...(nf ? [] : bridged), ...containers]);
    } finally {
      await exec(["sysctl", "-qw", `net.bridge.bridge-nf-call-iptables=${nf ? 1 : 0}`]);
    }
  });

  it("traces nothing sent after cut(), and still every packet sent before it", async () => {
    const session = await startNfTrace(sb, await listNamespaces(sb));
    const first = await sb.exec({
      argv: "ip netns exec c1 ping -c1 -W2 198.51.100.9".split(" "),
      background: false,
    });
    await session.cut();
    const second = await sb.exec({
      argv: "ip netns exec c2 ping -c1 -W2 172.17.0.1".split(" "),
      background: false,
    });
    const r = await session.stop();
    expect([first.exit, second.exit]).toEqual([0, 0]);
    expect(r.warnings).toEqual([]);
    const seen = summary(r.packets).map((l) => l.split(" | ")[0] ?? "");
    expect(seen).toContain("c1 icmp 172.17.0.2 > 198.51.100.9");
    expect(seen.filter((l) => l.includes("172.17.0.3"))).toEqual([]);
  });

  it("gives the same account in a second session right after the first", async () => {
    const probe = "ip netns exec c1 nc -z -w2 172.17.0.1 81";
    const one = summary((await traced(probe)).packets);
    const two = summary((await traced(probe)).packets);
    expect(two).toEqual(one);
    expect(one.length).toBe(4);
  });

  it("leaves the learner's tables, listings and counters as they were", async () => {
    const before = await listings();
    const session = await startNfTrace(sb, await listNamespaces(sb));
    const during = await exec(["nft", "list", "tables"]);
    expect(during).toContain(`table ip ${TRACE_TABLE}`);
    expect(await session.stop()).toEqual({ packets: [], warnings: [] });
    expect(await listings()).toEqual(before);
    for (const ns of ["", "c1", "c2", "ext"]) {
      expect(await exec(inNs(ns, ["nft", "list", "tables"]))).not.toContain(TRACE_TABLE);
    }
  });

  it("fails to start for a namespace that does not exist, and cleans up", async () => {
    await expect(startNfTrace(sb, ["c1", "nosuch"])).rejects.toThrow(
      /nft -f - in namespace nosuch: Cannot open network namespace "nosuch"/,
    );
    for (const ns of ["", "c1"]) {
      expect(await exec(inNs(ns, ["nft", "list", "tables"]))).not.toContain(TRACE_TABLE);
    }
  });

  it("warns, and still returns what it saw, when its table is deleted under it", async () => {
    const session = await startNfTrace(sb, ["c1"]);
    await exec(["ip", "netns", "exec", "c1", "ping", "-c1", "-W2", "172.17.0.1"]);
    await exec(["nft", "delete", "table", "ip", TRACE_TABLE]);
    const r = await session.stop();
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^nft add chain ip packetwalk_trace sync\d+ in the sandbox's namespace: /,
      ),
      expect.stringMatching(/^nft delete table ip packetwalk_trace in the sandbox's namespace: /),
    ]);
    // Protocols left out: xtables-monitor looks a rule's text up when it prints the event,
    // and ours may be gone by then.
    const steps = r.packets.map((p) => summary([{ ...p, proto: "ip" }])[0]);
    expect(steps).toEqual([
      "- ip 172.17.0.2 > 172.17.0.1 | filter INPUT policy ACCEPT",
      "- ip 172.17.0.1 > 172.17.0.2",
      "c1 ip 172.17.0.2 > 172.17.0.1 | filter OUTPUT 1: -p icmp -j ACCEPT => ACCEPT",
      "c1 ip 172.17.0.1 > 172.17.0.2",
    ]);
  });

  it("counts a traced probe exactly as an untraced one", async () => {
    const probe = "ip netns exec c1 ping -c1 -W2 198.51.100.9";
    const a = await listings();
    expect((await sb.exec({ argv: probe.split(" "), background: false })).exit).toBe(0);
    const b = await listings();
    expect((await traced(probe)).exit).toBe(0);
    const c = await listings();
    expect(counterDelta(b, c)).toEqual(counterDelta(a, b));
    expect(counterDelta(a, b).some((d) => d.some((n) => n > 0))).toBe(true);
  });
});

/** Per listing, the difference of every number in it (counters), after the texts are checked alike. */
function counterDelta(from: string[], to: string[]): number[][] {
  const numbers = (s: string): number[] => (s.match(/\d+/g) ?? []).map(Number);
  const shape = (s: string): string => s.replace(/\d+/g, "N").replace(/ +/g, " ");
  expect(to.map(shape)).toEqual(from.map(shape));
  return from.map((f, i) => {
    const a = numbers(f);
    const b = numbers(to[i]!);
    return b.map((n, j) => n - a[j]!);
  });
}

describe.skipIf(sandboxUnavailable)("netfilter trace with a user namespace", () => {
  it("works rootless as well", async () => {
    const sb = await Sandbox.start({ userns: true });
    try {
      for (const l of [
        "ip netns add c1",
        "ip link add veth1 type veth peer name eth0 netns c1",
        "ip addr add 10.0.0.1/24 dev veth1",
        "ip link set veth1 up",
        "ip -n c1 addr add 10.0.0.2/24 dev eth0",
        "ip -n c1 link set eth0 up",
        "iptables -A INPUT -p icmp -j ACCEPT",
      ]) {
        expect((await sb.exec({ argv: l.split(" "), background: false })).exit, l).toBe(0);
      }
      const session = await startNfTrace(sb, await listNamespaces(sb));
      const ping = await sb.exec({
        argv: "ip netns exec c1 ping -c1 -W2 10.0.0.1".split(" "),
        background: false,
      });
      expect(ping.exit).toBe(0);
      const r = await session.stop();
      expect(r.warnings).toEqual([]);
      expect(summary(r.packets)).toEqual([
        "- icmp 10.0.0.2 > 10.0.0.1 | filter INPUT 1: -p icmp -j ACCEPT => ACCEPT",
        "- icmp 10.0.0.1 > 10.0.0.2",
        "c1 icmp 10.0.0.2 > 10.0.0.1",
        "c1 icmp 10.0.0.1 > 10.0.0.2",
      ]);
    } finally {
      await sb.close();
    }
  });
});
