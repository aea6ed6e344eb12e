// Walks of containers, overlays and narrow links, as a learner reads them (simulator
// only): a container's namespace is named for it, not "(root)", in the text and in
// `walk --diagram`; the TCP teardown is one line unless -v or --packet; a silent VXLAN
// overlay and a DF datagram too big for a router's next link say why.
import { describe, expect, it } from "vitest";
import { captured, captureOutput, run, script } from "../cli/capture.js";
import { parseScript } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { parseProbe } from "../../src/walk/probe.js";
import { renderWalk } from "../../src/walk/render.js";
import { runWalk } from "../../src/walk/run-walk.js";
import type { Walk } from "../../src/walk/types.js";
import { verdictOf, verdictText } from "../../src/walk/verdict.js";

captureOutput();

async function walkOf(lines: string[], probe: string[]): Promise<Walk> {
  const { script: s, errors } = parseScript(lines.join("\n"), "t.lab");
  expect(errors).toEqual([]);
  return runWalk(s, parseProbe(probe), { sim: new SimBackend() });
}

const TWO = [
  "ip netns add a",
  "ip netns add b",
  "ip link add va netns a type veth peer name vb netns b",
  "ip -n a addr add 192.0.2.1/24 dev va",
  "ip -n b addr add 192.0.2.2/24 dev vb",
  "ip -n a link set va up",
  "ip -n b link set vb up",
  "ip netns exec b nc -lk 80 &",
];

// a -- r -- b, the link from r to b at MTU 1400.
const ROUTER = [
  "ip netns add a",
  "ip netns add r",
  "ip netns add b",
  "ip link add va netns a type veth peer name ra netns r",
  "ip link add vb netns b type veth peer name rb netns r",
  "ip -n a addr add 10.0.0.1/24 dev va",
  "ip -n r addr add 10.0.0.254/24 dev ra",
  "ip -n r addr add 10.0.1.254/24 dev rb",
  "ip -n b addr add 10.0.1.1/24 dev vb",
  "ip -n a link set va up",
  "ip -n r link set ra up",
  "ip -n r link set rb up",
  "ip -n b link set vb up",
  "ip -n a route add default via 10.0.0.254",
  "ip -n b route add default via 10.0.1.254",
  "ip netns exec r sysctl -w net.ipv4.ip_forward=1",
  "ip -n r link set rb mtu 1400",
  "ip -n b link set vb mtu 1400",
];

describe("walks a learner reads", () => {
  it("folds the TCP teardown into one line; -v and --packet still show each packet", async () => {
    const w = await walkOf(TWO, ["ip", "netns", "exec", "a", "nc", "-z", "-w1", "192.0.2.2", "80"]);
    const text = renderWalk(w, { colour: false });
    expect(text).toMatch(/\n#(\d+)-#(\d+) the connection closes: 3 packets, all delivered\n/);
    expect(text).toContain("  a FIN -> b; b FIN -> a; a ACK -> b\n");
    expect(text).not.toMatch(/\n#\d+ TCP [^\n]*\[F\.\]/);
    const fin = /#(\d+)-#\d+ the connection closes/.exec(text)![1]!;
    expect(text).toContain(`(each hop: -v, or --packet ${fin})`);
    expect(renderWalk(w, { colour: false, verbose: true })).toMatch(/\n#\d+ TCP [^\n]*\[F\.\]/);
    expect(renderWalk(w, { colour: false, packet: Number(fin) })).toMatch(
      new RegExp(`^#${fin} TCP [^\\n]*\\[F\\.\\]`, "m"),
    );
  });

  it("does not fold a teardown with a dropped packet", async () => {
    const w = await walkOf(
      [...TWO, "ip netns exec b iptables -A OUTPUT -p tcp --tcp-flags FIN FIN -j DROP"],
      ["ip", "netns", "exec", "a", "nc", "-z", "-w1", "192.0.2.2", "80"],
    );
    expect(renderWalk(w, { colour: false })).not.toContain("the connection closes");
  });

  it("a silent VXLAN overlay: the datagrams carrying the ARP request, and where they died", async () => {
    const w = await walkOf(
      [
        "ip netns add hostA",
        "ip netns add hostB",
        "ip link add eth0 netns hostA type veth peer name eth0 netns hostB",
        "ip -n hostA addr add 10.10.0.1/24 dev eth0",
        "ip -n hostB addr add 10.10.0.2/24 dev eth0",
        "ip -n hostA link set eth0 up",
        "ip -n hostB link set eth0 up",
        "ip -n hostA link add vxlan100 type vxlan id 100 remote 10.10.0.2 dstport 4789 dev eth0",
        "ip -n hostB link add vxlan100 type vxlan id 101 remote 10.10.0.1 dstport 4789 dev eth0",
        "ip -n hostA addr add 10.100.0.1/24 dev vxlan100",
        "ip -n hostA link set vxlan100 up",
        "ip -n hostB link set vxlan100 up",
      ],
      ["ip", "netns", "exec", "hostA", "ping", "-c1", "-W1", "10.100.0.2"],
    );
    expect(verdictText(verdictOf(w)!)).toBe(
      "the ping got no reply: the echo request waited in hostA for ARP to resolve 10.100.0.2 on vxlan100, " +
        "but the ARP request, carried in VXLAN to 10.10.0.2:4789, was dropped in hostB: no VXLAN device " +
        "for this VNI (it carries VNI 100 to UDP port 4789; here vxlan100 has VNI 101 on port 4789)",
    );
    expect(renderWalk(w, { colour: false })).toMatch(
      /#2 VXLAN [^\n]* \(carries a frame sent for #1\)/,
    );
  });

  it("a DF datagram too big for the router's next link: which device, which MTU", async () => {
    const w = await walkOf(ROUTER, [
      "ip",
      "netns",
      "exec",
      "a",
      "ping",
      "-c1",
      "-W1",
      "-M",
      "do",
      "-s",
      "1400",
      "10.0.1.1",
    ]);
    expect(verdictText(verdictOf(w)!)).toBe(
      "the ping got no reply: the echo request was dropped in r: DF set and longer than the MTU (rb, the way out, has MTU 1400)",
    );
  });

  it("fragments: where a datagram was cut, into what, and for which MTU", async () => {
    const w = await walkOf(
      [...ROUTER, "ip netns exec a ping -c1 -W1 -M do -s 1400 10.0.1.1"],
      ["ip", "netns", "exec", "a", "ping", "-c1", "-W1", "-s", "1400", "10.0.1.1"],
    );
    const text = renderWalk(w, { colour: false });
    // a cuts its request for the path MTU r taught it; b cuts its reply for vb's MTU.
    expect(text).toContain(
      "sent on va as 2 fragments (1396 and 52 bytes): longer than the path MTU of 1400 learned for its destination",
    );
    expect(text).toContain(
      "sent on vb as 2 fragments (1396 and 52 bytes): longer than its MTU of 1400",
    );
    expect(text.match(/fragments/g)).toHaveLength(2);
  });

  it("a container is named in the walk and in walk --diagram's topology and sequence", async () => {
    const lab = script(
      [
        "docker network create --subnet 10.50.0.0/24 back",
        "docker run -d --name api --network back alpine nc -lk 80",
        "",
      ].join("\n"),
    );
    expect(await run("walk", lab, "--", "nc", "-z", "-w1", "10.50.0.2", "80")).toBe(0);
    expect(captured.out).toContain("delivered to nc on TCP port 80 in api (container) on eth0");
    expect(captured.out).toMatch(/\n {2}api \(container\) +in on eth0 from \(root\)/);
    captured.out = "";
    expect(await run("walk", "--diagram", lab, "--", "nc", "-z", "-w1", "10.50.0.2", "80")).toBe(0);
    expect(captured.out).toContain('subgraph ns_api_20_28container_29 ["api (container)"]');
    expect(captured.out).toContain("participant p_ns_3aapi_20_28container_29 as api (container)");
    // The probe's path runs through the container's eth0 (drawn orange).
    expect(captured.out).toMatch(/class [^\n]*n_api_20_28container_29__eth0[^\n]* path/);
  });
});
