// Docker containers drawn by name, alike in both backends: what docker says of them
// (src/cli/docker-containers.ts) merged into each backend's inspect(), the same picture
// but for the host veths' random names. Real kernel and dockerd: run under the kernel lock.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dockerContainers } from "../../src/cli/docker-containers.js";
import { loadScript } from "../../src/cli/load-script.js";
import { runLab } from "../../src/compare/lab-run.js";
import { withContainers } from "../../src/diagram/containers.js";
import { topologyChart } from "../../src/diagram/topology-chart.js";
import type { Backend } from "../../src/backend.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { readMachineProfile } from "../../src/real/preflight.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

const LAB = join(import.meta.dirname, "..", "labs", "docker-07-modes.lab");

async function draw(backend: Backend): Promise<string> {
  const script = loadScript(LAB);
  try {
    await runLab(script.commands, backend);
    const topo = withContainers(
      await backend.inspect(),
      await dockerContainers(backend, script.commands),
    );
    // dockerd names host veths at random: number them in the order they are drawn.
    const names = new Map<string, string>();
    return topologyChart(topo, { order: [] }).replace(/veth[0-9a-f]{7}/g, (v) => {
      if (!names.has(v)) names.set(v, `veth${names.size}`);
      return names.get(v)!;
    });
  } finally {
    await backend.close();
  }
}

describe("docker containers in the topology: simulator vs kernel", () => {
  it("docker-07-modes draws the same containers, joined the same way", async () => {
    const sim = await draw(new SimBackend({ profile: readMachineProfile() }));
    const kernel = await draw(await KernelBackend.start());
    expect(sim).toContain('["web (container)"]');
    expect(sim).toContain("r__veth0 === n_web_20_28container_29__eth0");
    expect(kernel).toEqual(sim);
  });
});
