// Docker containers drawn by name: their namespaces are not `ip netns` names, so inspect()
// does not list them; what docker says of them (docker ps, inspect, exec ip) is merged in.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dockerContainers } from "../../src/cli/docker-containers.js";
import { loadScript } from "../../src/cli/load-script.js";
import { runLab } from "../../src/compare/lab-run.js";
import { parseContainer, withContainers } from "../../src/diagram/containers.js";
import { topologyChart } from "../../src/diagram/topology-chart.js";
import { topologyText } from "../../src/diagram/topology-text.js";
import { BUILTIN_PROFILES } from "../../src/sim/profile.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

const LABS = join(import.meta.dirname, "..", "labs");

async function containersOf(lab: string) {
  const script = loadScript(join(LABS, lab));
  const sim = new SimBackend({ profile: BUILTIN_PROFILES["docker-host"]!, seed: 1 });
  try {
    await runLab(script.commands, sim);
    const topo = await sim.inspect();
    return { topo, containers: await dockerContainers(sim, script.commands) };
  } finally {
    await sim.close();
  }
}

describe("docker containers in the topology", () => {
  it("parses what ip prints in a container", () => {
    const c = parseContainer(
      "web",
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n" +
        "7: eth0@if8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\n",
      "1: lo    inet 127.0.0.1/8 scope host lo\n7: eth0    inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0\n",
      "default via 172.17.0.1 dev eth0 \n",
    );
    expect(c.devices.map((d) => [d.name, d.peerIfindex, d.up, d.carrier])).toEqual([
      ["lo", undefined, true, true],
      ["eth0", 8, true, true],
    ]);
    expect(c.devices[1]!.addresses).toEqual([{ address: "172.17.0.2", prefixlen: 16 }]);
    expect(c.gateway).toEqual({ via: "172.17.0.1", dev: "eth0" });
  });

  it("draws docker-01's web as a group joined to its host veth on docker0", async () => {
    const { topo, containers } = await containersOf("docker-01-default-bridge.lab");
    expect(containers.map((c) => c.name)).toEqual(["web"]);
    const merged = withContainers(topo, containers);
    const root = merged.namespaces.find((n) => n.id === "")!;
    const hostEnd = root.devices.find((d) => d.master === "docker0" && d.kind === "veth")!;
    expect(hostEnd.peer).toEqual({ ns: "web (container)", name: "eth0" });
    const mmd = topologyChart(merged);
    expect(mmd).toContain('subgraph ns_web_20_28container_29 ["web (container)"]');
    expect(mmd).toContain("eth0<br/>172.17.0.2/16<br/>default via 172.17.0.1");
    expect(mmd).toContain(`r__${hostEnd.name} === n_web_20_28container_29__eth0`);
    expect(topologyText(merged)).toMatch(
      /^web \(container\)\n {2}eth0 172\.17\.0\.2\/16 UP <-> veth/m,
    );
  });

  it("draws a namespace once: --network host and container:X add no group", async () => {
    const { containers } = await containersOf("docker-07-modes.lab");
    expect(containers.map((c) => c.name)).toEqual(["named", "nonet", "sys", "web"]);
    expect(containers.find((c) => c.name === "nonet")!.devices.map((d) => d.name)).toEqual(["lo"]);
  });

  it("asks docker nothing when the lab ran no docker line", async () => {
    const sim = new SimBackend({ profile: BUILTIN_PROFILES["docker-host"]!, seed: 1 });
    try {
      expect(
        await dockerContainers(sim, loadScript(join(LABS, "nf-05-masquerade.lab")).commands),
      ).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
