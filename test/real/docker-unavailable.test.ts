// Without docker.io (or without root), docker lines on the kernel are refused with what
// doctor says, and nothing is started: no sandbox is needed to see it.
import { describe, expect, it } from "vitest";
import { DockerLines } from "../../src/real/docker/docker-lines.js";
import { DOCKER_INSTALL_HINT, DOCKERD } from "../../src/real/docker/paths.js";
import type { Sandbox } from "../../src/real/sandbox.js";
import { lab } from "./helpers.js";

describe("docker lines without docker.io", () => {
  it("are refused with how to install it, and touch no sandbox", async () => {
    const untouched = new Proxy({} as Sandbox, {
      get: (_t, p) => {
        throw new Error(`the sandbox was used: ${String(p)}`);
      },
    });
    // What dockerUnavailable() says on a machine without the daemon.
    const lines = new DockerLines(untouched, {
      unavailable: () => `${DOCKER_INSTALL_HINT}; missing: ${DOCKERD}`,
    });
    const r = await lines.run(lab("docker run -d --name web nginx"), 30_000);
    expect(r.exit).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`packetwalk: ${DOCKER_INSTALL_HINT}; missing: /usr/sbin/dockerd\n`);
    expect(DOCKER_INSTALL_HINT).toContain("apt-get install docker.io");
    expect(await lines.timings()).toBeUndefined();
  });
});
