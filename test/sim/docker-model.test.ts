// The simulated daemon's model: libnetwork's rules (IPAM, a network with endpoints, what
// a stopped container keeps), the order of what it does to the kernel, and the Go
// templates of --format. Behaviour checked against the real dockerd is in
// docker-captures.test.ts; these pin the rules themselves.
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../../src/backend.js";
import { parseLine } from "../../src/script/parse.js";
import { AddressSpace, IpamError, parseSubnet } from "../../src/sim/docker/ipam.js";
import { runTemplate, GoMap, TemplateError } from "../../src/sim/docker/template.js";
import { Dockerd } from "../../src/sim/docker/daemon.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

async function lab(lines: string[]): Promise<{ sim: SimBackend; out: CommandResult[] }> {
  const sim = new SimBackend();
  const out: CommandResult[] = [];
  for (const l of lines) out.push(await sim.run(parseLine(l, 1)!));
  return { sim, out };
}

const ip = (a: number): string => [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");

describe("IPAM (libnetwork's default driver)", () => {
  it("hands out the lowest free address, never one that is held, and takes releases back", () => {
    const space = new AddressSpace();
    const pool = space.requestPool(parseSubnet("10.0.0.0/29")!);
    const got = [pool.allocate(), pool.allocate(), pool.allocate()].map(ip);
    expect(got).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    pool.release(parseSubnet("10.0.0.2/32")!.addr);
    expect(ip(pool.allocate())).toBe("10.0.0.2");
    expect(() => pool.claim(parseSubnet("10.0.0.3/32")!.addr)).toThrow("Address already in use");
    // .4 .5 .6 left, .7 is the broadcast address.
    for (let i = 0; i < 3; i++) pool.allocate();
    expect(() => pool.allocate()).toThrow(IpamError);
  });

  it("refuses overlapping pools and skips used defaults", () => {
    const space = new AddressSpace();
    space.requestPool(parseSubnet("172.18.0.0/16")!);
    expect(() => space.requestPool(parseSubnet("172.18.5.0/24")!)).toThrow(
      "Pool overlaps with other one on this address space",
    );
    const a = space.defaultPool();
    const b = space.defaultPool();
    expect([a, b].map((p) => `${ip(p.subnet.addr)}/${p.subnet.plen}`)).toEqual([
      "172.17.0.0/16",
      "172.19.0.0/16",
    ]);
  });
});

describe("libnetwork's lifecycle rules", () => {
  it("a network with endpoints cannot be removed; once they leave it can", async () => {
    const { out } = await lab([
      "docker network create n1",
      "docker run -d --name c1 --network n1 alpine",
      "docker network rm n1",
      "docker stop -t 0 c1",
      "docker network rm n1",
    ]);
    expect(out[2]!.exit).toBe(1);
    expect(out[2]!.stderr).toMatch(/has active endpoints/);
    expect(out[4]).toMatchObject({ exit: 0, stdout: "n1\n" });
  });

  it("connecting a stopped container changes only its configuration; start joins it", async () => {
    const { sim, out } = await lab([
      "docker network create n1",
      "docker create --name c1 alpine",
      "docker network connect n1 c1",
      "ip link show type veth",
      "docker start c1",
      "docker exec c1 ip -4 -o addr",
    ]);
    expect(out[2]!.performed).toBeUndefined();
    expect(out[3]!.stdout).toBe("");
    expect(out[5]!.stdout).toMatch(/eth0 +inet 172\.17\.0\.2\/16/);
    expect(out[5]!.stdout).toMatch(/eth1 +inet 172\.18\.0\.2\/16/);
    const d = sim.world.dockerd as Dockerd;
    expect(d.containers[0]!.endpoints.map((e) => e.actor.getSnapshot().value)).toEqual([
      "joined",
      "joined",
    ]);
  });

  it("the sandbox goes when the container stops; the address is free again", async () => {
    const { sim, out } = await lab([
      "docker run -d --name c1 alpine",
      "docker stop -t 0 c1",
      "ip link show type veth",
      "docker run -d --name c2 alpine",
      "docker inspect -f '{{.NetworkSettings.IPAddress}}' c2",
    ]);
    expect(out[2]!.stdout).toBe("");
    expect(out[4]!.stdout).toBe("172.17.0.2\n");
    const d = sim.world.dockerd as Dockerd;
    expect(d.containers[0]!.sandbox).toBeUndefined();
    expect(d.containers[0]!.actor.getSnapshot().value).toBe("exited");
  });

  it("does the bridge driver's steps in dockerd's order", async () => {
    const { out } = await lab(["docker run -d --name web -p 8080:80 alpine"]);
    const ops = out[0]!.performed!.map((o) => o.text);
    const at = (re: RegExp): number => ops.findIndex((t) => re.test(t));
    const order = [
      /^sysctl -w net.ipv4.ip_forward=1$/,
      /^iptables -P FORWARD DROP$/,
      /^ip link add docker0 address 02:42:/,
      /^iptables -N DOCKER-USER$/,
      /^\(a new network namespace/,
      /^ip link add veth[0-9a-f]{7} txqueuelen 0 type veth peer name veth[0-9a-f]{7}/,
      /^ip link set veth[0-9a-f]{7} master docker0$/,
      /^ip link set veth[0-9a-f]{7} netns \/run\/docker\/netns\/[0-9a-f]{12}$/,
      /^ip link set veth[0-9a-f]{7} name eth0$/,
      /^ip link set eth0 address 02:42:ac:11:00:02$/,
      /^ip addr add 172.17.0.2\/16 brd \+ dev eth0$/,
      /^ip route add default via 172.17.0.1 dev eth0$/,
      /-j DNAT --to-destination 172.17.0.2:80$/,
      /^docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080/,
    ].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe("Go templates (--format)", () => {
  const dot = {
    Name: "/web",
    State: { Running: true, ExitCode: 0 },
    NetworkSettings: {
      Networks: new GoMap([
        ["n1", { IPAddress: "172.18.0.2" }],
        ["bridge", { IPAddress: "172.17.0.2" }],
      ]),
      Ports: new GoMap([["80/tcp", [{ HostIp: "0.0.0.0", HostPort: "8080" }]]]),
    },
  };

  it("prints fields, ranges over maps in key order, and json", () => {
    expect(runTemplate("{{.Name}} {{.State.Running}} {{.State.ExitCode}}", dot)).toBe(
      "/web true 0",
    );
    expect(
      runTemplate(
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}",
        dot,
      ),
    ).toBe("bridge=172.17.0.2 n1=172.18.0.2 ");
    expect(runTemplate("{{range .NetworkSettings.Networks}}{{.IPAddress}},{{end}}", dot)).toBe(
      "172.17.0.2,172.18.0.2,",
    );
    expect(runTemplate("{{json .NetworkSettings.Ports}}", dot)).toBe(
      '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}',
    );
    expect(runTemplate("{{.NetworkSettings.Networks.n1.IPAddress}}", dot)).toBe("172.18.0.2");
    expect(runTemplate("{{.Nope}}", dot)).toBe("<no value>");
  });

  it("refuses what it cannot parse", () => {
    expect(() => runTemplate("{{range .Name}}", dot)).toThrow(TemplateError);
    expect(() => runTemplate('{{printf "%s" .Name}}', dot)).toThrow(TemplateError);
  });
});

describe("snapshots of a world with docker in it", () => {
  it("replay gives the same ids, addresses and output after a restore", async () => {
    const lines = [
      "docker network create n1",
      "docker run -d --name ca --network n1 alpine nc -lk 80",
      "docker run -d --name cb --network n1 -p 8080:80 alpine",
      "docker exec cb nc -zv -w 1 ca 80",
      "docker stop cb",
      "docker ps -a",
      "iptables-save",
      "ip link",
    ].map((l) => parseLine(l, 1)!);
    const sim = new SimBackend();
    for (const c of lines.slice(0, 3)) await sim.run(c);
    const snap = sim.snapshot();
    const first: CommandResult[] = [];
    for (const c of lines.slice(3)) first.push(await sim.run(c));
    await sim.restore(snap);
    const again: CommandResult[] = [];
    for (const c of lines.slice(3)) again.push(await sim.run(c));
    expect(again).toEqual(first);
  });
});
