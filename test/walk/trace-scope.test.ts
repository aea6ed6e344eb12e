// Where a kernel walk traces (src/walk/trace-scope.ts), decided in the simulator and held
// against what the kernel reports; and the egress watch's nft text. No kernel here.
import { describe, expect, it } from "vitest";
import { runLab } from "../../src/compare/lab-run.js";
import { egressPeers, parseVeths } from "../../src/real/egress-peers.js";
import type { Sandbox } from "../../src/real/sandbox.js";
import { egressTableScript, parseSeenSets } from "../../src/real/egress-watch.js";
import { parseScript } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { parseProbe } from "../../src/walk/probe.js";
import {
  predictable,
  predictScope,
  scopeWarnings,
  untracedSimWarnings,
  type TraceScope,
} from "../../src/walk/trace-scope.js";
import { OFF_PATH_LAB } from "./off-path-lab.js";

async function scope(probe: string): Promise<TraceScope> {
  const { script, errors } = parseScript(OFF_PATH_LAB, "off-path");
  expect(errors).toEqual([]);
  const sim = new SimBackend();
  const lines = await runLab(script.commands, sim);
  expect(lines.filter((l) => l.result.exit !== 0)).toEqual([]);
  return predictScope(sim, parseProbe([probe]));
}

const ok = { exit: 0, stdout: "", stderr: "" };

describe("the predicted scope of a kernel trace", () => {
  it("a ping from a to b through the host: a, the host and b; x1 and x2 (ARP only) left out", async () => {
    const s = await scope("ip netns exec a ping -c1 -W1 10.1.0.2");
    expect(s.namespaces).toEqual(["", "a", "b"]);
    expect(s.predicted).toEqual({ exit: 0, stacks: ["", "a", "b"] });
    expect(s.exits).toEqual([
      { ns: "", dev: "vx1", to: "x1" },
      { ns: "", dev: "vx2", to: "x2" },
    ]);
  });

  it("a DNATed destination: the namespace the packets went to, though no address names it", async () => {
    const s = await scope("ip netns exec a ping -c1 -W1 10.9.9.9");
    expect(s.namespaces).toEqual(["", "a", "b"]);
  });

  it("the probe's destination is traced even when the simulator's packets never reach it", async () => {
    const s = await scope("ip netns exec x2 ping -c1 -W1 10.0.0.11");
    expect(s.namespaces).toEqual(["", "x1", "x2"]);
  });
});

describe("when a prediction may scope the trace", () => {
  const lines = (text: string) => parseScript(text, "t").script.commands;
  it("with docker too: containers' namespaces are named alike on both sides", () => {
    const probe = parseProbe(["ping -c1 10.0.0.2"]);
    expect(predictable(lines(OFF_PATH_LAB), probe)).toBe(true);
    expect(predictable(lines("docker network create n\n"), probe)).toBe(true);
    expect(predictable(lines(OFF_PATH_LAB), parseProbe(DOCKER_PING.split(" ")))).toBe(true);
  });
});

// Four containers on a user network and one on the default bridge: ca pings cb.
const DOCKER_LAB = [
  "docker network create n1",
  "docker run -d --name ca --network n1 alpine",
  "docker run -d --name cb --network n1 alpine",
  "docker run -d --name cc --network n1 alpine",
  "docker run -d --name cd --network n1 alpine",
  "docker run -d --name c0 alpine",
].join("\n");
const DOCKER_PING = "docker exec ca ping -c 1 -W 1 172.18.0.3";

async function dockerScope(probe: string): Promise<TraceScope> {
  const { script, errors } = parseScript(DOCKER_LAB, "docker");
  expect(errors).toEqual([]);
  const sim = new SimBackend();
  const lines = await runLab(script.commands, sim);
  expect(lines.filter((l) => l.result.exit !== 0)).toEqual([]);
  return predictScope(sim, parseProbe(probe.split(" ")), script.commands);
}

describe("the predicted scope of a walk among containers", () => {
  it("a ping from ca to cb: the root and the two containers, by the names traces give them", async () => {
    const s = await dockerScope(DOCKER_PING);
    expect(s.namespaces).toEqual(["", "ca (container)", "cb (container)"]);
    expect(s.predicted).toEqual({ exit: 0, stacks: ["", "ca (container)", "cb (container)"] });
  });

  it("the probe's destination container is traced though the simulator's packets never reach it", async () => {
    // The default bridge and n1 are isolated from each other: the packets die in the root.
    const s = await dockerScope("docker exec c0 ping -c 1 -W 1 172.18.0.4");
    expect(s.predicted.exit).toBe(1);
    expect(s.namespaces).toEqual(["", "c0 (container)", "cc (container)"]);
  });

  it("the kernel says where a device led: a container not traced is named; a traced one is fine", async () => {
    const s = await dockerScope(DOCKER_PING);
    const netfilter = s.predicted.stacks.map((ns) => ({ ns }));
    const traced = s.namespaces;
    const quiet = scopeWarnings(s, {
      result: ok,
      netfilter,
      traced,
      egress: [
        { ns: "", dev: "veth1234567", to: "cb (container)" },
        { ns: "ca (container)", dev: "eth0", to: "" },
        { ns: "", dev: "br-0123456789ab" },
      ],
    });
    expect(quiet).toEqual([]);
    const w = scopeWarnings(s, {
      result: ok,
      netfilter,
      traced,
      egress: [
        { ns: "", dev: "veth89abcde", to: "cd (container)" },
        { ns: "", dev: "vethfedcba9", to: null },
      ],
    });
    expect(w).toEqual([
      expect.stringMatching(/left \(root\) by veth89abcde into cd \(container\), .*not traced/),
      expect.stringMatching(/left \(root\) by vethfedcba9 into a namespace, .*not traced/),
    ]);
  });
});

describe("what the kernel's trace says of the prediction", () => {
  it("as predicted: nothing to say", async () => {
    const s = await scope("ip netns exec a ping -c1 -W1 10.1.0.2");
    const netfilter = [{ ns: "" }, { ns: "a" }, { ns: "b" }];
    const egress = [
      { ns: "", dev: "va" },
      { ns: "", dev: "vb" },
      { ns: "a", dev: "eth0" },
      { ns: "b", dev: "eth0" },
    ];
    expect(scopeWarnings(s, { result: ok, netfilter, traced: s.namespaces, egress })).toEqual([]);
  });

  it("packets that left by a door out of the scope: named, with the way to trace everything", async () => {
    const s = await scope("ip netns exec a ping -c1 -W1 10.9.9.9");
    const w = scopeWarnings(s, {
      result: { ...ok, exit: 1 },
      netfilter: [{ ns: "" }, { ns: "a" }],
      traced: s.namespaces,
      egress: [{ ns: "", dev: "vx1" }],
    });
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/left \(root\) by vx1 into x1, .*not traced.*--trace-all/);
    expect(w[1]).toMatch(/the simulator's packets went through b, the kernel's did not/);
    expect(w[2]).toMatch(/exited 1 on the kernel and 0 in the simulator's prediction/);
  });

  it("a simulated walk through a namespace the kernel did not trace", () => {
    expect(untracedSimWarnings([{ ns: "" }, { ns: "x1" }], ["", "a"])).toEqual([
      expect.stringMatching(/went through x1, where the kernel was not traced/),
    ]);
    expect(untracedSimWarnings([{ ns: "a" }], ["", "a"])).toEqual([]);
  });
});

describe("the egress watch's nft text", () => {
  it("one table per family, each replacing a stale one; multicast left out", () => {
    const s = egressTableScript();
    expect(s).toContain("table ip packetwalk_egress {");
    expect(s).toContain("table bridge packetwalk_egress {");
    expect(s).toContain("type filter hook postrouting priority 500");
    expect(s).toContain("type filter hook forward priority 500");
    expect(s).toContain("type filter hook output priority 500");
    expect(s.match(/ip daddr != 224\.0\.0\.0\/4 add @seen \{ oifname \}/g)).toHaveLength(3);
  });

  it("reads the devices from packetwalk's sets only, once each", () => {
    const set = (family: string, table: string, elem?: string[]) => ({
      set: { family, name: "seen", table, type: "ifname", ...(elem ? { elem } : {}) },
    });
    const json = JSON.stringify({
      nftables: [
        { metainfo: { version: "1.0.6" } },
        set("ip", "packetwalk_egress", ["vb", "eth0"]),
        set("bridge", "packetwalk_egress", ["vb"]),
        set("ip", "learners", ["x"]),
        set("bridge", "packetwalk_egress"),
      ],
    });
    expect(parseSeenSets(json)).toEqual(["eth0", "vb"]);
  });
});

describe("where an egress device leads (egress-peers.ts)", () => {
  it("veths from `ip -j link show`: their index, their peer's index, and an nsid when it is elsewhere", () => {
    const json = JSON.stringify([
      { ifindex: 1, ifname: "lo", flags: ["LOOPBACK"] },
      { ifindex: 3, ifname: "br0", link_type: "ether" },
      { ifindex: 7, link_index: 2, ifname: "veth1234567", link_netnsid: 0 },
      { ifindex: 9, link: "v2", ifname: "v1", link_index: 10 },
    ]);
    expect(parseVeths(json)).toEqual([
      { ifname: "veth1234567", ifindex: 7, linkIndex: 2, netnsid: 0 },
      { ifname: "v1", ifindex: 9, linkIndex: 10 },
    ]);
    expect(parseVeths("not json")).toEqual([]);
  });

  it("each device paired with its other end: traced namespaces first, the rest only when needed", async () => {
    // The root's veth 7 is ca's eth0 (2, linked to 7); veth 8 leads to cz, not traced; veth
    // 9 to nothing found; br0 is no veth.
    const links: Record<string, object[]> = {
      "": [
        { ifindex: 3, ifname: "br0" },
        { ifindex: 7, ifname: "vetha000001", link_index: 2, link_netnsid: 0 },
        { ifindex: 8, ifname: "vetha000002", link_index: 2, link_netnsid: 1 },
        { ifindex: 9, ifname: "vetha000003", link_index: 5, link_netnsid: 2 },
      ],
      "/run/docker/netns/ca": [{ ifindex: 2, ifname: "eth0", link_index: 7, link_netnsid: 0 }],
      "/run/docker/netns/cz": [{ ifindex: 2, ifname: "eth0", link_index: 8, link_netnsid: 0 }],
    };
    const asked: string[] = [];
    const sandbox = {
      exec: ({ argv }: { argv: string[] }) => {
        const file = /^--net=(.*)$/.exec(argv[1] ?? "")?.[1] ?? "";
        asked.push(file);
        return Promise.resolve({ exit: 0, stdout: JSON.stringify(links[file] ?? []), stderr: "" });
      },
    } as unknown as Sandbox;
    const ca = { ns: "ca (container)", file: "/run/docker/netns/ca" };
    const cz = { ns: "cz (container)", file: "/run/docker/netns/cz" };
    const egress = [
      { ns: "", dev: "br0" },
      { ns: "", dev: "vetha000001" },
      { ns: "ca (container)", dev: "eth0" },
    ];
    expect(
      await egressPeers(sandbox, egress, [{ ns: "" }, ca], () =>
        Promise.reject(new Error("not needed")),
      ),
    ).toEqual([
      { ns: "", dev: "br0" },
      { ns: "", dev: "vetha000001", to: "ca (container)" },
      { ns: "ca (container)", dev: "eth0", to: "" },
    ]);
    asked.length = 0;
    const out = await egressPeers(
      sandbox,
      [...egress, { ns: "", dev: "vetha000002" }, { ns: "", dev: "vetha000003" }],
      [{ ns: "" }, ca],
      () => Promise.resolve([{ ns: "" }, ca, cz]),
    );
    expect(out.slice(3)).toEqual([
      { ns: "", dev: "vetha000002", to: "cz (container)" },
      { ns: "", dev: "vetha000003", to: null },
    ]);
    // The others were read once, and only those not read already.
    expect(asked).toEqual(["", "/run/docker/netns/ca", "/run/docker/netns/cz"]);
  });
});
