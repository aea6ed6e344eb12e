// Walks a learner can follow (issue 11, items 7-12): a one-line verdict first, in the
// learner's words, then one compact line per namespace a packet passes, the ARP exchange
// where it happened, no raw machine state, the linkdown trap named, --only and --packet,
// and the JSON's route gateway only when the route has one. Simulator only.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseScript } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { walkJson } from "../../src/walk/json.js";
import { parseProbe } from "../../src/walk/probe.js";
import { renderWalk, walkHops } from "../../src/walk/render.js";
import { runWalk } from "../../src/walk/run-walk.js";
import type { Walk } from "../../src/walk/types.js";
import { verdictOf, verdictText } from "../../src/walk/verdict.js";

const LESSON = "lessons/02-docker-six-walks.lab";

async function walkOf(text: string, probe: string, file = "t.lab"): Promise<Walk> {
  const { script, errors } = parseScript(text, file);
  expect(errors).toEqual([]);
  return runWalk(script, parseProbe([probe]), { sim: new SimBackend() });
}

const lesson = (extra: string[] = []): string =>
  [readFileSync(LESSON, "utf8"), ...extra].join("\n");
const verdict = (w: Walk): string => verdictText(verdictOf(w)!);
const plain = (w: Walk, more: Parameters<typeof renderWalk>[1] = { colour: false }): string =>
  renderWalk(w, { ...more, colour: false });

// The host end of the veth pair is never set up: the beginner's most common mistake.
const LINKDOWN = [
  "ip netns add c",
  "ip link add veth0 type veth peer name ceth0",
  "ip link set ceth0 netns c",
  "ip addr add 10.0.0.1/24 dev veth0",
  "ip netns exec c ip link set ceth0 up",
  "ip netns exec c ip addr add 10.0.0.2/24 dev ceth0",
].join("\n");

describe("the verdicts of the six walks (docs/six-walks.md)", () => {
  const probes = [
    "ip netns exec container1 nc -z -w1 172.17.0.3 12580",
    "ip netns exec container1 nc -z -w1 172.17.0.1 12580",
    "ip netns exec container1 nc -z -w1 192.0.2.101 12580",
    "nc -z -w1 172.17.0.2 12580",
    "ip netns exec container1 nc -z -w1 192.0.2.187 12580",
    "ip netns exec lan nc -z -w1 172.17.0.2 12580",
  ];
  let walks: Walk[];
  beforeAll(async () => {
    walks = await Promise.all(probes.map((p) => walkOf(lesson(), p, LESSON)));
  });

  it("name the outcome as the learner thinks of it, and where the deciding packet went", () => {
    expect(walks.map(verdict)).toEqual([
      "the TCP connection to 172.17.0.3:12580 opened: the SYN was delivered to nc on TCP port 12580 in container2 on eth0",
      "the TCP connection to 172.17.0.1:12580 was refused: the SYN reached (root), where nothing listens on TCP port 12580; (root) answered with a RST",
      "the TCP connection to 192.0.2.101:12580 opened: the SYN was delivered to nc on TCP port 12580 in (root) on docker0",
      "the TCP connection to 172.17.0.2:12580 opened: the SYN was delivered to nc on TCP port 12580 in container1 on eth0",
      expect.stringMatching(
        /^the TCP connection to 192\.0\.2\.187:12580 opened: the SYN was delivered to nc on TCP port 12580 in lan on eth0, after SNAT to 192\.0\.2\.101:\d+$/,
      ),
      "the TCP connection to 172.17.0.2:12580 opened: the SYN was delivered to nc on TCP port 12580 in container1 on eth0",
    ]);
  });

  it("print the verdict first, then one compact line per namespace a packet passes", () => {
    const out = plain(walks[4]!);
    const lines = out.split("\n");
    expect(lines[0]).toBe(`verdict: ${verdict(walks[4]!)}`);
    expect(lines.length).toBeLessThan(60);
    // The SYN: container1, the host (bridge, FORWARD, MASQUERADE), lan; the ARP for the
    // gateway inside container1's line, where the SYN waited for it.
    const syn = out.slice(out.indexOf("#1 "), out.indexOf("\n\n", out.indexOf("#1 ")));
    expect(syn).toMatch(
      /\n {2}container1 {2}out eth0 by default via 172\.17\.0\.1;\s+ARP who has 172\.17\.0\.1: \(root\) answers [0-9a-f:]{17}\n/,
    );
    expect(syn).toContain("filter FORWARD: ACCEPT by rule 3 (-i docker0 ! -o docker0 -j ACCEPT)");
    expect(syn).toMatch(/SNAT 172\.17\.0\.2:(\d+) -> 192\.0\.2\.101:\1/);
    expect(syn).toMatch(
      /\n {2}lan {9}in on eth0 from \(root\); delivered to nc on TCP port 12580$/,
    );
    // ARP packets are folded into the packet that waited for them, not titled on their own.
    expect(out).not.toMatch(/^#\d+ ARP/m);
    // No raw machine state, no time where none passed.
    expect(out).not.toContain("{");
    expect(out).not.toContain(" ms");
  });

  it("-v shows every step, machine states in words, and the ARP exchange nested where it happened", () => {
    const out = plain(walks[5]!, { colour: false, verbose: true });
    expect(out).toContain("nc -l tcp 12580: serving (polling)");
    expect(out).not.toContain('{"');
    const lines = out.split("\n");
    const lookup = lines.findIndex((l) =>
      /neigh +neighbour 192\.0\.2\.101 on eth0: no entry/.test(l),
    );
    expect(lines[lookup + 1]).toMatch(
      /^\| #2 ARP request: who has 192\.0\.2\.101\? tell 192\.0\.2\.187 \(sent for #1\)$/,
    );
    expect(out).toMatch(/NF +nat PREROUTING policy ACCEPT/);
  });

  it("--only keeps the steps of the kinds asked for; --packet one packet", () => {
    const nf = plain(walks[5]!, { colour: false, only: ["nf"] });
    const steps = nf
      .split("\n")
      .filter((l) => /^ {2}.{12}\S/.test(l) && !l.includes("headers:") && !l.includes("=>"));
    expect(steps.length).toBeGreaterThan(0);
    for (const l of steps) expect(l).toMatch(/ (NF|nat|ct) {2,}/);
    expect(nf).toContain("filter FORWARD policy ACCEPT");
    const arp = plain(walks[5]!, { colour: false, only: ["arp"] });
    expect(arp).toMatch(/neigh +neighbour 192\.0\.2\.101 on eth0/);
    expect(arp).not.toContain(" NF ");
    const titles = (packet: number): string[] =>
      plain(walks[5]!, { colour: false, packet })
        .split("\n")
        .filter((l) => /^#\d/.test(l));
    expect(titles(1)).toEqual([
      expect.stringMatching(/^#1 TCP 192\.0\.2\.187:\d+ > 172\.17\.0\.2:12580 \[S\]$/),
    ]);
    // An ARP packet folded into #1 is shown on its own when asked for.
    expect(titles(4)).toEqual([
      "#4 ARP request: who has 172.17.0.2? tell 172.17.0.1 (sent for #1)",
    ]);
    expect(plain(walks[5]!, { colour: false, packet: 99 })).toContain(
      "no packet #99: the walk has #1 to #",
    );
  });

  it("--step's hops are the compact lines, grouped by packet", () => {
    const hops = walkHops(walks[0]!, { colour: false });
    const first = hops.filter((h) => h.packet === 1);
    expect(first.map((h) => h.lines[0]!.trim().split(/\s+/)[0])).toEqual([
      "container1",
      "(root)",
      "container2",
    ]);
  });
});

describe("a link down or without carrier", () => {
  it("says so, with the route's linkdown flag, instead of 'no one took it'", async () => {
    const w = await walkOf(LINKDOWN, "ip netns exec c ping -c1 -W1 10.0.0.1");
    expect(verdict(w)).toBe(
      "the ping got no reply: the echo request waited in c for ARP to resolve 10.0.0.1 on ceth0, " +
        "but the ARP request was dropped in c on ceth0: no carrier " +
        "(veth0, the other end of the veth pair, is down); its route is flagged linkdown",
    );
    const out = plain(w);
    expect(out).toContain("out ceth0 by 10.0.0.0/24 (on-link), linkdown: ceth0 has no carrier");
    expect(out).not.toContain("no one took it");
    const json = walkJson(w);
    const route = json.sim!.packets[0]!.steps.find((s) => s.kind === "route");
    expect(route?.route?.flags).toEqual(["linkdown"]);
    const drop = json.sim!.packets.flatMap((p) => p.steps).find((s) => s.kind === "drop");
    expect(drop).toMatchObject({ dev: "ceth0", reason: "no carrier" });
  });

  it("a probe that cannot send says what it printed", async () => {
    const w = await walkOf(LINKDOWN, "ping -c1 -W1 10.0.0.2");
    expect(verdict(w)).toBe(
      "the ping failed before sending: it sent no packet (ping: connect: Network is unreachable)",
    );
  });
});

describe("netfilter in the verdict", () => {
  it("a drop names the chain and policy; a DNAT names the address it went to", async () => {
    const dropped = await walkOf(
      lesson(["iptables -P FORWARD DROP", "iptables -I FORWARD -p tcp --dport 12580 -j DROP"]),
      "ip netns exec lan nc -z -w1 172.17.0.2 12580",
      LESSON,
    );
    expect(verdict(dropped)).toBe(
      "the TCP connection to 172.17.0.2:12580 got no answer (timed out): the SYN was dropped in (root) " +
        "at filter FORWARD rule 1 (-p tcp -m tcp --dport 12580 -j DROP)",
    );
    const policy = await walkOf(
      lesson(["iptables -P FORWARD DROP", "iptables -D FORWARD -i docker0 ! -o docker0 -j ACCEPT"]),
      "ip netns exec container1 ping -c1 -W1 192.0.2.187",
      LESSON,
    );
    expect(verdict(policy)).toBe(
      "the ping got no reply: the echo request was dropped in (root) at filter FORWARD policy DROP",
    );
    const dnat = await walkOf(
      lesson([
        "iptables -t nat -A DOCKER ! -i docker0 -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80",
        "ip netns exec container1 nc -lk 80 &",
      ]),
      "ip netns exec lan nc -z -w1 192.0.2.101 8080",
      LESSON,
    );
    expect(verdict(dnat)).toBe(
      "the TCP connection to 192.0.2.101:8080 opened: the SYN was delivered to nc on TCP port 80 " +
        "in container1 on eth0, after DNAT to 172.17.0.2:80",
    );
  });
});

describe("the JSON's route", () => {
  it("has a gateway only when the route has one", async () => {
    const w = walkJson(
      await walkOf(lesson(), "ip netns exec container1 nc -z -w1 192.0.2.187 12580", LESSON),
    );
    const routes = w.sim!.packets[0]!.steps.filter((s) => s.kind === "route").map((s) => s.route);
    expect(routes[0]).toMatchObject({
      route: "default via 172.17.0.1 dev eth0",
      gateway: "172.17.0.1",
    });
    const onLink = routes.find((r) => r?.route?.startsWith("192.0.2.0/24"));
    expect(onLink).toBeDefined();
    expect(onLink).not.toHaveProperty("gateway");
    // The model's own fields stay out of the JSON.
    const keys = new Set(w.sim!.packets.flatMap((p) => p.steps.flatMap((s) => Object.keys(s))));
    for (const k of ["point", "hop", "machine"]) expect(keys.has(k)).toBe(false);
    expect(w.sim!.packets.some((p) => "fields" in p)).toBe(false);
  });
});
