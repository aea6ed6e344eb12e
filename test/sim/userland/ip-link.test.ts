// `ip link` in the simulator, against what iproute2 6.1 prints on kernel 6.18 (the
// expected texts are the kernel's, with the simulator's own MACs and indexes put in).
import { describe, expect, it } from "vitest";
import { Lab, res } from "./ip-helpers.js";

const LO_DOWN =
  "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
  "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n";

describe("ip link show", () => {
  it("shows a new namespace's loopback", () => {
    const l = new Lab();
    expect(l.run("ip link")).toEqual(res(0, LO_DOWN));
    expect(l.run("ip link show lo")).toEqual(res(0, LO_DOWN));
    expect(l.out("ip -br link")).toBe(
      "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \n",
    );
    expect(l.out("ip -o link")).toBe(
      "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\" +
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n",
    );
    expect(l.out("ip -j link")).toBe(
      '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"mtu":65536,"qdisc":"noop","operstate":"DOWN",' +
        '"linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"loopback",' +
        '"address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00"}]\n',
    );
    expect(l.out("ip -j -p link show lo")).toBe(
      "[ {\n" +
        '        "ifindex": 1,\n' +
        '        "ifname": "lo",\n' +
        '        "flags": [ "LOOPBACK" ],\n' +
        '        "mtu": 65536,\n' +
        '        "qdisc": "noop",\n' +
        '        "operstate": "DOWN",\n' +
        '        "linkmode": "DEFAULT",\n' +
        '        "group": "default",\n' +
        '        "txqlen": 1000,\n' +
        '        "link_type": "loopback",\n' +
        '        "address": "00:00:00:00:00:00",\n' +
        '        "broadcast": "00:00:00:00:00:00"\n' +
        "    } ]\n",
    );
    l.setup("ip link set lo up");
    expect(l.out("ip link show lo")).toBe(
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n" +
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n",
    );
  });

  it("names a veth pair's ends after each other, with M-DOWN while the peer is down", () => {
    const l = new Lab();
    l.setup("ip link add veth0 type veth peer name ceth0");
    const c = l.mac("ceth0");
    const v = l.mac("veth0");
    expect(l.out("ip link")).toBe(
      LO_DOWN +
        "2: ceth0@veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${c} brd ff:ff:ff:ff:ff:ff\n` +
        "3: veth0@ceth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${v} brd ff:ff:ff:ff:ff:ff\n`,
    );
    l.setup("ip link set veth0 up");
    expect(l.out("ip link show veth0")).toBe(
      "3: veth0@ceth0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${v} brd ff:ff:ff:ff:ff:ff\n`,
    );
    l.setup("ip link set ceth0 up");
    expect(l.out("ip -br link show ceth0")).toBe(
      `ceth0@veth0      UP             ${c} <BROADCAST,MULTICAST,UP,LOWER_UP> \n`,
    );
    // The qdisc stays noqueue once the device has been up.
    l.setup("ip link set ceth0 down");
    expect(l.out("ip link show ceth0")).toBe(
      "2: ceth0@veth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${c} brd ff:ff:ff:ff:ff:ff\n`,
    );
  });

  it("names unnamed veths veth%d, the peer first", () => {
    const l = new Lab();
    l.setup(
      "ip link add veth0 type veth peer name ceth0",
      "ip link add veth5 type veth peer",
      "ip link add type veth",
    );
    expect(
      l
        .out("ip -br link")
        .split("\n")
        .map((s) => s.split(" ")[0]),
    ).toEqual([
      "lo",
      "ceth0@veth0",
      "veth0@ceth0",
      "veth1@veth5",
      "veth5@veth1",
      "veth2@veth3",
      "veth3@veth2",
      "",
    ]);
    l.setup("ip link add type bridge");
    expect(l.dev("bridge0").kind).toBe("bridge");
  });

  it("shows a peer in another namespace as @ifN with link-netns or link-netnsid", () => {
    const l = new Lab();
    l.setup(
      "ip netns add netns0",
      "ip link add veth0 type veth peer name ceth0",
      "ip link set ceth0 netns netns0",
    );
    const v = l.mac("veth0");
    const c = l.mac("ceth0", "netns0");
    expect(l.out("ip link show veth0")).toBe(
      "3: veth0@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${v} brd ff:ff:ff:ff:ff:ff link-netns netns0\n`,
    );
    expect(l.out("ip -n netns0 link")).toBe(
      LO_DOWN +
        "2: ceth0@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${c} brd ff:ff:ff:ff:ff:ff link-netnsid 0\n`,
    );
    expect(l.out("ip -j link show veth0")).toBe(
      '[{"ifindex":3,"link_index":2,"ifname":"veth0","flags":["BROADCAST","MULTICAST"],"mtu":1500,"qdisc":"noop",' +
        '"operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether",' +
        `"address":"${v}","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0}]\n`,
    );
    // The veth that stayed: no carrier, and its peer's index names no device here, so
    // linkwatch (run when `ip` looked veth0 up by name, after the move) stores DOWN.
    l.setup("ip link set veth0 up");
    expect(l.out("ip link show veth0")).toBe(
      "3: veth0@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${v} brd ff:ff:ff:ff:ff:ff link-netns netns0\n`,
    );
    l.setup("ip -n netns0 link set ceth0 up");
    expect(l.out("ip link show veth0")).toContain(
      "<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP ",
    );
  });

  it("says DOWN, not LOWERLAYERDOWN, when the carrier went with a peer that left", () => {
    const l = new Lab();
    l.setup(
      "ip netns add ns1",
      "ip link add e0 type veth peer name e1",
      "ip link set e0 up",
      "ip link set e1 up",
    );
    l.setup("ip link set e1 netns ns1");
    expect(l.out("ip link show e0")).toBe(
      `3: e0@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000\n` +
        `    link/ether ${l.mac("e0")} brd ff:ff:ff:ff:ff:ff link-netns ns1\n`,
    );
  });

  it("leaves a non-urgent carrier change to linkwatch until a GETLINK of that device syncs it", () => {
    // Both ends get index 2: the ns1 end's carrier event is not urgent (ifindex == iflink),
    // so a dump still shows the old operstate (NO-CARRIER with LOWER_UP) ...
    const l = new Lab();
    l.setup(
      "ip netns add ns1",
      "ip link add veth0 type veth peer name ceth0 netns ns1",
      "ip link set veth0 up",
      "ip -n ns1 link set ceth0 up",
    );
    const c = l.mac("ceth0", "ns1");
    const lo = "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \n";
    expect(l.out("ip -n ns1 -br link")).toBe(
      lo + `ceth0@if2        DOWN           ${c} <NO-CARRIER,BROADCAST,MULTICAST,UP,LOWER_UP> \n`,
    );
    expect(l.out("ip -n ns1 addr show")).not.toContain("inet6");
    // ... until `ip link show ceth0` (rtnl_getlink -> linkwatch_sync_dev) runs it.
    expect(l.out("ip -n ns1 -br link show ceth0")).toBe(
      `ceth0@if2        UP             ${c} <BROADCAST,MULTICAST,UP,LOWER_UP> \n`,
    );
    expect(l.out("ip -n ns1 -br link")).toBe(
      lo + `ceth0@if2        UP             ${c} <BROADCAST,MULTICAST,UP,LOWER_UP> \n`,
    );
    expect(l.out("ip -n ns1 addr show ceth0")).toContain(
      `inet6 ${l.ll("ceth0", "ns1")}/64 scope link tentative`,
    );
    // The other end's event was urgent (its qdisc waited for carrier): it is UP at once.
    expect(l.out("ip -br link")).toContain(
      `veth0@if2        UP             ${l.mac("veth0")} <BROADCAST,MULTICAST,UP,LOWER_UP> \n`,
    );
  });

  it("runs deferred linkwatch events a second later", () => {
    const l = new Lab();
    l.setup(
      "ip netns add ns1",
      "ip link add veth0 type veth peer name ceth0 netns ns1",
      "ip link set veth0 up",
      "ip -n ns1 link set ceth0 up",
    );
    l.wait(1000);
    expect(l.out("ip -n ns1 -br link")).toContain("ceth0@if2        UP ");
  });

  it("filters on master, type and up (JSON keeps an empty object per link it drops itself)", () => {
    const l = new Lab();
    l.setup(
      "ip link add veth0 type veth peer name ceth0",
      "ip link add br0 type bridge",
      "ip link set veth0 master br0",
    );
    expect(l.out("ip link show master br0")).toMatch(/^3: veth0@ceth0: .* master br0 state DOWN /);
    expect(l.out("ip link show type bridge")).toMatch(/^4: br0: /);
    expect(l.out("ip link show type bridge_slave")).toMatch(/^3: veth0@ceth0: /);
    expect(l.out("ip link show type veth").match(/^\d+:/gm)).toEqual(["2:", "3:"]);
    expect(l.out("ip link show nomaster").match(/^\d+:/gm)).toEqual(["1:", "2:", "4:"]);
    expect(l.run("ip link show up")).toEqual(res(0));
    expect(l.out("ip -j link show up")).toBe("[{},{},{},{}]\n");
    expect(l.out("ip -j -p link show up")).toBe("[ {},{},{},{} ]\n");
    expect(l.out("ip -j link show type vxlan")).toBe("[]\n");
    expect(l.out("ip -j link show dev veth0 up")).toBe("[{}]\n");
  });
});

describe("ip link errors", () => {
  it("prints iproute2's and the kernel's messages with their exit codes", () => {
    const l = new Lab();
    l.setup(
      "ip netns add a",
      "ip link add veth0 type veth peer name ceth0",
      "ip link add br0 type bridge",
    );
    const cases: [string, number, string][] = [
      ["ip link add veth0 type veth peer name x", 2, "RTNETLINK answers: File exists\n"],
      ["ip link add y type veth peer name veth0", 2, "RTNETLINK answers: File exists\n"],
      ["ip link add br0 type bridge", 2, "RTNETLINK answers: File exists\n"],
      [
        "ip link add br4 name br5 type bridge",
        255,
        'both "name" and "dev" cannot be used when creating devices.\n',
      ],
      ["ip link add br6", 1, 'Not enough information: "type" argument is required\n'],
      ["ip link add br6 type foo", 2, "Error: Unknown device type.\n"],
      [
        "ip link add verylongname0123456 type bridge",
        2,
        "Error: Attribute failed policy validation.\n",
      ],
      ["ip link set nosuch up", 1, 'Cannot find device "nosuch"\n'],
      ["ip link set dev nosuch up", 1, 'Cannot find device "nosuch"\n'],
      [
        "ip link set veth0 netns nosuch",
        255,
        'Error: argument "nosuch" is wrong: Invalid "netns" value\n\n',
      ],
      ["ip link set br0 netns a", 2, "Error: The interface netns is immutable.\n"],
      ["ip link set lo netns a", 2, "Error: The interface netns is immutable.\n"],
      ["ip link set veth0 address zz", 1, '"zz" is invalid lladdr.\n'],
      [
        "ip link set veth0 address 01:00:00:00:00:01",
        2,
        "RTNETLINK answers: Cannot assign requested address\n",
      ],
      ["ip link set veth0 address aa:bb", 1, "Invalid address length 2 - must be 6 bytes\n"],
      [
        "ip link set veth0 address 00:00:00:00:00:00",
        2,
        "RTNETLINK answers: Cannot assign requested address\n",
      ],
      ["ip link set veth0 mtu 67", 2, "Error: mtu less than device minimum.\n"],
      ["ip link set veth0 mtu 65536", 2, "Error: mtu greater than device maximum.\n"],
      ["ip link set veth0 mtu abc", 255, 'Error: argument "abc" is wrong: Invalid "mtu" value\n\n'],
      [
        "ip link set veth0 mtu 1500 mtu 1600",
        255,
        'Error: duplicate "mtu": "1600" is the second value.\n',
      ],
      [
        "ip link set veth0 master nosuch",
        255,
        'Error: argument "nosuch" is wrong: Device does not exist\n\n',
      ],
      ["ip link set veth0 master ceth0", 2, "RTNETLINK answers: Operation not supported\n"],
      ["ip link set lo master br0", 2, "RTNETLINK answers: Invalid argument\n"],
      [
        "ip link set veth0 type bridge_slave hairpin on",
        2,
        "RTNETLINK answers: Operation not supported\n",
      ],
      ["ip link set veth0 foo", 255, 'Error: either "dev" is duplicate, or "foo" is a garbage.\n'],
      ["ip link set", 255, 'Not enough information: "dev" argument is required.\n'],
      ["ip link set veth0 name", 255, 'Command line is not complete. Try option "help"\n'],
      [
        "ip link set veth0 name 'a b'",
        255,
        'Error: argument "a b" is wrong: "name" not a valid ifname\n',
      ],
      ["ip link set veth0 name ceth0", 2, "RTNETLINK answers: File exists\n"],
      ["ip link set veth0 netns 99999", 2, "RTNETLINK answers: No such process\n"],
      ["ip link foo", 255, 'Command "foo" is unknown, try "ip link help".\n'],
      ["ip link show nosuch", 1, 'Device "nosuch" does not exist.\n'],
      ["ip link del nosuch", 1, 'Cannot find device "nosuch"\n'],
      ["ip link del lo", 2, "RTNETLINK answers: Operation not supported\n"],
      ["ip link del", 255, 'Not enough information: "dev" argument is required.\n'],
    ];
    for (const [line, exit, stderr] of cases)
      expect([line, l.run(line)]).toEqual([line, res(exit, "", stderr)]);
  });

  it("refuses a bridge in a bridge, and a port whose MAC is zero", () => {
    const l = new Lab();
    l.setup("ip link add br0 type bridge", "ip link add br1 type bridge");
    expect(l.run("ip link set br0 master br1")).toEqual(
      res(2, "", "Error: Can not enslave a bridge to a bridge.\n"),
    );
  });

  it("prints the usage on stdout for veth options other than peer", () => {
    const l = new Lab();
    expect(l.run("ip link add veth3 type veth foo")).toEqual(
      res(
        1,
        "Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n",
      ),
    );
    expect(l.run("ip link add veth2 type veth peer name ceth2 foo")).toEqual(
      res(255, "", 'both "name" and "dev" cannot be used when creating devices.\n'),
    );
    expect(l.run("ip link add veth1 type veth peer name ceth1 netns nosuch")).toEqual(
      res(255, "", 'Error: argument "nosuch" is wrong: Invalid "netns" value\n\n'),
    );
  });
});

describe("ip link set", () => {
  it("applies a request in do_setlink's order and stops at the first error", () => {
    const l = new Lab();
    l.setup(
      "ip link add d0 type veth peer name d1",
      "ip link set d1 address 02:00:00:00:00:01 mtu 9000 up",
    );
    expect(l.out("ip link show d1")).toBe(
      "2: d1@d0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 9000 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n" +
        "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n",
    );
    // The address is set before the MTU fails.
    expect(l.run("ip link set d1 mtu 100000 address 02:00:00:00:00:02")).toEqual(
      res(2, "", "Error: mtu greater than device maximum.\n"),
    );
    // The address fails before the device would go down.
    expect(l.run("ip link set d1 down address 03:00:00:00:00:02")).toEqual(
      res(2, "", "RTNETLINK answers: Cannot assign requested address\n"),
    );
    expect(l.out("ip link show d1")).toBe(
      "2: d1@d0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 9000 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n" +
        "    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff\n",
    );
    l.setup("ip link set d1 txqueuelen 500 arp off mtu 0x600 group 5 alias hello");
    expect(l.out("ip link show d1")).toBe(
      "2: d1@d0: <NO-CARRIER,BROADCAST,MULTICAST,NOARP,UP,M-DOWN> mtu 1536 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group 5 qlen 500\n" +
        "    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff\n" +
        "    alias hello\n",
    );
  });

  it("renames an up device, moves with a new name, and comes up in the new namespace", () => {
    const l = new Lab();
    l.setup(
      "ip netns add ns1",
      "ip link add veth0 type veth peer name ceth0",
      "ip link set veth0 up",
    );
    l.setup("ip link set veth0 name foo", "ip link set foo down name veth0 up");
    expect(l.out("ip -br link show veth0")).toBe(
      `veth0@ceth0      LOWERLAYERDOWN ${l.mac("veth0")} <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> \n`,
    );
    l.setup(
      "ip -n ns1 link add e0 type veth peer name e9",
      "ip link add e0 type veth peer name e1",
    );
    expect(l.run("ip link set e0 netns ns1")).toEqual(
      res(2, "", "Error: An interface with the same name exists in the target netns.\n"),
    );
    l.setup("ip link set e0 netns ns1 name e5 up");
    expect(l.out("ip -n ns1 -br link show e5")).toBe(
      `e5@if${l.idx("e1")}           LOWERLAYERDOWN ${l.mac("e5", "ns1")} <NO-CARRIER,BROADCAST,MULTICAST,UP> \n`,
    );
  });

  it("follows the ports with the bridge MAC, and zero after the last leaves", () => {
    const l = new Lab();
    l.setup(
      "ip link add br0 type bridge",
      "ip link add v0 type veth peer name p0",
      "ip link add v1 type veth peer name p1",
    );
    l.setup("ip link set v0 master br0", "ip link set v1 master br0");
    const low = [l.mac("v0"), l.mac("v1")].sort()[0]!;
    expect(l.mac("br0")).toBe(low);
    l.setup("ip link set v0 nomaster", "ip link set v1 nomaster");
    expect(l.out("ip link show br0")).toBe(
      "2: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        "    link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff\n",
    );
  });

  it("gives a bridge carrier as an empty bridge and while a port forwards", () => {
    const l = new Lab();
    l.setup("ip link add br0 type bridge", "ip link set br0 up");
    expect(l.out("ip link show br0")).toMatch(
      /^2: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> .* state UNKNOWN /,
    );
    l.setup("ip link add v0 type veth peer name p0", "ip link set v0 master br0");
    expect(l.out("ip link show br0")).toMatch(
      /^2: br0: <NO-CARRIER,BROADCAST,MULTICAST,UP> .* state DOWN /,
    );
    l.setup("ip link set v0 up", "ip link set p0 up");
    expect(l.out("ip link show br0")).toMatch(
      /^2: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> .* state UP /,
    );
    l.setup("ip link set v0 nomaster");
    expect(l.out("ip link show br0")).toMatch(
      /^2: br0: <NO-CARRIER,BROADCAST,MULTICAST,UP> .* state DOWN /,
    );
  });

  it("follows the smallest port MTU unless the MTU was set", () => {
    const l = new Lab();
    l.setup(
      "ip link add br0 type bridge",
      "ip link add v1 type veth peer name v2",
      "ip link set v1 up",
    );
    l.setup("ip link add vx0 type vxlan id 9 dev v1 dstport 4789", "ip link set vx0 master br0");
    expect(l.dev("br0").mtu).toBe(1450);
    l.setup("ip link set br0 mtu 9000", "ip link set v2 master br0");
    expect(l.dev("br0").mtu).toBe(9000);
  });
});

describe("ip -d link", () => {
  it("prints veth, bridge and bridge_slave details", () => {
    const l = new Lab();
    l.setup("ip link add veth0 type veth peer name ceth0", "ip link add br0 type bridge");
    const c = l.mac("ceth0");
    expect(l.out("ip -d link show ceth0")).toBe(
      "2: ceth0@veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${c} brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n` +
        "    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n",
    );
    expect(l.out("ip -d link show lo")).toBe(
      "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n",
    );
    const bridgeTail =
      "root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer    0.00 group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ";
    expect(l.out("ip -d link show br0")).toBe(
      "4: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${l.mac("br0")} brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n` +
        "    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 bridge_id 8000.0:0:0:0:0:0 designated_root 8000.0:0:0:0:0:0 " +
        bridgeTail +
        "tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 \n",
    );
    l.setup(
      "ip link set veth0 address 02:00:00:00:00:aa",
      "ip link set veth0 master br0",
      "ip link set veth0 type bridge_slave hairpin on",
    );
    expect(l.out("ip -d link show veth0")).toBe(
      "3: veth0@ceth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop master br0 state DOWN mode DEFAULT group default qlen 1000\n" +
        "    link/ether 02:00:00:00:00:aa brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 \n" +
        "    veth \n" +
        "    bridge_slave state disabled priority 32 cost 2 hairpin on guard off root_block off fastleave off learning on flood on port_id 0x8001 port_no 0x1 designated_port 32769 designated_cost 0 designated_bridge 8000.2:0:0:0:0:aa designated_root 8000.2:0:0:0:0:aa hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n",
    );
    expect(l.out("ip -j -d link show veth0")).toBe(
      '[{"ifindex":3,"link":"ceth0","ifname":"veth0","flags":["BROADCAST","MULTICAST","M-DOWN"],"mtu":1500,"qdisc":"noop","master":"br0","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"ether","address":"02:00:00:00:00:aa","broadcast":"ff:ff:ff:ff:ff:ff","promiscuity":1,"allmulti":1,"min_mtu":68,"max_mtu":65535,' +
        '"linkinfo":{"info_kind":"veth","info_slave_kind":"bridge","info_slave_data":{"state":"disabled","priority":32,"cost":2,"hairpin":true,"guard":false,"root_block":false,"fastleave":false,"learning":true,"flood":true,"id":"0x8001","no":"0x1","designated_port":32769,"designated_cost":0,"bridge_id":"8000.2:0:0:0:0:aa","root_id":"8000.2:0:0:0:0:aa","hold_timer":0.00,"message_age_timer":0.00,"forward_delay_timer":0.00,"topology_change_ack":0,"config_pending":0,"proxy_arp":false,"proxy_arp_wifi":false,"multicast_router":1,"mcast_flood":true,"bcast_flood":true,"mcast_to_unicast":false,"neigh_suppress":false,"group_fwd_mask":"0","group_fwd_mask_str":"0x0","vlan_tunnel":false,"isolated":false,"locked":false}},' +
        '"inet6_addr_gen_mode":"eui64","num_tx_queues":2,"num_rx_queues":2,"gso_max_size":65536,"gso_max_segs":65535,"tso_max_size":524280,"tso_max_segs":65535,"gro_max_size":65536}]\n',
    );
    // A port forwards once the bridge and the port are up with carrier; the bridge's gc runs 0.1 s after it opens.
    l.setup("ip link set br0 up", "ip link set veth0 up", "ip link set ceth0 up");
    expect(l.out("ip -d link show veth0")).toContain(
      " state forwarding priority 32 cost 2 hairpin on ",
    );
    expect(l.out("ip -d link show veth0")).toContain(" forward_delay_timer   15.00 ");
    expect(l.out("ip -d link show br0")).toContain(" gc_timer    0.10 ");
  });

  it("prints vxlan details and the dstport warning", () => {
    const l = new Lab();
    l.setup("ip link add veth0 type veth peer name ceth0");
    expect(l.run("ip link add vx2 type vxlan id 44")).toEqual(
      res(
        0,
        "",
        "vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\nUse 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message\n",
      ),
    );
    l.setup(
      "ip link add vx0 type vxlan id 42 remote 10.0.0.2 local 10.0.0.1 dstport 4789",
      "ip link add vx1 type vxlan id 43 dstport 4789 dev veth0 nolearning ttl 10",
    );
    const tail =
      "addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ";
    expect(l.out("ip -d link show vx0")).toBe(
      `5: vx0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n` +
        `    link/ether ${l.mac("vx0")} brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n` +
        `    vxlan id 42 remote 10.0.0.2 local 10.0.0.1 srcport 0 0 dstport 4789 ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx ${tail}tso_max_size 65536 tso_max_segs 65535 gro_max_size 65536 \n`,
    );
    expect(l.out("ip -d link show vx1")).toBe(
      `6: vx1: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n` +
        `    link/ether ${l.mac("vx1")} brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n` +
        `    vxlan id 43 dev veth0 srcport 0 0 dstport 4789 nolearning ttl 10 ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx ${tail}tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n`,
    );
    expect(l.out("ip -d link show vx2")).toContain(
      " vxlan id 44 srcport 0 0 dstport 8472 ttl auto ",
    );
    expect(l.out("ip -j -d link show vx0")).toContain(
      '"linkinfo":{"info_kind":"vxlan","info_data":{"id":42,"remote":"10.0.0.2","local":"10.0.0.1","port_range":{"low":0,"high":0},"port":4789,"learning":true,"ttl":0,"df":"unset","ageing":300,"udp_csum":true,"udp_zero_csum6_tx":false,"udp_zero_csum6_rx":false}}',
    );
    expect(l.run("ip link add vx3 type vxlan id 42 dstport 4789")).toEqual(
      res(2, "", "Error: A VXLAN device with the specified VNI already exists.\n"),
    );
    expect(l.run("ip link add vx3 type vxlan remote 1.2.3.4")).toEqual(
      res(1, "", "vxlan: missing virtual network identifier\n"),
    );
    expect(l.run("ip link add vx3 type vxlan id 16777216")).toEqual(
      res(255, "", 'Error: argument "16777216" is wrong: invalid id\n'),
    );
    expect(l.run("ip link add vx3 type vxlan id 5 dev nosuch")).toEqual(
      res(255, "", 'Cannot find device "nosuch"\n'),
    );
    // Deleting the underlay takes the vxlan with it.
    l.setup("ip link del veth0");
    expect(l.run("ip link show vx1")).toEqual(res(1, "", 'Device "vx1" does not exist.\n'));
  });
});

describe("ip -s link", () => {
  it("prints the counters in iproute2's columns", () => {
    const l = new Lab();
    l.setup("ip link add veth0 type veth peer name ceth0");
    const v = l.mac("veth0");
    expect(l.out("ip -s link show veth0")).toBe(
      "3: veth0@ceth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${v} brd ff:ff:ff:ff:ff:ff\n` +
        "    RX:  bytes packets errors dropped  missed   mcast           \n" +
        "             0       0      0       0       0       0 \n" +
        "    TX:  bytes packets errors dropped carrier collsns           \n" +
        "             0       0      0       0       0       0 \n",
    );
    expect(l.out("ip -s -s link show veth0")).toBe(
      "3: veth0@ceth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        `    link/ether ${v} brd ff:ff:ff:ff:ff:ff\n` +
        "    RX:  bytes packets errors dropped  missed   mcast           \n" +
        "             0       0      0       0       0       0 \n" +
        "    RX errors:  length    crc   frame    fifo overrun\n" +
        "                     0      0       0       0       0 \n" +
        "    TX:  bytes packets errors dropped carrier collsns           \n" +
        "             0       0      0       0       0       0 \n" +
        "    TX errors: aborted   fifo  window heartbt transns\n" +
        "                     0      0       0       0       1 \n",
    );
    expect(l.out("ip -s -j link show lo")).toBe(
      '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"mtu":65536,"qdisc":"noop","operstate":"DOWN","linkmode":"DEFAULT","group":"default","txqlen":1000,"link_type":"loopback","address":"00:00:00:00:00:00","broadcast":"00:00:00:00:00:00",' +
        '"stats64":{"rx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"over_errors":0,"multicast":0},"tx":{"bytes":0,"packets":0,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}}]\n',
    );
  });

  it("counts what ping sends over a veth and over lo", () => {
    const l = new Lab();
    l.setup(
      "ip netns add ns1",
      "ip link add veth0 type veth peer name ceth0",
      "ip link set ceth0 netns ns1",
      "ip addr add 10.0.0.1/24 dev veth0",
      "ip -n ns1 addr add 10.0.0.2/24 dev ceth0",
      "ip link set veth0 up",
      "ip -n ns1 link set ceth0 up",
      "ip link set lo up",
    );
    l.run("ping -c 1 127.0.0.1");
    // An echo request and its reply, 84 bytes each without the Ethernet header.
    expect(l.out("ip -s link show lo")).toContain(
      "    RX:  bytes packets errors dropped  missed   mcast           \n" +
        "           168       2      0       0       0       0 \n" +
        "    TX:  bytes packets errors dropped carrier collsns           \n" +
        "           168       2      0       0       0       0 \n",
    );
  });
});
