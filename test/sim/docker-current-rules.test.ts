// Current Docker (Engine v29): the simulated daemon's `iptables -S` per table equals the
// listing moby's own golden test captured for each configuration (copies of
// ../shared/reference/docker-current-rules/ in test/sim/docker-current-rules/).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseLine } from "../../src/script/parse.js";
import { setDaemonConfig } from "../../src/sim/docker/daemon.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

const DIR = "test/sim/docker-current-rules";

/** The `iptables -S -t TABLE` listing of a reference file, or undefined when not captured. */
function reference(file: string, table: string): string | undefined {
  const text = readFileSync(`${DIR}/${file}.txt`, "utf8");
  const head = `==== ${table}: iptables -S -t ${table}\n`;
  const at = text.indexOf(head);
  if (at < 0) return undefined;
  const rest = text.slice(at + head.length);
  const end = rest.search(/^(====|notes:)/m);
  return `${(end < 0 ? rest : rest.slice(0, end)).trim()}\n`;
}

const NET = "--subnet 192.0.2.0/24 --gateway 192.0.2.1";

const CASES: { file: string; proxy?: boolean; lines: string[] }[] = [
  { file: "new-daemon", lines: [] },
  {
    file: "usernet-portmap",
    lines: [
      `docker network create -o com.docker.network.bridge.name=bridge1 ${NET} bridge1`,
      "docker run -d --name c1 --network bridge1 -p 8080:80 busybox",
    ],
  },
  {
    file: "usernet-portmap-noproxy",
    proxy: false,
    lines: [
      `docker network create -o com.docker.network.bridge.name=bridge1 ${NET} bridge1`,
      "docker run -d --name c1 --network bridge1 -p 8080:80 busybox",
    ],
  },
  {
    file: "usernet-portmap-noicc",
    lines: [
      `docker network create -o com.docker.network.bridge.name=bridge1 -o com.docker.network.bridge.enable_icc=false ${NET} bridge1`,
      "docker run -d --name c1 --network bridge1 -p 8080:80 busybox",
    ],
  },
  {
    file: "usernet-internal",
    lines: [
      `docker network create --internal -o com.docker.network.bridge.name=bridgeICC ${NET} bridgeICC`,
      "docker run -d --name c1 --network bridgeICC busybox",
      "docker network create --internal -o com.docker.network.bridge.name=bridgeNoICC -o com.docker.network.bridge.enable_icc=false --subnet 198.51.100.0/24 --gateway 198.51.100.1 bridgeNoICC",
      "docker run -d --name c2 --network bridgeNoICC busybox",
    ],
  },
  {
    file: "usernet-portmap-lo",
    lines: [
      // docker-proxy binds 127.0.0.1: the host's lo must be up.
      "ip link set lo up",
      `docker network create -o com.docker.network.bridge.name=bridge1 ${NET} bridge1`,
      "docker run -d --name c1 --network bridge1 -p 127.0.0.1:8080:80 busybox",
    ],
  },
];

describe("current Docker's rules (v29 profile) equal moby's reference listings", () => {
  for (const c of CASES) {
    it(c.file, async () => {
      const sim = new SimBackend();
      setDaemonConfig(sim.world, { userlandProxy: c.proxy ?? true, profile: "29" });
      // The reference daemon found forwarding on: FORWARD's policy stays ACCEPT.
      const run = async (l: string): Promise<string> => {
        const r = await sim.run(parseLine(l, 1)!);
        expect(r.exit, `${l}: ${r.stderr}`).toBe(0);
        return r.stdout;
      };
      await run("sysctl -w net.ipv4.ip_forward=1");
      await run("docker network ls");
      for (const l of c.lines) await run(l);
      for (const table of ["filter", "nat", "raw"]) {
        const want = reference(c.file, table);
        if (want === undefined) continue;
        expect(await run(`iptables -S -t ${table}`), `${c.file} ${table}`).toBe(want);
      }
    });
  }
});
