// The CLI's `walk`: a probe after `--`, refusals with a clear message before anything runs,
// the walk as JSON, and with --compare the kernel's trace held against the simulation.
import { describe, expect, it } from "vitest";
import { captured, captureOutput, run, script } from "./capture.js";
import type { WalkJson } from "../../src/walk/json.js";
import { WALK_SCHEMA } from "../../src/walk/types.js";

captureOutput();

const TWO = [
  "ip netns add a",
  "ip netns add b",
  "ip link add va netns a type veth peer name vb netns b",
  "ip -n a addr add 192.0.2.1/24 dev va",
  "ip -n b addr add 192.0.2.2/24 dev vb",
  "ip -n a link set va up",
  "ip -n b link set vb up",
  "ip netns exec b iptables -A INPUT -p icmp -j ACCEPT",
  // linkwatch reports the carrier up to 1 s late; IPv6 addrconf (and the multicast
  // entries `bridge fdb` lists) waits for it.
  "sleep 1.1",
  "",
].join("\n");

describe("packetwalk walk", () => {
  it("--json: the walk as one object with the documented schema", async () => {
    const f = script(TWO);
    expect(
      await run("walk", "--json", f, "--", "ip", "netns", "exec", "a", "ping", "-c1", "192.0.2.2"),
    ).toBe(0);
    const walk = JSON.parse(captured.out) as WalkJson;
    expect(walk.schema).toBe(WALK_SCHEMA);
    expect(walk.backend).toBe("sim");
    expect(walk.sim?.probe).toMatchObject({ ns: "a", exit: 0 });
    const titles = walk.sim!.packets.map((p) => p.summary);
    expect(titles).toHaveLength(4);
    expect(titles[0]).toMatch(/^ICMP echo request 192\.0\.2\.1 > 192\.0\.2\.2 id \d+ seq 1$/);
    expect(titles[1]).toBe("ARP request: who has 192.0.2.2? tell 192.0.2.1");
    expect(titles[2]).toMatch(/^ARP reply: 192\.0\.2\.2 is at [0-9a-f:]{17}$/);
    expect(titles[3]).toMatch(/^ICMP echo reply 192\.0\.2\.2 > 192\.0\.2\.1/);
    const nf = walk.sim!.packets[0]!.steps.filter((s) => s.kind === "nf").map((s) => s.nf);
    expect(nf).toEqual([
      {
        hook: "INPUT",
        table: "filter",
        chain: "INPUT",
        ruleNum: 1,
        rule: "-p icmp -j ACCEPT",
        verdict: "ACCEPT",
        policy: false,
      },
    ]);
  });

  it("the probe may be one quoted word", async () => {
    expect(
      await run("walk", "--json", script(TWO), "--", "ip netns exec a ping -c1 192.0.2.2"),
    ).toBe(0);
    expect((JSON.parse(captured.out) as WalkJson).sim?.probe.exit).toBe(0);
  });

  it("refuses what is not a probe, and shell syntax, before anything runs", async () => {
    const f = script(TWO);
    expect(await run("walk", f, "--", "ip", "link", "show")).toBe(2);
    expect(captured.err).toContain("the probe must be a ping or an nc -z line");
    captured.err = "";
    expect(await run("walk", f, "--", "ping -c1 192.0.2.2; rm -rf /")).toBe(2);
    expect(captured.err).toMatch(/packetwalk walk: probe: .*(;|separat)/);
    captured.err = "";
    expect(await run("walk", f)).toBe(2);
    captured.err = "";
    expect(await run("walk", "--json", "--step", f, "--", "ping", "-c1", "192.0.2.2")).toBe(2);
    expect(captured.err).toContain("--step and --json do not mix");
    expect(captured.out).toBe("");
  });

  it("--until LINE walks the probe in the world as it stood after that line", async () => {
    // Lesson 1's same-subnet trap: line 43 is before the bridge fixes it.
    const lesson = "lessons/01-namespaces-veth-bridge.lab";
    expect(await run("walk", "--until", "43", lesson, "--", "ping -c1 -W1 172.18.0.20")).toBe(0);
    expect(captured.out.split("\n")[0]).toBe(
      "verdict: the ping got no reply: the echo request waited in (root) for ARP to resolve " +
        "172.18.0.20 on veth0; no one answered (2 requests, heard by netns0, which does not have that address)",
    );
    captured.out = "";
    // The whole script: the bridge is in place and the ping gets its reply.
    expect(await run("walk", lesson, "--", "ping -c1 -W1 172.18.0.20")).toBe(0);
    expect(captured.out).toMatch(/^verdict: the ping got its reply: /);
    captured.out = "";
    expect(await run("walk", "--until", "2", lesson, "--", "ping -c1 172.18.0.20")).toBe(2);
    expect(captured.err).toContain("--until 2: line 2 is a comment, not a command");
  });

  it("-v, --only and --packet choose what is shown; bad values are refused before anything runs", async () => {
    const f = script(TWO);
    const probe = ["--", "ip netns exec a ping -c1 192.0.2.2"];
    expect(await run("walk", f, ...probe)).toBe(0);
    const compact = captured.out;
    expect(compact).toMatch(
      /^verdict: the ping got its reply: the echo request was delivered to the ICMP echo responder in b on vb\n/,
    );
    expect(compact).toMatch(
      /\n {2}a {7}out va by 192\.0\.2\.0\/24 \(on-link\); ARP who has 192\.0\.2\.2: b answers /,
    );
    captured.out = "";
    expect(await run("walk", "-v", f, ...probe)).toBe(0);
    expect(captured.out).toContain("filter INPUT rule 1: -p icmp -j ACCEPT => ACCEPT");
    expect(captured.out.split("\n").length).toBeGreaterThan(compact.split("\n").length);
    captured.out = "";
    expect(await run("walk", "--only", "nf,route", "--packet", "1", f, ...probe)).toBe(0);
    expect(captured.out).toContain("filter INPUT rule 1");
    expect(captured.out).not.toContain("neighbour");
    expect(captured.out).not.toMatch(/^#4 /m);
    captured.out = "";
    expect(await run("walk", "--only", "nat", f, ...probe)).toBe(2);
    expect(captured.err).toContain(
      "--only nat: unknown kind nat; the kinds are nf, arp, bridge, route",
    );
    expect(await run("walk", "--packet", "0", f, ...probe)).toBe(2);
    expect(captured.err).toContain("--packet 0: not a packet number");
    expect(captured.out).toBe("");
  });

  it("a bad script is refused with its line, and no walk runs", async () => {
    const f = script("ip netns add a\nfrobnicate now\n");
    expect(await run("walk", f, "--", "ping", "-c1", "192.0.2.2")).toBe(127);
    expect(captured.err).toContain(":2: unknown command");
    expect(captured.out).toBe("");
  });

  it("--kernel: the kernel's trace and what the probe left behind, for people", async () => {
    const f = script(TWO);
    expect(await run("walk", "--kernel", f, "--", "ip netns exec a ping -c1 192.0.2.2")).toBe(0);
    const out = captured.out;
    expect(out).toContain("the kernel's netfilter trace (xtables-monitor --trace), per namespace:");
    expect(out).toMatch(
      / {2}b\n {4}1\. 192\.0\.2\.1 > 192\.0\.2\.2 icmp len 84\n {9}filter INPUT rule 1: -p icmp -j ACCEPT => ACCEPT\n/,
    );
    expect(out).toContain("  $ ip netns exec a ip neigh show\n    192.0.2.2 dev va lladdr ");
    // The learner's counters: the one echo request, as without tracing.
    expect(out).toContain("[1:84] -A INPUT -p icmp -j ACCEPT");
  });

  it("--compare: the kernel's netfilter trace equals the simulated path; exit 0", async () => {
    const f = script(TWO);
    const code = await run(
      "walk",
      "--compare",
      "--json",
      f,
      "--",
      "ip netns exec a ping -c1 192.0.2.2",
    );
    const walk = JSON.parse(captured.out) as WalkJson;
    expect(walk.comparison?.differences).toEqual([]);
    expect(walk.comparison).toMatchObject({ probeMatch: true, netfilterMatch: true });
    expect(walk.comparison?.state.filter((s) => !s.match)).toEqual([]);
    expect(walk.kernel?.netfilter.filter((p) => p.steps.length > 0)).toEqual([
      expect.objectContaining({
        ns: "b",
        src: "192.0.2.1",
        dst: "192.0.2.2",
        steps: [expect.objectContaining({ table: "filter", chain: "INPUT", verdict: "ACCEPT" })],
      }),
    ]);
    expect(code).toBe(0);
  });
});
