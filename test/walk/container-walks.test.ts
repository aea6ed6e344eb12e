// Walks that start in or pass through a Docker container: the kernel traces the
// container's own namespace too (dockerd's /run/docker/netns file, entered with nsenter)
// and names it as the simulator does, "web (container)"; walked with --compare, the two
// agree packet for packet in every namespace.
import { describe, expect, it } from "vitest";
import { normaliseDockerText } from "../../src/compare/docker-normalise.js";
import { normaliseText } from "../../src/compare/normalise.js";
import { parseScript } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { parseInspect } from "../../src/real/docker/container-netns.js";
import { stepText } from "../../src/walk/compare-nf.js";
import { parseProbe, probeNs } from "../../src/walk/probe.js";
import { runWalk } from "../../src/walk/run-walk.js";
import type { Walk } from "../../src/walk/types.js";

// Two containers on a user network (172.18.0.0/16, br-<id>): ca pings cb.
const USER_NET = [
  "docker network create n1",
  "docker run -d --name ca --network n1 alpine",
  "docker run -d --name cb --network n1 alpine nc -lk 80",
];
const PING = "docker exec ca ping -c 1 -W 1 172.18.0.3";

// The default bridge (docker0, 172.17.0.0/16): no chains of dockerd's in the containers.
const DEFAULT_BRIDGE = ["docker run -d --name c1 alpine", "docker run -d --name c2 alpine"];
const PING_DEFAULT = "docker exec c1 ping -c 1 -W 1 172.17.0.3";

// A LAN host (namespace lan, 192.0.2.2) reaches web's published port on the host's
// 192.0.2.1: PREROUTING DNAT to web on the user network.
const PUBLISHED = [
  "ip netns add lan",
  "ip link add veth-lan type veth peer name eth0 netns lan",
  "ip addr add 192.0.2.1/24 dev veth-lan",
  "ip link set veth-lan up",
  "ip -n lan addr add 192.0.2.2/24 dev eth0",
  "ip -n lan link set eth0 up",
  "docker network create n1",
  "docker run -d --name web --network n1 -p 8080:80 alpine nc -lk 80",
];
const REACH = "ip netns exec lan nc -z -w1 192.0.2.1 8080";
// And web pings the LAN host: out through FORWARD, MASQUERADE to 192.0.2.1.
const OUT = "docker exec web ping -c 1 -W 1 192.0.2.2";

function scriptOf(lines: string[]): ReturnType<typeof parseScript>["script"] {
  const { script, errors } = parseScript(lines.join("\n"), "t.lab");
  expect(errors).toEqual([]);
  return script;
}

/** The chains a namespace's packets crossed, packet by packet. */
function pathsIn(packets: NonNullable<Walk["kernel"]>["netfilter"], ns: string): string[][] {
  return packets.filter((p) => p.ns === ns && p.steps.length > 0).map((p) => p.steps.map(stepText));
}

describe("a container's namespace in walks", () => {
  it("docker inspect lines: a container with a namespace of its own, by name; host and container:X modes left out", () => {
    const text = [
      "/web\tn1\t/run/docker/netns/0a1b2c3d4e5f",
      "/side\tcontainer:0123abcd\t",
      "/hostly\thost\t/run/docker/netns/default",
      "/ca\tbridge\t/run/docker/netns/ffeeddccbbaa",
      "",
    ].join("\n");
    expect(parseInspect(text)).toEqual([
      { name: "ca (container)", path: "/run/docker/netns/ffeeddccbbaa" },
      { name: "web (container)", path: "/run/docker/netns/0a1b2c3d4e5f" },
    ]);
  });

  it("a docker exec probe runs in the container, as walks name it", () => {
    expect(probeNs(parseProbe(PING.split(" ")))).toBe("ca (container)");
    expect(probeNs(parseProbe(REACH.split(" ")))).toBe("lan");
    expect(() => parseProbe("docker exec ca cat /etc/hosts".split(" "))).toThrow(/ping or an nc/);
  });

  it("the simulator's walk of a ping between containers on a user network: nat OUTPUT in ca, the bridge's FORWARD in the root", async () => {
    const w = await runWalk(scriptOf(USER_NET), parseProbe(PING.split(" ")), {
      sim: new SimBackend(),
    });
    expect(w.sim?.probe).toMatchObject({ ns: "ca (container)", exit: 0 });
    const fates = w.sim!.packets.map((p) => p.fate);
    expect(fates).toContainEqual(expect.objectContaining({ ns: "cb (container)" }));
  });
});

describe("container walks against the kernel's trace", () => {
  for (const [name, lines, probe] of [
    ["ping from a container to another on a user network", USER_NET, PING],
    ["ping from a container to another on the default bridge", DEFAULT_BRIDGE, PING_DEFAULT],
    ["a LAN namespace reaches a published port of a container on a user network", PUBLISHED, REACH],
    ["a container on a user network pings a LAN namespace, masqueraded", PUBLISHED, OUT],
  ] as const) {
    it(name, async () => {
      const sim = new SimBackend();
      const kernel = await KernelBackend.start();
      try {
        const w = await runWalk(scriptOf([...lines]), parseProbe(probe.split(" ")), {
          sim,
          kernel,
        });
        expect(w.setupFailures).toEqual([]);
        expect(w.kernel?.warnings).toEqual([]);
        expect(w.comparison?.differences).toEqual([]);
        expect(w.comparison).toMatchObject({ probeMatch: true, netfilterMatch: true });
        // Counters may differ by one pure ACK after a TCP close (the server's delayed ACK
        // or its FIN first, as in six-walks.test.ts); the rules must still be the same.
        const uncounted = (t: string): string =>
          normaliseText(normaliseDockerText(t)).replace(/^\[\d+:\d+\] /gm, "");
        const differing = w.comparison?.state.filter(
          (s) =>
            !s.match &&
            !(s.command.endsWith("iptables-save -c") && uncounted(s.sim) === uncounted(s.kernel)),
        );
        expect(differing?.map((s) => `${s.command}\nsim:\n${s.sim}kernel:\n${s.kernel}`)).toEqual(
          [],
        );
        const far = { [PING]: "cb", [PING_DEFAULT]: "c2", [REACH]: "web", [OUT]: "web" }[probe];
        // That state includes the containers' own (read through their PIDs, both sides).
        expect(w.comparison?.state.map((s) => s.command)).toContain(
          `nsenter -t $(docker inspect -f '{{.State.Pid}}' ${far}) -n conntrack -L -p icmp`,
        );
        // The kernel traced inside the containers, under the simulator's names: packets
        // are seen there even where no chain of the container's own decides anything.
        const namespaces = new Set(w.kernel!.netfilter.map((p) => p.ns));
        expect(namespaces).toContain(`${far} (container)`);
        if (probe === PING || probe === OUT) {
          // The echo request is the container's first packet of a flow: it goes through
          // the nat chains dockerd made there for its embedded DNS server.
          const from = probe === PING ? "ca (container)" : "web (container)";
          expect(pathsIn(w.kernel!.netfilter, from)[0]).toEqual([
            "nat OUTPUT policy ACCEPT",
            "nat POSTROUTING policy ACCEPT",
          ]);
        }
      } finally {
        await kernel.close();
      }
    });
  }
});
