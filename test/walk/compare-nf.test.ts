// Holding netfilter paths against each other: per namespace, packet by packet, step by
// step; ephemeral ports and a delayed ACK that did or did not ride on a FIN do not count.
import { describe, expect, it } from "vitest";
import { closedAfterDelayedAck, compareNfPaths } from "../../src/walk/compare-nf.js";
import type { NfPathPacket, NfPathStep } from "../../src/backend/trace-types.js";

const policy = (chain: string, verdict = "ACCEPT"): NfPathStep => ({
  table: "filter",
  chain,
  verdict,
  policy: true,
});
const rule = (chain: string, text: string, verdict: string, num = 1): NfPathStep => ({
  table: "filter",
  chain,
  rule: text,
  ruleNum: num,
  verdict,
  policy: false,
});

function tcp(
  src: string,
  dst: string,
  flags: string[],
  steps: NfPathStep[],
  ports: [number, number],
): NfPathPacket {
  return {
    ns: "r",
    src,
    dst,
    proto: "tcp",
    tcpFlags: flags,
    sport: ports[0],
    dport: ports[1],
    steps,
  };
}

describe("compareNfPaths", () => {
  const fwd = [policy("FORWARD")];

  it("equal paths with different ephemeral ports are the same", () => {
    const sim = [tcp("192.0.2.2", "198.51.100.7", ["SYN"], fwd, [40000, 80])];
    const kernel = [tcp("192.0.2.2", "198.51.100.7", ["SYN"], fwd, [51234, 80])];
    expect(compareNfPaths(sim, kernel)).toEqual([]);
  });

  it("names the first step where a packet's paths part", () => {
    const sim = [
      tcp(
        "192.0.2.2",
        "198.51.100.7",
        ["SYN"],
        [rule("FORWARD", "-p tcp", "CONTINUE"), policy("FORWARD")],
        [1, 80],
      ),
    ];
    const kernel = [
      tcp(
        "192.0.2.2",
        "198.51.100.7",
        ["SYN"],
        [rule("FORWARD", "-p tcp", "CONTINUE"), policy("FORWARD", "DROP")],
        [2, 80],
      ),
    ];
    const [d] = compareNfPaths(sim, kernel);
    expect(d).toMatchObject({ ns: "r", index: 0, at: 1 });
    expect(d?.sim?.[1]).toBe("filter FORWARD policy ACCEPT");
    expect(d?.kernel?.[1]).toBe("filter FORWARD policy DROP");
  });

  it("a packet only one side saw is a difference", () => {
    const syn = tcp("192.0.2.2", "198.51.100.7", ["SYN"], fwd, [1, 80]);
    const rst = tcp("198.51.100.7", "192.0.2.2", ["ACK", "RST"], fwd, [80, 1]);
    const d = compareNfPaths([syn], [syn, rst]);
    expect(d).toEqual([
      expect.objectContaining({
        index: 1,
        sim: undefined,
        kernel: ["filter FORWARD policy ACCEPT"],
      }),
    ]);
  });

  it("a delayed ACK before the FIN-ACK of the same flow folds into it", () => {
    const finAck = (p: [number, number]): NfPathPacket =>
      tcp("198.51.100.7", "192.0.2.2", ["ACK", "FIN"], fwd, p);
    const ack = (p: [number, number]): NfPathPacket =>
      tcp("198.51.100.7", "192.0.2.2", ["ACK"], fwd, p);
    const last = (p: [number, number]): NfPathPacket =>
      tcp("192.0.2.2", "198.51.100.7", ["ACK"], fwd, [p[1], p[0]]);
    const sim = [finAck([80, 4000]), last([80, 4000])];
    const kernel = [ack([80, 5000]), finAck([80, 5000]), last([80, 5000])];
    expect(compareNfPaths(sim, kernel)).toEqual([]);
    // Not when its path differs: then it is news.
    const other = { ...ack([80, 5000]), steps: [policy("FORWARD", "DROP")] };
    expect(compareNfPaths(sim, [other, finAck([80, 5000]), last([80, 5000])])).not.toEqual([]);
  });

  it("the simulator's root namespace and the kernel's are both \"\"; packets without steps do not count", () => {
    const a: NfPathPacket = { ns: "", src: "10.0.0.1", dst: "10.0.0.2", proto: "icmp", steps: fwd };
    const empty: NfPathPacket = { ...a, steps: [] };
    expect(compareNfPaths([a], [empty, a])).toEqual([]);
  });

  it("a user network's bridge br-<id> is the same whatever id the daemon drew; another bridge is not", () => {
    const via = (br: string): NfPathPacket[] => [
      tcp(
        "172.18.0.2",
        "172.18.0.3",
        ["SYN"],
        [rule("FORWARD", `-o ${br} -j DOCKER`, "JUMP:DOCKER")],
        [1, 80],
      ),
    ];
    expect(compareNfPaths(via("br-d32bc4db073d"), via("br-9851052e8534"))).toEqual([]);
    expect(compareNfPaths(via("br-d32bc4db073d"), via("docker0"))).toHaveLength(1);
  });
});

describe("closedAfterDelayedAck", () => {
  const fwd = [policy("FORWARD")];
  const c = "172.17.0.2";
  const srv = "172.17.0.3";
  const out = (flags: string[]): NfPathPacket => tcp(c, srv, flags, fwd, [40000, 80]);
  const back = (flags: string[]): NfPathPacket => tcp(srv, c, flags, fwd, [80, 40000]);
  const handshake = [out(["SYN"]), back(["SYN", "ACK"]), out(["ACK"])];

  it("is false when the server's ACK rode on its FIN", () => {
    const ps = [...handshake, out(["ACK", "FIN"]), back(["ACK", "FIN"]), out(["ACK"])];
    expect(closedAfterDelayedAck(ps)).toBe(false);
  });

  it("is true when the server acknowledged the peer's FIN before sending its own", () => {
    const ps = [
      ...handshake,
      out(["ACK", "FIN"]),
      back(["ACK"]),
      back(["ACK", "FIN"]),
      out(["ACK"]),
    ];
    expect(closedAfterDelayedAck(ps)).toBe(true);
  });

  it("does not take the handshake's ACK before the client's FIN for a late wake-up", () => {
    // The client's ACK and then its FIN: a pure ACK straight before a FIN-ACK of the same
    // flow, but no FIN of the peer came before it.
    const ps = [...handshake, out(["ACK", "FIN"])];
    expect(closedAfterDelayedAck(ps)).toBe(false);
  });
});
