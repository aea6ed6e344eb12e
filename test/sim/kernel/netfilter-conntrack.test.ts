// Conntrack in the simulator against kernel 6.18 (nf_conntrack_core.c, _proto_*.c):
// tracking only while a rule needs it, tuples and states, [UNREPLIED]/[ASSURED], timeouts
// on the virtual clock, RELATED ICMP errors, and `conntrack -L`/`-F` as conntrack-tools
// 1.4.7 prints them.
import { describe, expect, it } from "vitest";
import type { Ipv4Packet, Tcp } from "../../../src/sim/kernel/core/packet.js";
import { conntrackOf } from "../../../src/sim/kernel/netfilter/conntrack.js";
import { tcpCtNext } from "../../../src/sim/engine/machines/ct-tcp.js";
import { append, ip, Lab, ns, pings, router } from "./nf-helpers.js";

const NEW_RULE = {
  matches: [{ kind: "conntrack" as const, ctstate: ["NEW" as const], invert: false }],
};

/** A router that tracks (a ctstate rule in its INPUT). */
function tracking(): Lab {
  const l = router();
  append(ns(l, "r"), "filter", "INPUT", NEW_RULE);
  return l;
}

function list(l: Lab, where: string, args = ""): string {
  return l.out(`ip netns exec ${where} conntrack -L ${args}`.trim());
}

/** Sends a hand-made datagram from a namespace, as its stack would, and lets it travel. */
function send(l: Lab, from: string, pkt: Ipv4Packet): void {
  const world = l.b.world;
  const n = ns(l, from);
  world.ipv4.sendRouted(n, pkt, world.ipv4.routeOutput(n, pkt.dst));
  world.scheduler.settle();
}

function tcp(
  src: string,
  dst: string,
  sport: number,
  dport: number,
  flags: Tcp["flags"],
): Ipv4Packet {
  return {
    proto: "ipv4",
    src: ip(src),
    dst: ip(dst),
    ttl: 64,
    id: 0,
    l4: { proto: "tcp", sport, dport, flags, seq: 1000, ack: 0, len: 0 },
  };
}

function udp(src: string, dst: string, sport: number, dport: number): Ipv4Packet {
  return {
    proto: "ipv4",
    src: ip(src),
    dst: ip(dst),
    ttl: 64,
    id: 0,
    l4: { proto: "udp", sport, dport, payload: { kind: "data", len: 10 } },
  };
}

/** Endpoints that swallow everything (no socket answers), so only the router acts. */
function quietEnds(l: Lab): void {
  append(ns(l, "h1"), "filter", "INPUT", { target: { kind: "DROP" } });
  append(ns(l, "out"), "filter", "INPUT", { target: { kind: "DROP" } });
}

describe("conntrack: when it tracks", () => {
  it("nothing without a rule that needs it; a ctstate rule turns it on", () => {
    const l = router();
    append(ns(l, "r"), "filter", "INPUT", { target: { kind: "ACCEPT" } });
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    const empty = l.run("ip netns exec r conntrack -L");
    expect(empty).toEqual({
      exit: 0,
      stdout: "",
      stderr: "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n",
    });
    append(ns(l, "r"), "filter", "INPUT", NEW_RULE);
    expect(pings(l, "h1", "198.51.100.7")).toBe(true);
    expect(conntrackOf(ns(l, "r")).size).toBe(1);
  });

  it("a packet dropped before confirmation leaves no entry", () => {
    const l = tracking();
    append(ns(l, "r"), "filter", "FORWARD", { target: { kind: "DROP" } });
    expect(pings(l, "h1", "198.51.100.7")).toBe(false);
    expect(conntrackOf(ns(l, "r")).size).toBe(0);
  });
});

describe("conntrack: ICMP", () => {
  it("an answered ping: one entry, 30 s, the echo reply as reply tuple", () => {
    const l = tracking();
    expect(l.run("ip netns exec h1 ping -c2 -i0.2 -W1 198.51.100.7").exit).toBe(0);
    const out = list(l, "r");
    expect(out).toMatch(
      /^icmp {5}1 29 src=192\.0\.2\.2 dst=198\.51\.100\.7 type=8 code=0 id=(\d+) src=198\.51\.100\.7 dst=192\.0\.2\.2 type=0 code=0 id=\1 mark=0 use=1\n$/,
    );
  });

  it("an unanswered ping is [UNREPLIED]; the entry dies 30 s after its last packet", () => {
    const l = tracking();
    append(ns(l, "out"), "filter", "INPUT", { target: { kind: "DROP" } });
    expect(pings(l, "h1", "198.51.100.7")).toBe(false);
    expect(list(l, "r")).toContain(" [UNREPLIED] src=198.51.100.7 dst=192.0.2.2 type=0");
    l.wait(28_000);
    expect(conntrackOf(ns(l, "r")).size).toBe(1);
    l.wait(2_000);
    expect(conntrackOf(ns(l, "r")).size).toBe(0);
  });

  it("ctstate: NEW for the request, ESTABLISHED for the reply and later requests", () => {
    const l = router();
    const r = ns(l, "r");
    const st = (s: "NEW" | "ESTABLISHED") =>
      append(r, "filter", "FORWARD", {
        matches: [{ kind: "conntrack", ctstate: [s], invert: false }],
      });
    const n = st("NEW");
    const e = st("ESTABLISHED");
    expect(l.run("ip netns exec h1 ping -c3 -i0.2 -W1 198.51.100.7").exit).toBe(0);
    expect(n.packets).toBe(1);
    expect(e.packets).toBe(5);
  });

  it("an ICMP error about a tracked ping is RELATED; INVALID without an entry", () => {
    const l = tracking();
    const r = ns(l, "r");
    const rel = append(r, "filter", "FORWARD", {
      matches: [{ kind: "state", state: ["RELATED"], invert: false }],
    });
    const inv = append(r, "filter", "FORWARD", {
      matches: [{ kind: "conntrack", ctstate: ["INVALID"], invert: false }],
    });
    append(ns(l, "out"), "filter", "INPUT", {
      target: { kind: "REJECT", with: "icmp-host-prohibited" },
    });
    const res = l.run("ip netns exec h1 ping -c1 -W1 198.51.100.7");
    expect(res.stdout).toContain("From 198.51.100.7 icmp_seq=1 Destination Host Prohibited");
    expect(rel.packets).toBe(1);
    expect(inv.packets).toBe(0);
  });
});

describe("conntrack: UDP", () => {
  it("[UNREPLIED] 30 s; replied: 30 s for two seconds, then a stream: 120 s and [ASSURED]", () => {
    const l = tracking();
    quietEnds(l);
    const r = ns(l, "r");
    const t = conntrackOf(r);
    send(l, "h1", udp("192.0.2.2", "198.51.100.7", 40000, 53));
    expect(list(l, "r")).toMatch(
      /^udp {6}17 29 src=192\.0\.2\.2 dst=198\.51\.100\.7 sport=40000 dport=53 \[UNREPLIED\] src=198\.51\.100\.7 dst=192\.0\.2\.2 sport=53 dport=40000 mark=0 use=1\n$/,
    );
    send(l, "out", udp("198.51.100.7", "192.0.2.2", 53, 40000));
    expect(list(l, "r")).toMatch(/^udp {6}17 29 src=.* sport=53 dport=40000 mark=0 use=1\n$/);
    l.wait(2500);
    send(l, "h1", udp("192.0.2.2", "198.51.100.7", 40000, 53));
    const ct = t.list()[0]!;
    expect(ct.assured).toBe(true);
    expect(t.timeoutSeconds(ct)).toBe(119);
    expect(list(l, "r")).toContain("dport=40000 [ASSURED] mark=0 use=1");
  });
});

describe("conntrack: TCP", () => {
  it("the kernel's transition table", () => {
    expect(tcpCtNext("NONE", 0, "syn")).toBe("SYN_SENT");
    expect(tcpCtNext("SYN_SENT", 1, "synack")).toBe("SYN_RECV");
    expect(tcpCtNext("SYN_RECV", 0, "ack")).toBe("ESTABLISHED");
    expect(tcpCtNext("ESTABLISHED", 0, "fin")).toBe("FIN_WAIT");
    expect(tcpCtNext("FIN_WAIT", 1, "ack")).toBe("CLOSE_WAIT");
    expect(tcpCtNext("CLOSE_WAIT", 1, "fin")).toBe("LAST_ACK");
    expect(tcpCtNext("LAST_ACK", 0, "ack")).toBe("TIME_WAIT");
    expect(tcpCtNext("SYN_SENT", 1, "rst")).toBe("CLOSE");
    expect(tcpCtNext("NONE", 0, "synack")).toBe("INVALID");
    expect(tcpCtNext("SYN_RECV", 1, "synack")).toBe("IGNORE");
    // nf_conntrack_tcp_loose: a bare ACK picks up a connection in the middle.
    expect(tcpCtNext("NONE", 0, "ack")).toBe("ESTABLISHED");
  });

  it("handshake, close and TIME_WAIT through a router, with timeouts and [ASSURED]", () => {
    const l = tracking();
    quietEnds(l);
    const r = ns(l, "r");
    const t = conntrackOf(r);
    const c = (flags: Tcp["flags"]) =>
      send(l, "h1", tcp("192.0.2.2", "198.51.100.7", 40000, 80, flags));
    const s = (flags: Tcp["flags"]) =>
      send(l, "out", tcp("198.51.100.7", "192.0.2.2", 80, 40000, flags));
    const state = () => {
      const ct = t.list()[0]!;
      return [ct.tcpState, t.timeoutSeconds(ct), ct.seenReply, ct.assured];
    };
    c({ syn: true });
    expect(state()).toEqual(["SYN_SENT", 119, false, false]);
    expect(list(l, "r")).toBe(
      "tcp      6 119 SYN_SENT src=192.0.2.2 dst=198.51.100.7 sport=40000 dport=80 [UNREPLIED] src=198.51.100.7 dst=192.0.2.2 sport=80 dport=40000 mark=0 use=1\n",
    );
    s({ syn: true, ack: true });
    expect(state()).toEqual(["SYN_RECV", 59, true, false]);
    c({ ack: true });
    expect(state()).toEqual(["ESTABLISHED", 431999, true, true]);
    expect(list(l, "r")).toBe(
      "tcp      6 431999 ESTABLISHED src=192.0.2.2 dst=198.51.100.7 sport=40000 dport=80 src=198.51.100.7 dst=192.0.2.2 sport=80 dport=40000 [ASSURED] mark=0 use=1\n",
    );
    c({ fin: true, ack: true });
    expect(state()[0]).toBe("FIN_WAIT");
    s({ ack: true });
    expect(state()[0]).toBe("CLOSE_WAIT");
    s({ fin: true, ack: true });
    expect(state()[0]).toBe("LAST_ACK");
    c({ ack: true });
    expect(state()).toEqual(["TIME_WAIT", 119, true, true]);
    l.wait(120_000);
    expect(t.size).toBe(0);
  });

  it("a RST as the only answer deletes the entry at once; a SYN-ACK alone is INVALID", () => {
    const l = tracking();
    quietEnds(l);
    const t = conntrackOf(ns(l, "r"));
    send(l, "out", tcp("198.51.100.7", "192.0.2.2", 80, 40001, { syn: true, ack: true }));
    expect(t.size).toBe(0);
    send(l, "h1", tcp("192.0.2.2", "198.51.100.7", 40001, 80, { syn: true }));
    expect(t.size).toBe(1);
    send(l, "out", tcp("198.51.100.7", "192.0.2.2", 80, 40001, { rst: true, ack: true }));
    expect(t.size).toBe(0);
  });

  it("a RST after the handshake: CLOSE for 10 s", () => {
    const l = tracking();
    quietEnds(l);
    const t = conntrackOf(ns(l, "r"));
    send(l, "h1", tcp("192.0.2.2", "198.51.100.7", 40003, 80, { syn: true }));
    send(l, "out", tcp("198.51.100.7", "192.0.2.2", 80, 40003, { syn: true, ack: true }));
    send(l, "h1", tcp("192.0.2.2", "198.51.100.7", 40003, 80, { rst: true }));
    const ct = t.list()[0]!;
    expect([ct.tcpState, t.timeoutSeconds(ct)]).toEqual(["CLOSE", 9]);
    l.wait(10_000);
    expect(t.size).toBe(0);
  });

  it("the entry's state machine is visible in the trace", () => {
    const l = tracking();
    quietEnds(l);
    l.b.world.trace.enabled = true;
    send(l, "h1", tcp("192.0.2.2", "198.51.100.7", 40002, 80, { syn: true }));
    send(l, "out", tcp("198.51.100.7", "192.0.2.2", 80, 40002, { syn: true, ack: true }));
    const tr = l.b.world.trace
      .take()
      .flatMap((e) => (e.kind === "transition" && e.machine.kind === "conntrack" ? [e.state] : []));
    expect(tr).toEqual(["SYN_SENT", "SYN_RECV"]);
  });
});

describe("conntrack userland", () => {
  it("-L -p filters by protocol; -F empties the table", () => {
    const l = tracking();
    quietEnds(l);
    expect(pings(l, "h1", "198.51.100.7")).toBe(false);
    send(l, "h1", udp("192.0.2.2", "198.51.100.7", 40000, 53));
    expect(list(l, "r", "-p udp").split("\n")).toHaveLength(2);
    expect(list(l, "r", "-p icmp")).toMatch(/^icmp /);
    expect(l.run("ip netns exec r conntrack -L -p tcp").stderr).toBe(
      "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n",
    );
    expect(l.run("ip netns exec r conntrack -F")).toEqual({
      exit: 0,
      stdout: "",
      stderr: "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n",
    });
    expect(conntrackOf(ns(l, "r")).size).toBe(0);
  });

  it("errors as conntrack-tools words them", () => {
    const l = new Lab();
    const tail = "Try `conntrack -h' or 'conntrack --help' for more information.\n";
    const err = (args: string) => l.run(`conntrack ${args}`);
    expect(err("-L -p foo")).toEqual({
      exit: 2,
      stdout: "",
      stderr: `conntrack v1.4.7 (conntrack-tools): \`foo' unsupported protocol\n${tail}`,
    });
    expect(err("-X").stderr).toBe(
      `conntrack v1.4.7 (conntrack-tools): unknown option \`-X'\n${tail}`,
    );
    expect(err("-F -p tcp").stderr).toBe(
      `conntrack v1.4.7 (conntrack-tools): Illegal option \`--protonum' with this command\n${tail}`,
    );
    expect(err("-L -F").stderr).toBe(
      `conntrack v1.4.7 (conntrack-tools): Invalid commands combination\n${tail}`,
    );
    expect(err("-L -p").stderr).toBe(
      `conntrack v1.4.7 (conntrack-tools): option \`-p' requires an argument\n${tail}`,
    );
    expect(err("-L extra").stderr).toBe(
      `conntrack v1.4.7 (conntrack-tools): unknown type \`extra'\n${tail}`,
    );
  });
});
