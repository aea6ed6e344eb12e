// parseXtablesTrace on real `xtables-monitor -t -e` output (iptables 1.8.9, kernel 6.18),
// captured in a sandbox with packetwalk's trace table loaded: a docker0 bridge in the
// sandbox's namespace (172.17.0.1), containers c1 (172.17.0.2) and c2 (172.17.0.3), an
// outside namespace at 198.51.100.9 behind MASQUERADE, br_netfilter loaded. Trailing
// spaces of the captured lines are left out.
import { describe, expect, it } from "vitest";
import { parseXtablesTrace, rulePositions } from "../../src/real/xtables-trace.js";

/** c1 -> host, tcp dport 81, answered by `-j REJECT` (an ICMP port unreachable). */
const REJECT = `
 EVENT: -4 -t packetwalk_trace -N ready
NEWGEN: GENID=12 PID=6044 NAME=nft
PACKET: 2 b23f6836 IN=docker0 MACSRC=ce:73:31:b9:b2:f7 MACDST=36:bf:a7:4b:85:1 MACPROTO=0800 SRC=172.17.0.2 DST=172.17.0.1 LEN=60 TOS=0x0 TTL=64 ID=59295 DF SPORT=45550 DPORT=81 SYN
 TRACE: 2 b23f6836 packetwalk_trace:pre:rule:0x5:CONTINUE  -4 -t packetwalk_trace -A pre ! -d 224.0.0.0/4 -p tcp -j TRACE
 TRACE: 2 b23f6836 packetwalk_trace:pre:policy:ACCEPT
PACKET: 2 18d9daf9 OUT=docker0 SRC=172.17.0.1 DST=172.17.0.2 LEN=88 TOS=0xc0 TTL=64 ID=58827
 TRACE: 2 18d9daf9 packetwalk_trace:out:rule:0x8:CONTINUE  -4 -t packetwalk_trace -A out ! -d 224.0.0.0/4 -p icmp -j TRACE
 TRACE: 2 18d9daf9 packetwalk_trace:out:policy:ACCEPT
PACKET: 2 de18e7ab IN=docker0 MACSRC=ce:73:31:b9:b2:f7 MACDST=36:bf:a7:4b:85:1 MACPROTO=0800 SRC=172.17.0.2 DST=172.17.0.1 LEN=60 TOS=0x0 TTL=64 ID=59295 DF SPORT=45550 DPORT=81 SYN
 TRACE: 2 de18e7ab filter:INPUT:rule:0x9:DROP  -4 -t filter -A INPUT -p tcp -m tcp --dport 81 -j REJECT --reject-with icmp-port-unreachable
`;

/** c1 pings 198.51.100.9: forwarded through DOCKER-USER (RETURN), MASQUERADEd; the reply. */
const FORWARDED = `
 EVENT: -4 -t packetwalk_trace -N ready
NEWGEN: GENID=12 PID=5862 NAME=nft
PACKET: 2 216aeb96 IN=docker0 MACSRC=56:77:5b:d9:24:32 MACDST=3e:e4:28:46:e3:9a MACPROTO=0800 SRC=172.17.0.2 DST=198.51.100.9 LEN=84 TOS=0x0 TTL=64 ID=49461 DF
 TRACE: 2 216aeb96 packetwalk_trace:pre:rule:0x3:CONTINUE  -4 -t packetwalk_trace -A pre ! -d 224.0.0.0/4 -p icmp -j TRACE
 TRACE: 2 216aeb96 packetwalk_trace:pre:policy:ACCEPT
PACKET: 2 39b847ab IN=docker0 OUT=vext MACSRC=56:77:5b:d9:24:32 MACDST=3e:e4:28:46:e3:9a MACPROTO=0800 SRC=172.17.0.2 DST=198.51.100.9 LEN=84 TOS=0x0 TTL=63 ID=49461 DF
 TRACE: 2 39b847ab filter:FORWARD:rule:0x4:JUMP:DOCKER-USER  -4 -t filter -A FORWARD -j DOCKER-USER
 TRACE: 2 39b847ab filter:DOCKER-USER:rule:0x3:0xfffffffb  -4 -t filter -A DOCKER-USER -j RETURN
 TRACE: 2 39b847ab filter:FORWARD:rule:0x6:ACCEPT  -4 -t filter -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
PACKET: 2 39b847ab IN=docker0 OUT=vext MACSRC=56:77:5b:d9:24:32 MACDST=3e:e4:28:46:e3:9a MACPROTO=0800 SRC=172.17.0.2 DST=198.51.100.9 LEN=84 TOS=0x0 TTL=63 ID=49461 DF
 TRACE: 2 39b847ab nat:POSTROUTING:rule:0x2:ACCEPT  -4 -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
PACKET: 2 1a0be738 IN=vext MACSRC=b2:f0:f7:76:f3:88 MACDST=2:4a:c:6c:a5:2b MACPROTO=0800 SRC=198.51.100.9 DST=198.51.100.1 LEN=84 TOS=0x0 TTL=64 ID=45123
 TRACE: 2 1a0be738 packetwalk_trace:pre:rule:0x3:CONTINUE  -4 -t packetwalk_trace -A pre ! -d 224.0.0.0/4 -p icmp -j TRACE
 TRACE: 2 1a0be738 packetwalk_trace:pre:policy:ACCEPT
PACKET: 2 1a0be738 IN=vext OUT=docker0 MACSRC=b2:f0:f7:76:f3:88 MACDST=2:4a:c:6c:a5:2b MACPROTO=0800 SRC=198.51.100.9 DST=172.17.0.2 LEN=84 TOS=0x0 TTL=63 ID=45123
 TRACE: 2 1a0be738 filter:FORWARD:rule:0x4:JUMP:DOCKER-USER  -4 -t filter -A FORWARD -j DOCKER-USER
 TRACE: 2 1a0be738 filter:DOCKER-USER:rule:0x3:0xfffffffb  -4 -t filter -A DOCKER-USER -j RETURN
 TRACE: 2 1a0be738 filter:FORWARD:rule:0x7:ACCEPT  -4 -t filter -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
`;

/** c1 pings c2 across the bridge: br_netfilter shows it to FORWARD and POSTROUTING. */
const BRIDGED = `
PACKET: 2 4961a62a IN=docker0 MACSRC=ce:73:31:b9:b2:f7 MACDST=36:9c:8a:9f:d4:9d MACPROTO=0800 SRC=172.17.0.2 DST=172.17.0.3 LEN=84 TOS=0x0 TTL=64 ID=47202 DF
 TRACE: 2 4961a62a packetwalk_trace:pre:rule:0x3:CONTINUE  -4 -t packetwalk_trace -A pre ! -d 224.0.0.0/4 -p icmp -j TRACE
 TRACE: 2 4961a62a packetwalk_trace:pre:policy:ACCEPT
PACKET: 2 4961a62a IN=docker0 OUT=docker0 MACSRC=ce:73:31:b9:b2:f7 MACDST=36:9c:8a:9f:d4:9d MACPROTO=0800 SRC=172.17.0.2 DST=172.17.0.3 LEN=84 TOS=0x0 TTL=64 ID=47202 DF
 TRACE: 2 4961a62a filter:FORWARD:rule:0x4:JUMP:DOCKER-USER  -4 -t filter -A FORWARD -j DOCKER-USER
 TRACE: 2 4961a62a filter:DOCKER-USER:rule:0x3:0xfffffffb  -4 -t filter -A DOCKER-USER -j RETURN
 TRACE: 2 4961a62a filter:FORWARD:rule:0x5:ACCEPT  -4 -t filter -A FORWARD -i docker0 -o docker0 -j ACCEPT
PACKET: 2 4961a62a OUT=docker0 LL=0x0 36ffffff9cffffff8affffff9fffffffd4ffffff9dffffffce7331ffffffb9ffffffb2fffffff70800 SRC=172.17.0.2 DST=172.17.0.3 LEN=84 TOS=0x0 TTL=64 ID=47202 DF
 TRACE: 2 4961a62a nat:POSTROUTING:policy:ACCEPT
`;

/** `nc -v -z -u` from c1 to the host's udp port 53, dropped: the second datagram reuses both ids. */
const UDP = `
PACKET: 2 e73ddf16 IN=docker0 MACSRC=3a:d0:57:c3:80:5e MACDST=5a:35:27:9b:59:10 MACPROTO=0800 SRC=172.17.0.2 DST=172.17.0.1 LEN=29 TOS=0x0 TTL=64 ID=47078 DF SPORT=39749 DPORT=53
 TRACE: 2 e73ddf16 packetwalk_trace:pre:rule:0x4:CONTINUE  -4 -t packetwalk_trace -A pre ! -d 224.0.0.0/4 -p udp -j TRACE
 TRACE: 2 e73ddf16 packetwalk_trace:pre:policy:ACCEPT
PACKET: 2 f966753a IN=docker0 MACSRC=3a:d0:57:c3:80:5e MACDST=5a:35:27:9b:59:10 MACPROTO=0800 SRC=172.17.0.2 DST=172.17.0.1 LEN=29 TOS=0x0 TTL=64 ID=47078 DF SPORT=39749 DPORT=53
 TRACE: 2 f966753a filter:INPUT:rule:0xa:DROP  -4 -t filter -A INPUT -p udp -m udp --dport 53 -j DROP
PACKET: 2 e73ddf16 IN=docker0 MACSRC=3a:d0:57:c3:80:5e MACDST=5a:35:27:9b:59:10 MACPROTO=0800 SRC=172.17.0.2 DST=172.17.0.1 LEN=29 TOS=0x0 TTL=64 ID=47079 DF SPORT=39749 DPORT=53
 TRACE: 2 e73ddf16 packetwalk_trace:pre:rule:0x4:CONTINUE  -4 -t packetwalk_trace -A pre ! -d 224.0.0.0/4 -p udp -j TRACE
 TRACE: 2 e73ddf16 packetwalk_trace:pre:policy:ACCEPT
PACKET: 2 f966753a IN=docker0 MACSRC=3a:d0:57:c3:80:5e MACDST=5a:35:27:9b:59:10 MACPROTO=0800 SRC=172.17.0.2 DST=172.17.0.1 LEN=29 TOS=0x0 TTL=64 ID=47079 DF SPORT=39749 DPORT=53
 TRACE: 2 f966753a filter:INPUT:rule:0xa:DROP  -4 -t filter -A INPUT -p udp -m udp --dport 53 -j DROP
`;

/** `ping -c1 127.0.0.1` in the host: each direction is traced at output, then again at prerouting. */
const LOOPBACK = `
PACKET: 2 4f6d175c OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=84 TOS=0x0 TTL=64 ID=59037 DF
 TRACE: 2 4f6d175c packetwalk_trace:out:rule:0x8:CONTINUE  -4 -t packetwalk_trace -A out ! -d 224.0.0.0/4 -p icmp -j TRACE
 TRACE: 2 4f6d175c packetwalk_trace:out:policy:ACCEPT
PACKET: 2 4f6d175c OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=84 TOS=0x0 TTL=64 ID=59037 DF
 TRACE: 2 4f6d175c nat:POSTROUTING:policy:ACCEPT
PACKET: 2 8a667141 IN=lo LOOPBACK SRC=127.0.0.1 DST=127.0.0.1 LEN=84 TOS=0x0 TTL=64 ID=59037 DF
 TRACE: 2 8a667141 packetwalk_trace:pre:rule:0x3:CONTINUE  -4 -t packetwalk_trace -A pre ! -d 224.0.0.0/4 -p icmp -j TRACE
 TRACE: 2 8a667141 packetwalk_trace:pre:policy:ACCEPT
PACKET: 2 8a667141 IN=lo LOOPBACK SRC=127.0.0.1 DST=127.0.0.1 LEN=84 TOS=0x0 TTL=64 ID=59037 DF
 TRACE: 2 8a667141 filter:INPUT:rule:0xb:ACCEPT  -4 -t filter -A INPUT -i lo -j ACCEPT
PACKET: 2 553d69fd OUT=lo SRC=127.0.0.1 DST=127.0.0.1 LEN=84 TOS=0x0 TTL=64 ID=59038
 TRACE: 2 553d69fd packetwalk_trace:out:rule:0x8:CONTINUE  -4 -t packetwalk_trace -A out ! -d 224.0.0.0/4 -p icmp -j TRACE
 TRACE: 2 553d69fd packetwalk_trace:out:policy:ACCEPT
PACKET: 2 eeddb988 IN=lo LOOPBACK SRC=127.0.0.1 DST=127.0.0.1 LEN=84 TOS=0x0 TTL=64 ID=59038
 TRACE: 2 eeddb988 packetwalk_trace:pre:rule:0x3:CONTINUE  -4 -t packetwalk_trace -A pre ! -d 224.0.0.0/4 -p icmp -j TRACE
 TRACE: 2 eeddb988 packetwalk_trace:pre:policy:ACCEPT
PACKET: 2 eeddb988 IN=lo LOOPBACK SRC=127.0.0.1 DST=127.0.0.1 LEN=84 TOS=0x0 TTL=64 ID=59038
 TRACE: 2 eeddb988 filter:INPUT:rule:0xb:ACCEPT  -4 -t filter -A INPUT -i lo -j ACCEPT
`;

/** `nft -a list ruleset` of the same host (its ip tables; packetwalk_trace left out). */
const LISTING = `
table ip filter { # handle 1
	chain FORWARD { # handle 1
		type filter hook forward priority filter; policy drop;
		counter packets 0 bytes 0 jump DOCKER-USER # handle 4
		iifname "docker0" oifname "docker0" counter packets 0 bytes 0 accept # handle 5
		iifname "docker0" oifname != "docker0" counter packets 0 bytes 0 accept # handle 6
		oifname "docker0" ct state related,established counter packets 0 bytes 0 accept # handle 7
	}

	chain DOCKER-USER { # handle 2
		counter packets 0 bytes 0 return # handle 3
	}

	chain INPUT { # handle 8
		type filter hook input priority filter; policy accept;
		tcp dport 81 counter packets 0 bytes 0 reject # handle 9
		udp dport 53 counter packets 3 bytes 87 drop # handle 10
		iifname "lo" counter packets 2 bytes 168 accept # handle 11
	}
}
table ip nat { # handle 2
	chain POSTROUTING { # handle 1
		type nat hook postrouting priority srcnat; policy accept;
		oifname != "docker0" ip saddr 172.17.0.0/16 counter packets 0 bytes 0 masquerade # handle 2
	}
}
`;

/** FORWARD's first rule sends every packet through DOCKER-USER, which returns at once. */
const THROUGH_DOCKER_USER = [
  {
    table: "filter",
    chain: "FORWARD",
    rule: "-j DOCKER-USER",
    ruleNum: 1,
    verdict: "JUMP:DOCKER-USER",
    policy: false,
  },
  {
    table: "filter",
    chain: "DOCKER-USER",
    rule: "-j RETURN",
    ruleNum: 1,
    verdict: "RETURN",
    policy: false,
  },
];

describe("parseXtablesTrace", () => {
  it("groups by trace id: REJECT's ICMP error prints inside the SYN's lines", () => {
    // The rule's event comes after its target ran, so the error's lines come first; and
    // with br_netfilter the SYN has another id in INPUT than in PREROUTING.
    expect(parseXtablesTrace("", REJECT)).toEqual([
      {
        ns: "",
        src: "172.17.0.2",
        dst: "172.17.0.1",
        proto: "tcp",
        sport: 45550,
        dport: 81,
        tcpFlags: ["SYN"],
        len: 60,
        steps: [
          {
            table: "filter",
            chain: "INPUT",
            rule: "-p tcp -m tcp --dport 81 -j REJECT --reject-with icmp-port-unreachable",
            verdict: "DROP",
            policy: false,
          },
        ],
      },
      { ns: "", src: "172.17.0.1", dst: "172.17.0.2", proto: "icmp", len: 88, steps: [] },
    ]);
  });

  it("reads jumps, RETURN (printed as 0xfffffffb) and NAT; numbers rules by handle", () => {
    const packets = parseXtablesTrace("", FORWARDED, rulePositions(LISTING));
    expect(packets).toEqual([
      {
        ns: "",
        src: "172.17.0.2",
        dst: "198.51.100.9",
        proto: "icmp",
        len: 84,
        steps: [
          ...THROUGH_DOCKER_USER,
          {
            table: "filter",
            chain: "FORWARD",
            rule: "-i docker0 ! -o docker0 -j ACCEPT",
            ruleNum: 3,
            verdict: "ACCEPT",
            policy: false,
          },
          {
            table: "nat",
            chain: "POSTROUTING",
            rule: "-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
            ruleNum: 1,
            verdict: "ACCEPT",
            policy: false,
          },
        ],
      },
      {
        // Addresses as FORWARD sees them: conntrack has undone the MASQUERADE by then.
        ns: "",
        src: "198.51.100.9",
        dst: "172.17.0.2",
        proto: "icmp",
        len: 84,
        steps: [
          ...THROUGH_DOCKER_USER,
          {
            table: "filter",
            chain: "FORWARD",
            rule: "-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            ruleNum: 4,
            verdict: "ACCEPT",
            policy: false,
          },
        ],
      },
    ]);
  });

  it("reads policy events, and headers with a raw link layer (LL=)", () => {
    const [p, ...rest] = parseXtablesTrace("", BRIDGED);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ src: "172.17.0.2", dst: "172.17.0.3", proto: "icmp", len: 84 });
    expect(p!.steps.map((s) => `${s.table}:${s.chain}:${s.rule ?? "policy"}:${s.verdict}`)).toEqual(
      [
        "filter:FORWARD:-j DOCKER-USER:JUMP:DOCKER-USER",
        "filter:DOCKER-USER:-j RETURN:RETURN",
        "filter:FORWARD:-i docker0 -o docker0 -j ACCEPT:ACCEPT",
        "nat:POSTROUTING:policy:ACCEPT",
      ],
    );
    expect(p!.steps[3]).toEqual({
      table: "nat",
      chain: "POSTROUTING",
      verdict: "ACCEPT",
      policy: true,
    });
  });

  it("starts a new packet where our trace chain reports a reused id again", () => {
    const drop = {
      table: "filter",
      chain: "INPUT",
      rule: "-p udp -m udp --dport 53 -j DROP",
      verdict: "DROP",
      policy: false,
    };
    const udp = {
      ns: "c1",
      src: "172.17.0.2",
      dst: "172.17.0.1",
      proto: "udp",
      sport: 39749,
      dport: 53,
      len: 29,
    };
    expect(parseXtablesTrace("c1", UDP)).toEqual([
      { ...udp, steps: [drop] },
      { ...udp, steps: [drop] },
    ]);
  });

  it("follows a packet to a local address out through lo and in again as one", () => {
    // Received again on lo it gets another id, and our prerouting chain reports it anew.
    const packets = parseXtablesTrace("", LOOPBACK);
    expect(packets.map((p) => p.steps.map((s) => `${s.table}:${s.chain}:${s.verdict}`))).toEqual([
      ["nat:POSTROUTING:ACCEPT", "filter:INPUT:ACCEPT"],
      ["filter:INPUT:ACCEPT"],
    ]);
    expect(packets.every((p) => p.proto === "icmp" && p.src === "127.0.0.1")).toBe(true);
  });

  it("leaves out the egress watch's chains (ip and bridge), as packetwalk's own", () => {
    // As the kernel printed them after the NAT rule, when a walk's trace was scoped.
    const watched = FORWARDED.replace(
      " TRACE: 2 39b847ab nat:POSTROUTING:rule:0x2:ACCEPT  -4 -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n",
      (line) =>
        line +
        " TRACE: 2 39b847ab packetwalk_egress:routed:rule:0x3:CONTINUE  -4 -t packetwalk_egress -A routed ! -d 224.0.0.0/4\n" +
        " TRACE: 2 39b847ab packetwalk_egress:routed:policy:ACCEPT\n" +
        " TRACE: 7 39b847ab packetwalk_egress:local:policy:ACCEPT\n",
    );
    expect(watched).not.toBe(FORWARDED);
    expect(parseXtablesTrace("", watched, rulePositions(LISTING))).toEqual(
      parseXtablesTrace("", FORWARDED, rulePositions(LISTING)),
    );
  });

  it("skips ruleset events, NEWGEN lines and a cut-off last line", () => {
    const text =
      " EVENT: -4 -t filter -A INPUT -j DROP\nNEWGEN: GENID=3 PID=7 NAME=iptables\n TRACE: 2 1a";
    expect(parseXtablesTrace("", text)).toEqual([]);
    expect(parseXtablesTrace("", "")).toEqual([]);
  });
});

describe("rulePositions", () => {
  it("numbers each chain's rules from 1, by handle, in ip tables only", () => {
    const p = rulePositions(
      LISTING + "table inet other {\n\tchain c {\n\t\taccept # handle 2\n\t}\n}\n",
    );
    expect([...p.entries()]).toEqual([
      ["filter\tFORWARD\t4", 1],
      ["filter\tFORWARD\t5", 2],
      ["filter\tFORWARD\t6", 3],
      ["filter\tFORWARD\t7", 4],
      ["filter\tDOCKER-USER\t3", 1],
      ["filter\tINPUT\t9", 1],
      ["filter\tINPUT\t10", 2],
      ["filter\tINPUT\t11", 3],
      ["nat\tPOSTROUTING\t2", 1],
    ]);
  });
});
