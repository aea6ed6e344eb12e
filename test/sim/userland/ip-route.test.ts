// `ip route` in the simulator against iproute2 6.1 on kernel 6.18: the transcripts in
// fixtures/route-*.json were recorded on the kernel from test/labs/route-*.lab.
import { describe, expect, it } from "vitest";
import { Lab, res } from "./ip-helpers.js";
import { replay } from "./ip-replay.js";

describe("ip route: kernel transcripts", () => {
  for (const f of [
    "route-show-filters",
    "route-add-errors",
    "route-types-tables",
    "route-get",
    "route-modify",
  ]) {
    it(f, () => {
      expect(replay(`${f}.json`).join("\n")).toBe("");
    });
  }
});

function host(): Lab {
  const l = new Lab();
  l.setup(
    "ip link set lo up",
    "ip link add veth0 type veth peer name veth1",
    "ip addr add 172.18.0.11/16 dev veth0",
    "ip link set veth0 up",
  );
  return l;
}

describe("ip route", () => {
  it("prints each field with its trailing space and flags linkdown while the peer is down", () => {
    const l = host();
    l.setup("ip route add 10.6.0.0/16 via 9.9.9.9 dev veth0 onlink");
    expect(l.run("ip route")).toEqual(
      res(
        0,
        "10.6.0.0/16 via 9.9.9.9 dev veth0 onlink linkdown \n172.18.0.0/16 dev veth0 proto kernel scope link src 172.18.0.11 linkdown \n",
      ),
    );
    l.setup("ip link set veth1 up");
    expect(l.out("ip -j route")).toBe(
      '[{"dst":"10.6.0.0/16","gateway":"9.9.9.9","dev":"veth0","flags":["onlink"]},' +
        '{"dst":"172.18.0.0/16","dev":"veth0","protocol":"kernel","scope":"link","prefsrc":"172.18.0.11","flags":[]}]\n',
    );
  });

  it("gives the kernel's errors with iproute2's exit codes", () => {
    const l = host();
    expect(l.run("ip route add 10.0.0.0/8 via 192.168.1.1")).toEqual(
      res(2, "", "Error: Nexthop has invalid gateway.\n"),
    );
    expect(l.run("ip route add 10.0.0.1/8 dev veth0")).toEqual(
      res(2, "", "Error: Invalid prefix for given prefix length.\n"),
    );
    expect(l.run("ip route add 10.0.0.0/8 dev nosuch")).toEqual(
      res(1, "", 'Cannot find device "nosuch"\n'),
    );
    expect(l.run("ip route add foo dev veth0")).toEqual(
      res(1, "", 'Error: any valid prefix is expected rather than "foo".\n'),
    );
    expect(l.run("ip -4 route get foo")).toEqual(
      res(1, "", 'Error: inet prefix is expected rather than "foo".\n'),
    );
    expect(l.run("ip route del 10.0.0.0/8")).toEqual(
      res(2, "", "RTNETLINK answers: No such process\n"),
    );
    l.setup("ip route add default via 172.18.0.1");
    expect(l.run("ip route add default via 172.18.0.1")).toEqual(
      res(2, "", "RTNETLINK answers: File exists\n"),
    );
    expect(l.run("ip route show table 100")).toEqual(
      res(2, "", "Error: ipv4: FIB table does not exist.\nDump terminated\n"),
    );
    expect(l.run("ip route get 8.8.8.8 oif veth1")).toEqual(
      res(2, "", "RTNETLINK answers: Network is unreachable\n"),
    );
  });

  it("route get: the uid and cache lines, and the local table once custom rules exist", () => {
    const l = host();
    l.setup("ip link set veth1 up", "ip route add default via 172.18.0.1");
    expect(l.out("ip route get 8.8.8.8")).toBe(
      "8.8.8.8 via 172.18.0.1 dev veth0 src 172.18.0.11 uid 0 \n    cache \n",
    );
    expect(l.out("ip route get 172.18.0.11")).toBe(
      "local 172.18.0.11 dev lo src 172.18.0.11 uid 0 \n    cache <local> \n",
    );
    expect(l.out("ip -o route get 172.18.0.5")).toBe(
      "172.18.0.5 dev veth0 src 172.18.0.11 uid 0 \\    cache \n",
    );
    l.setup("ip rule add from 1.2.3.4 table 100", "ip rule del from 1.2.3.4 table 100");
    expect(l.out("ip route get 172.18.0.11")).toBe(
      "local 172.18.0.11 dev lo table local src 172.18.0.11 uid 0 \n    cache <local> \n",
    );
    expect(l.out("ip route get 172.18.255.255")).toBe(
      "broadcast 172.18.255.255 dev veth0 table local src 172.18.0.11 uid 0 \n    cache <local,brd> \n",
    );
  });

  it("JSON output of a failed dump is the opening bracket alone", () => {
    const l = new Lab();
    expect(l.run("ip -j route show table local")).toEqual(
      res(2, "[", "Error: ipv4: FIB table does not exist.\nDump terminated\n"),
    );
    expect(l.run("ip -j -p route")).toEqual(res(0, "[ ]\n"));
  });
});
