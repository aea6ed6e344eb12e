// Docker walks on the kernel traced only where the simulator predicts the probe goes: the
// containers' namespaces are found by name (the kernel's /run/docker/netns/<id> files),
// the walk equals the one traced everywhere, and containers off the probe's way are left
// out. And after a walk the state inside the containers' namespaces is compared too: a
// simulator that forgets what the probe left in a container is caught.
import { describe, expect, it } from "vitest";
import type { SimTraceAccount, TraceOptions, Traced } from "../../src/backend.js";
import { normaliseDockerText } from "../../src/compare/docker-normalise.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { parseLine, parseScript } from "../../src/script/parse.js";
import type { LabCommand } from "../../src/script/types.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { parseProbe } from "../../src/walk/probe.js";
import { runWalk } from "../../src/walk/run-walk.js";
import type { Walk } from "../../src/walk/types.js";
import { kernelHops } from "./kernel-hops.js";

// Four containers on n1 and one on the default bridge; a LAN namespace reaches web's
// published port (DNAT in the root). Only ca, cb (the ping) or web (the LAN's nc) are
// on a probe's way.
const LAB = [
  "ip netns add lan",
  "ip link add veth-lan type veth peer name eth0 netns lan",
  "ip addr add 192.0.2.1/24 dev veth-lan",
  "ip link set veth-lan up",
  "ip -n lan addr add 192.0.2.2/24 dev eth0",
  "ip -n lan link set eth0 up",
  "docker network create n1",
  "docker run -d --name ca --network n1 alpine",
  "docker run -d --name cb --network n1 alpine nc -lk 80",
  "docker run -d --name cc --network n1 alpine",
  "docker run -d --name web --network n1 -p 8080:80 alpine nc -lk 80",
  "docker run -d --name c0 alpine",
].join("\n");
const PING = "docker exec ca ping -c 1 -W 1 172.18.0.3";
const REACH = "ip netns exec lan nc -z -w1 192.0.2.1 8080";
const ALL = [
  "",
  "c0 (container)",
  "ca (container)",
  "cb (container)",
  "cc (container)",
  "lan",
  "web (container)",
];

async function walk(
  probe: string,
  scoped: boolean,
  sim: SimBackend = new SimBackend(),
): Promise<Walk> {
  const { script, errors } = parseScript(LAB, "docker-scope.lab");
  expect(errors).toEqual([]);
  const kernel = await KernelBackend.start();
  try {
    const predictor = scoped ? { predictor: new SimBackend() } : {};
    return await runWalk(script, parseProbe(probe.split(" ")), { sim, kernel, ...predictor });
  } finally {
    await kernel.close();
  }
}

/**
 * The kernel's trace with what two sandboxes draw differently folded: nc's ephemeral port,
 * the user network's bridge br-<id> in rule texts (and a delayed ACK, kernelHops).
 */
const hops = (w: Walk) =>
  kernelHops(
    w,
    (p) =>
      JSON.parse(
        normaliseDockerText(
          JSON.stringify({
            ...p,
            sport: p.sport === undefined || p.sport < 32768 ? p.sport : "ephemeral",
            dport: p.dport === undefined || p.dport < 32768 ? p.dport : "ephemeral",
          }),
        ),
      ) as unknown,
  );

const stateNs = (w: Walk): string[] => [
  ...new Set(
    w.comparison!.state.map(
      (s) =>
        /^ip netns exec (\S+)/.exec(s.command)?.[1] ??
        /'\{\{\.State\.Pid\}\}' (\S+)\)/.exec(s.command)?.[1] ??
        "",
    ),
  ),
];

describe.concurrent("a docker walk traced where the probe goes", () => {
  for (const [name, probe, scope] of [
    ["ca pings cb on n1", PING, ["", "ca (container)", "cb (container)"]],
    ["the LAN reaches web's published port", REACH, ["", "lan", "web (container)"]],
  ] as const) {
    it(`${name}: the same walk as traced everywhere, other containers left out`, async () => {
      const [all, scoped] = await Promise.all([walk(probe, false), walk(probe, true)]);
      expect(all.setupFailures).toEqual([]);
      expect(all.kernel?.tracing).toBe("all");
      expect(all.kernel?.traced).toEqual(ALL);
      expect(scoped.kernel?.tracing).toBe("predicted");
      expect(scoped.kernel?.traced).toEqual(scope);
      for (const w of [all, scoped]) {
        expect(w.kernel?.warnings).toEqual([]);
        expect(w.comparison?.differences).toEqual([]);
        expect(w.comparison).toMatchObject({ probeMatch: true, netfilterMatch: true });
      }
      // Hop by hop, the kernel's trace is the same; the far end was traced in both.
      expect(hops(scoped)).toEqual(hops(all));
      expect(scoped.kernel!.netfilter.some((p) => p.ns === scope[2])).toBe(true);
      // State is read where the probe was traced: the containers on its way too.
      expect(stateNs(scoped)).toEqual(scope.map((n) => n.replace(" (container)", "")));
      expect(stateNs(all)).toEqual(["", "lan", "c0", "ca", "cb", "cc", "web"]);
    });
  }
});

/** A predictor that publishes 8080 on cc instead of web: a wrong prediction. */
class MisledSim extends SimBackend {
  override run(cmd: LabCommand): ReturnType<SimBackend["run"]> {
    const text = cmd.text.includes("--name web")
      ? cmd.text.replace("-p 8080:80 ", "")
      : cmd.text.includes("--name cc")
        ? cmd.text.replace("--network n1", "--network n1 -p 8080:80")
        : undefined;
    return super.run(text === undefined ? cmd : parseLine(text, cmd.line, "misled")!);
  }
}

describe("a docker walk whose prediction was wrong", () => {
  it("the kernel's packets went into web, which was not traced: the walk names it", async () => {
    const { script } = parseScript(LAB, "docker-scope.lab");
    const kernel = await KernelBackend.start();
    let w: Walk;
    try {
      w = await runWalk(script, parseProbe(REACH.split(" ")), {
        kernel,
        predictor: new MisledSim(),
      });
    } finally {
      await kernel.close();
    }
    expect(w.kernel?.tracing).toBe("predicted");
    expect(w.kernel?.traced).toEqual(["", "cc (container)", "lan"]);
    const warnings = w.kernel!.warnings.join("\n");
    expect(warnings).toMatch(
      /packets left \(root\) by veth[0-9a-f]{7} into web \(container\), .*not traced/,
    );
    expect(warnings).toMatch(
      /the simulator's packets went through cc \(container\), the kernel's did not/,
    );
  });
});

/** A simulator that forgets the neighbour entry the probe made in ca: a wrong expectation. */
class ForgetfulSim extends SimBackend {
  override async trace(cmd: LabCommand, opts?: TraceOptions): Promise<Traced<SimTraceAccount>> {
    const traced = await super.trace(cmd, opts);
    // From the host: a container's own process lacks CAP_NET_ADMIN (docker exec cannot flush).
    const flush = "nsenter -t $(docker inspect -f '{{.State.Pid}}' ca) -n ip neigh flush all";
    await this.run(parseLine(flush, 0, "forgetful")!);
    return traced;
  }
}

describe("the state a walk left inside containers, compared", () => {
  it("a simulator that forgets ca's neighbour entry for cb is caught; the rest agrees", async () => {
    const w = await walk(PING, true, new ForgetfulSim());
    const neigh = "nsenter -t $(docker inspect -f '{{.State.Pid}}' ca) -n ip neigh show";
    const wrong = w.comparison!.state.filter((s) => !s.match);
    expect(wrong.map((s) => s.command)).toEqual([neigh]);
    expect(wrong[0]!.kernel).toMatch(/^172\.18\.0\.3 dev eth0 lladdr 02:42:ac:12:00:03/m);
    expect(wrong[0]!.sim).not.toMatch(/172\.18\.0\.3/);
    // Read in the containers with the host's tools: conntrack and iptables-save too.
    const commands = w.comparison!.state.map((s) => s.command);
    expect(commands).toContain(
      "nsenter -t $(docker inspect -f '{{.State.Pid}}' cb) -n iptables-save -c",
    );
    expect(commands).toContain(
      "nsenter -t $(docker inspect -f '{{.State.Pid}}' ca) -n conntrack -L -p icmp",
    );
  });
});
