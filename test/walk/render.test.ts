// The walk for people (render.ts): what it says must not depend on colour, netfilter reads
// as iptables writes it, and compare mode shows where the two paths part.
import { describe, expect, it } from "vitest";
import { parseScript } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { buildWalk } from "../../src/walk/build.js";
import type { NfPathPacket } from "../../src/backend/trace-types.js";
import { renderHead, renderTail, renderWalk, walkHops } from "../../src/walk/render.js";
import {
  WALK_SCHEMA,
  type NfDifference,
  type Walk,
  type WalkPacket,
  type WalkStep,
} from "../../src/walk/types.js";

const ESC = String.fromCharCode(27);
const strip = (s: string): string => s.split(new RegExp(`${ESC}\\[[0-9;]*m`)).join("");
const plain = (w: Walk): string => renderWalk(w, { colour: false, verbose: true });

function step(
  kind: WalkStep["kind"],
  ns: string,
  text: string,
  extra: Partial<WalkStep> = {},
): WalkStep {
  return {
    time: 0,
    seq: 0,
    ns,
    kind,
    text,
    header: "10.0.0.1 > 10.0.0.2 ICMP ttl 64 len 84",
    ...extra,
  };
}

function nf(
  table: string,
  chain: string,
  verdict: string,
  rule?: { num: number; text: string },
): WalkStep {
  return step("nf", "", `${chain}: ${table} ${chain}`, {
    nf: {
      hook: chain,
      table,
      chain,
      ruleNum: rule?.num,
      rule: rule?.text,
      verdict,
      policy: rule === undefined,
    },
  });
}

const request: WalkPacket = {
  id: 1,
  protocol: "icmp",
  summary: "ICMP echo request 10.0.0.1 > 10.0.0.2 id 1 seq 1",
  fields: { src: "10.0.0.1", dst: "10.0.0.2", icmp: "echo-request" },
  steps: [
    step("route", "a", "output route: default via 10.0.0.254 dev va (table main)", {
      why: "the default route in table main",
    }),
    step("wire", "", "crossed the veth pair va [a] -> vr [(root)]"),
    nf("filter", "FORWARD", "ACCEPT", { num: 3, text: "-i vr -j ACCEPT" }),
    step("wire", "b", "crossed the veth pair vr2 [(root)] -> vb [b]", {
      header: "10.0.0.1 > 10.0.0.2 ICMP ttl 63 len 84",
    }),
    step("local", "b", "delivered locally on vb: the ICMP echo responder (icmp_echo)", {
      header: "10.0.0.1 > 10.0.0.2 ICMP ttl 63 len 84",
    }),
  ],
  fate: { kind: "delivered", ns: "b", text: "delivered in b on vb: the ICMP echo responder" },
};

const reply: WalkPacket = {
  id: 2,
  protocol: "icmp",
  summary: "ICMP echo reply 10.0.0.2 > 10.0.0.1 id 1 seq 1",
  fields: { src: "10.0.0.2", dst: "10.0.0.1", icmp: "echo-reply" },
  causedBy: 1,
  steps: [
    step("wire", "", "crossed the veth pair vb [b] -> vr2 [(root)]"),
    nf("filter", "FORWARD", "DROP"),
    step("drop", "", "dropped: FORWARD policy DROP", { reason: "FORWARD policy DROP" }),
  ].map((s) => ({ ...s, header: "10.0.0.2 > 10.0.0.1 ICMP ttl 64 len 84" })),
  fate: { kind: "dropped", ns: "", text: "dropped in (root)", reason: "FORWARD policy DROP" },
};

const probe = {
  text: "ip netns exec a ping -c1 -W1 10.0.0.2",
  ns: "a",
  exit: 1,
  stdout: "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n",
  stderr: "",
};

function simWalk(extra: Partial<Walk> = {}): Walk {
  return {
    schema: WALK_SCHEMA,
    backend: "sim",
    script: "lab.lab",
    setupFailures: [],
    sim: {
      probe,
      packets: [request, reply],
      events: [
        {
          time: 1000,
          machine: { ns: "a", kind: "neigh", key: "10.0.0.254 dev va" },
          state: "STALE",
        },
      ],
    },
    ...extra,
  };
}

describe("renderWalk, simulator", () => {
  const out = plain(simWalk());

  it("says the verdict first, then names the script, the backend and the probe, with its exit status and output", () => {
    const lines = out.split("\n");
    expect(lines[0]).toBe(
      "verdict: the ping got no reply: the echo reply was dropped in (root) at filter FORWARD policy DROP",
    );
    expect(lines[1]).toBe("walk of lab.lab, in the simulator");
    expect(lines[2]).toBe(`probe: ${probe.text}  [in a]  exit 1`);
    expect(lines[3]).toBe("    PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.");
  });

  it("titles every packet in order, a reply naming the packet it answers", () => {
    const a = out.indexOf("#1 ICMP echo request 10.0.0.1 > 10.0.0.2 id 1 seq 1\n");
    const b = out.indexOf("#2 ICMP echo reply 10.0.0.2 > 10.0.0.1 id 1 seq 1 (answers #1)\n");
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
  });

  it("prints one line per step: namespace, kind, text, and the why; the time only where it moved", () => {
    expect(renderWalk(simWalk(), { colour: false, verbose: true, width: 120 })).toContain(
      "             a       route  output route: default via 10.0.0.254 dev va (table main)" +
        "  -- the default route in table main\n",
    );
    expect(out).toContain("             b       local  delivered locally on vb:");
    const later: Walk = simWalk();
    later.sim!.packets = [
      request,
      { ...reply, steps: reply.steps.map((s) => ({ ...s, time: 1000 })) },
    ];
    const lines = renderWalk(later, { colour: false, verbose: true }).split("\n");
    expect(lines.filter((l) => / ms {2}/.test(l) && !l.includes("STALE"))).toEqual([
      "   1000.000 ms  (root)  wire   crossed the veth pair vb [b] -> vr2 [(root)]",
    ]);
  });

  it("writes netfilter steps as table, chain, rule number, rule and verdict", () => {
    expect(out).toContain("(root)  NF     filter FORWARD rule 3: -i vr -j ACCEPT => ACCEPT\n");
    expect(out).toContain("(root)  NF     filter FORWARD policy DROP\n");
    expect(out).toContain("(root)  DROP   dropped: FORWARD policy DROP\n");
  });

  it("shows the headers when they change (here the TTL)", () => {
    const lines = out.split("\n");
    const at = lines.findIndex((l) => l.includes("headers: 10.0.0.1 > 10.0.0.2 ICMP ttl 63"));
    expect(lines[at + 1]).toContain("crossed the veth pair vr2 [(root)] -> vb [b]");
    // #1 at its first hop and after the TTL, #2 at its first hop.
    expect(out.match(/headers: /g)).toHaveLength(3);
  });

  it("ends each packet with its fate", () => {
    expect(out).toContain("   => delivered in b on vb: the ICMP echo responder\n");
    expect(out).toContain("   => dropped in (root): FORWARD policy DROP\n");
  });

  it("lists state machines that moved on their own", () => {
    expect(out).toContain("state machines that moved with no packet in hand");
    expect(out).toContain("1000.000 ms  a       neigh 10.0.0.254 dev va: STALE\n");
  });

  it("is plain ASCII without colour, and colour adds nothing but escapes", () => {
    expect(out).not.toContain(ESC);
    expect(out).toMatch(/^[\x20-\x7e\n]*$/);
    const coloured = renderWalk(simWalk(), { colour: true, verbose: true });
    expect(coloured).toContain(`${ESC}[31m`); // the drop, in red
    expect(coloured).toContain(`${ESC}[32mACCEPT${ESC}[39m`);
    expect(coloured).toContain(`${ESC}[36m`); // namespaces, in cyan
    expect(strip(coloured)).toBe(out);
  });

  it("puts a long why on its own line, under the text", () => {
    const narrow = renderWalk(simWalk(), { colour: false, verbose: true, width: 60 });
    const lines = narrow.split("\n");
    const at = lines.findIndex((l) => l.includes("output route: default via"));
    expect(lines[at]).not.toContain("--");
    expect(lines[at + 1]).toBe(
      `${" ".repeat(lines[at]!.indexOf("output"))}-- the default route in table main`,
    );
  });

  it("reports script lines that failed while setting up", () => {
    const w = simWalk({
      setupFailures: [
        { line: 4, command: "ip link set vx up", exit: 1, stderr: "Cannot find device\n" },
      ],
    });
    expect(plain(w)).toContain(
      "setup: 1 script line failed (the walk may not be what you meant):\n" +
        "  line 4: ip link set vx up  exit 1\n    Cannot find device\n",
    );
  });
});

describe("walkHops", () => {
  it("is one hop per step, the fate riding on a packet's last hop, the same lines as the walk", () => {
    const hops = walkHops(simWalk(), { colour: false, verbose: true });
    expect(hops.map((h) => h.packet)).toEqual([1, 1, 1, 1, 1, 2, 2, 2]);
    expect(hops[4]!.lines.at(-1)).toBe("   => delivered in b on vb: the ICMP echo responder");
    expect(hops[1]!.title).toBe("#1 ICMP echo request 10.0.0.1 > 10.0.0.2 id 1 seq 1");
    const out = plain(simWalk());
    for (const h of hops) expect(out).toContain(`${h.lines.join("\n")}\n`);
  });
});

const kernelTrace: NfPathPacket[] = [
  {
    ns: "",
    src: "10.0.0.1",
    dst: "10.0.0.2",
    proto: "icmp",
    len: 84,
    steps: [
      {
        table: "filter",
        chain: "FORWARD",
        rule: "-i vr -j ACCEPT",
        ruleNum: 3,
        verdict: "ACCEPT",
        policy: false,
      },
    ],
  },
  {
    ns: "",
    src: "10.0.0.2",
    dst: "10.0.0.1",
    proto: "icmp",
    steps: [
      {
        table: "filter",
        chain: "FORWARD",
        rule: "-i vr2 -j ACCEPT",
        ruleNum: 4,
        verdict: "ACCEPT",
        policy: false,
      },
    ],
  },
];

describe("renderWalk, kernel", () => {
  const w: Walk = {
    schema: WALK_SCHEMA,
    backend: "kernel",
    script: "lab.lab",
    setupFailures: [],
    kernel: {
      probe: { ...probe, exit: 0 },
      netfilter: kernelTrace,
      warnings: ["trace lost 1 event"],
    },
  };
  const out = plain(w);

  it("shows the kernel's netfilter trace per namespace, packet by packet", () => {
    expect(out).toContain("walk of lab.lab, on the real kernel (in a throwaway sandbox)\n");
    expect(out).toContain(
      "  (root)\n" +
        "    1. 10.0.0.1 > 10.0.0.2 icmp len 84\n" +
        "         filter FORWARD rule 3: -i vr -j ACCEPT => ACCEPT\n" +
        "    2. 10.0.0.2 > 10.0.0.1 icmp\n",
    );
    expect(out).toContain("warnings:\n  - trace lost 1 event\n");
    expect(out.split("\n")[0]).toBe("verdict: the ping got its reply");
    expect(out).not.toContain("#1 ");
  });
});

describe("renderWalk, compare", () => {
  const difference: NfDifference = {
    ns: "",
    index: 1,
    packet: "10.0.0.2 > 10.0.0.1 icmp",
    sim: ["filter FORWARD policy DROP"],
    kernel: ["filter FORWARD rule 4: -i vr2 -j ACCEPT => ACCEPT"],
    at: 0,
  };
  const compared = (differences: NfDifference[], stateMatch = true): Walk => ({
    ...simWalk(),
    backend: "compare",
    kernel: { probe: { ...probe, exit: 0 }, netfilter: kernelTrace, warnings: [] },
    comparison: {
      probeMatch: false,
      netfilterMatch: differences.length === 0,
      differences,
      state: [
        { command: "conntrack -L", sim: "", kernel: "icmp 1 29 src=10.0.0.1\n", match: stateMatch },
      ],
    },
  });

  it("marks the differing step in the walk, where it happens", () => {
    const lines = plain(compared([difference], false)).split("\n");
    const at = lines.findIndex((l) => l.includes("NF     filter FORWARD policy DROP"));
    expect(lines[at]!.startsWith(">>")).toBe(true);
    expect(lines[at + 1]).toMatch(
      /^>> +the kernel's trace has instead: filter FORWARD rule 4: -i vr2 -j ACCEPT => ACCEPT \(netfilter difference 1\)$/,
    );
    expect(lines.filter((l) => l.startsWith(">>"))).toHaveLength(2);
  });

  it("marks the hop of the compact view where the paths part", () => {
    const lines = renderWalk(compared([difference], false), { colour: false }).split("\n");
    expect(lines.filter((l) => l.startsWith(">>"))).toEqual([
      expect.stringMatching(
        /^>>\(root\) +in on \S+; filter FORWARD: policy DROP; DROPPED: FORWARD policy DROP;/,
      ),
    ]);
    expect(lines.join("\n")).toContain("(netfilter difference 1)");
  });

  it("finds the packet by its steps when the walk's order is not the trace's", () => {
    const lines = plain(compared([{ ...difference, index: 0 }], false)).split("\n");
    const at = lines.findIndex((l) => l.includes("NF     filter FORWARD policy DROP"));
    expect(lines[at]!.startsWith(">>")).toBe(true);
    expect(lines.filter((l) => l.startsWith(">>"))).toHaveLength(2);
  });

  it("marks the last step when the kernel's trace goes on after the sim's ends", () => {
    const longer: NfDifference = {
      ...difference,
      kernel: ["filter FORWARD policy DROP", "filter DOCKER policy RETURN"],
      at: 1,
    };
    const lines = plain(compared([longer], false)).split("\n");
    const at = lines.findIndex((l) => l.includes("NF     filter FORWARD policy DROP"));
    expect(lines[at]!.startsWith(">>")).toBe(true);
    expect(lines[at + 1]).toContain(
      "the kernel's trace goes on after this step: filter DOCKER policy RETURN (netfilter difference 1)",
    );
    expect(plain(compared([longer], false))).toContain(
      "      >>  2  (nothing: the trace ends here)\n",
    );
  });

  it("lists each difference with both sequences, the first differing step marked", () => {
    const out = plain(compared([difference], false));
    expect(out).toContain(
      "  1. in (root), packet 2 (10.0.0.2 > 10.0.0.1 icmp): they part at step 1\n" +
        "       simulator:\n" +
        "      >>  1  filter FORWARD policy DROP\n" +
        "       kernel:\n" +
        "      >>  1  filter FORWARD rule 4: -i vr2 -j ACCEPT => ACCEPT\n",
    );
  });

  it("shows the state that differs, then a summary", () => {
    const out = plain(compared([difference], false));
    expect(out).toContain(
      "state after the probe that differs:\n  $ conntrack -L\n    simulator:\n    kernel:\n" +
        "      icmp 1 29 src=10.0.0.1\n",
    );
    expect(out).toContain("probe: differs (simulator exit 1, kernel exit 0)\n");
    expect(out).toContain(
      "netfilter path: differs from the kernel's trace in 1 packet (the kernel traced 2 packets in 1 namespace)\n",
    );
    expect(out.endsWith("state after the probe: differs in 1 of 1 commands\n")).toBe(true);
  });

  it("says so when the paths agree, and marks nothing", () => {
    const out = plain(compared([]));
    expect(out).toContain(
      "netfilter path: same as the kernel's trace (2 packets in 1 namespace)\n",
    );
    expect(out).not.toContain(">>");
    expect(out).not.toContain("state after the probe that differs");
  });
});

describe("renderWalk of a real simulated walk", () => {
  it("walks a ping across a veth pair: request, ARP, reply, each delivered", async () => {
    const backend = new SimBackend();
    const script = [
      "ip netns add a",
      "ip netns add b",
      "ip -n a link add va type veth peer name vb netns b",
      "ip -n a addr add 10.0.0.1/24 dev va",
      "ip -n b addr add 10.0.0.2/24 dev vb",
      "ip -n a link set va up",
      "ip -n b link set vb up",
    ].join("\n");
    for (const cmd of parseScript(script, "veth.lab").script.commands) {
      expect((await backend.run(cmd)).exit).toBe(0);
    }
    const cmd = parseScript("ip netns exec a ping -c1 -W1 10.0.0.2", "probe").script.commands[0]!;
    const { result, account } = await backend.trace(cmd);
    const built = buildWalk(account.entries);
    const walk: Walk = {
      schema: WALK_SCHEMA,
      backend: "sim",
      script: "veth.lab",
      setupFailures: [],
      sim: { probe: { text: cmd.text, ns: "a", ...result }, ...built },
    };
    const out = plain(walk);
    // The ARP exchange nested under the neighbour lookup that waited for it.
    const titles = out
      .split("\n")
      .filter((l) => /^(\| )?#\d/.test(l) || l.includes(" neigh  neighbour"));
    expect(titles.map((t) => t.replace(/ id \d+/, "").trim())).toEqual([
      "#1 ICMP echo request 10.0.0.1 > 10.0.0.2 seq 1",
      "a       neigh  neighbour 10.0.0.2 on va: no entry, packet queued, ARP request sent",
      "| #2 ARP request: who has 10.0.0.2? tell 10.0.0.1 (sent for #1)",
      expect.stringMatching(/^\| #3 ARP reply: 10\.0\.0\.2 is at [0-9a-f:]+ \(answers #2\)$/),
      expect.stringMatching(/^a {7}neigh {2}neighbour 10\.0\.0\.2 on va: REACHABLE, send to /),
      "#4 ICMP echo reply 10.0.0.2 > 10.0.0.1 seq 1 (answers #1)",
      expect.stringMatching(/^b {7}neigh {2}neighbour 10\.0\.0\.1 on vb: STALE, send to /),
    ]);
    expect(out).toContain("probe: ip netns exec a ping -c1 -W1 10.0.0.2  [in a]  exit 0\n");
    expect(out).toMatch(/ b {7}wire {3}crossed the veth pair va \[a\] -> vb \[b\]/);
    expect(out.match(/^ {3}=> delivered in /gm)).toHaveLength(2);
    expect(out.match(/^\| => delivered in /gm)).toHaveLength(2);
    expect(out).not.toContain(ESC);
  });
});

describe("renderHead and renderTail", () => {
  it("are what renderWalk prints before and after the packets, for --step", () => {
    const opts = { colour: false, verbose: true };
    const head = renderHead(simWalk(), opts);
    const tail = renderTail(simWalk(), opts);
    const hops = walkHops(simWalk(), opts);
    expect(head.startsWith("verdict: the ping got no reply")).toBe(true);
    expect(tail.startsWith("state machines that moved")).toBe(true);
    const packets = hops
      .map((h, i) =>
        i === 0 || hops[i - 1]!.packet !== h.packet
          ? [...(i ? [""] : []), h.title, ...h.lines]
          : h.lines,
      )
      .flat();
    expect(plain(simWalk())).toBe(`${head}\n${packets.join("\n")}\n\n${tail}`);
  });
});
