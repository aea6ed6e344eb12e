// `ip address` in the simulator, against what iproute2 6.1 prints on kernel 6.18.
import { describe, expect, it } from "vitest";
import { Lab, res } from "./ip-helpers.js";

const FOREVER = "       valid_lft forever preferred_lft forever\n";

/** veth0 with the addresses of the kernel run, in the order they were added. */
function addressed(): Lab {
  const l = new Lab();
  l.setup(
    "ip link add veth0 type veth peer name ceth0",
    "ip addr add 10.0.0.1/24 dev veth0",
    "ip addr add 10.0.0.2/24 dev veth0",
    "ip addr add 10.0.0.3/24 brd + dev veth0",
    "ip addr add 10.0.1.1/24 brd + dev veth0 label veth0:1",
    "ip addr add 10.0.2.1/24 broadcast 10.0.2.200 dev veth0 noprefixroute",
    "ip addr add 10.0.3.1/16 dev veth0 scope link",
    "ip addr add 192.168.1.1 dev veth0",
    "ip addr add 127.0.0.5/8 dev veth0",
    "ip addr add 10.0.4.1/24 dev veth0 label foo",
    "ip addr add fe80::1/64 dev veth0",
    "ip addr add 2001:db8::1/64 dev veth0",
  );
  return l;
}

const V4_LINES =
  "    inet 127.0.0.5/8 scope host veth0\n" +
  FOREVER +
  "    inet 10.0.3.1/16 scope link veth0\n" +
  FOREVER +
  "    inet 10.0.0.1/24 scope global veth0\n" +
  FOREVER +
  "    inet 10.0.1.1/24 brd 10.0.1.255 scope global veth0:1\n" +
  FOREVER +
  "    inet 10.0.2.1/24 brd 10.0.2.200 scope global noprefixroute veth0\n" +
  FOREVER +
  "    inet 192.168.1.1/32 scope global veth0\n" +
  FOREVER +
  "    inet 10.0.4.1/24 scope global foo\n" +
  FOREVER +
  "    inet 10.0.0.2/24 scope global secondary veth0\n" +
  FOREVER +
  "    inet 10.0.0.3/24 brd 10.0.0.255 scope global secondary veth0\n" +
  FOREVER;

const V6_LINES =
  "    inet6 2001:db8::1/64 scope global tentative \n" +
  FOREVER +
  "    inet6 fe80::1/64 scope link tentative \n" +
  FOREVER;

describe("ip addr show", () => {
  it("lists addresses in the kernel's order: primaries by scope, then secondaries; IPv6 by scope, newest first", () => {
    const l = addressed();
    const v = l.mac("veth0");
    const head =
      "3: veth0@ceth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n" +
      `    link/ether ${v} brd ff:ff:ff:ff:ff:ff\n`;
    expect(l.out("ip addr show veth0")).toBe(head + V4_LINES + V6_LINES);
    expect(l.out("ip addr show dev veth0")).toBe(head + V4_LINES + V6_LINES);
    expect(l.out("ip -4 addr")).toBe(
      "3: veth0@ceth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n" +
        V4_LINES,
    );
    // The AF_INET6 link dump is addrconf's short message: no qdisc, group or link/ether.
    expect(l.out("ip -6 addr")).toBe(
      "3: veth0@ceth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 state DOWN qlen 1000\n" + V6_LINES,
    );
    expect(l.out("ip -br addr")).toBe(
      "lo               DOWN           \n" +
        "ceth0@veth0      DOWN           \n" +
        "veth0@ceth0      DOWN           127.0.0.5/8 10.0.3.1/16 10.0.0.1/24 10.0.1.1/24 10.0.2.1/24 192.168.1.1/32 10.0.4.1/24 10.0.0.2/24 10.0.0.3/24 2001:db8::1/64 fe80::1/64 \n",
    );
    expect(l.out("ip -o -4 addr").split("\n")[0]).toBe(
      "3: veth0    inet 127.0.0.5/8 scope host veth0\\       valid_lft forever preferred_lft forever",
    );
    expect(l.out("ip -o addr").split("\n")[10]).toBe(
      "3: veth0    inet6 fe80::1/64 scope link tentative \\       valid_lft forever preferred_lft forever",
    );
  });

  it("filters on label, scope and up", () => {
    const l = addressed();
    expect(l.out("ip addr show label veth0:1")).toBe(
      "    inet 10.0.1.1/24 brd 10.0.1.255 scope global veth0:1\n" + FOREVER,
    );
    expect(l.out("ip addr show label 'veth0*'")).not.toContain("foo");
    const link = l.out("ip addr show scope link");
    expect(link).toContain(
      "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000\n",
    );
    expect(link).toContain(
      "    inet 10.0.3.1/16 scope link veth0\n" +
        FOREVER +
        "    inet6 fe80::1/64 scope link tentative \n",
    );
    expect(link).not.toContain("10.0.0.1");
    expect(l.run("ip addr show up")).toEqual(res(0));
    expect(l.run("ip addr show veth0 ceth0")).toEqual(
      res(255, "", 'Error: either "dev" is duplicate, or "ceth0" is a garbage.\n'),
    );
    expect(l.run("ip addr show nosuch")).toEqual(res(1, "", 'Device "nosuch" does not exist.\n'));
  });

  it("prints JSON, plain and pretty", () => {
    const l = new Lab();
    l.setup(
      "ip link add veth0 type veth peer name ceth0",
      "ip addr add 10.0.0.3/24 brd + dev veth0",
    );
    const v = l.mac("veth0");
    expect(l.out("ip -j addr show veth0")).toBe(
      `[{"ifindex":3,"link":"ceth0","ifname":"veth0","flags":["BROADCAST","MULTICAST","M-DOWN"],"mtu":1500,"qdisc":"noop","operstate":"DOWN","group":"default","txqlen":1000,"link_type":"ether","address":"${v}","broadcast":"ff:ff:ff:ff:ff:ff",` +
        '"addr_info":[{"family":"inet","local":"10.0.0.3","prefixlen":24,"broadcast":"10.0.0.255","scope":"global","label":"veth0","valid_life_time":4294967295,"preferred_life_time":4294967295}]}]\n',
    );
    expect(l.out("ip -j -p addr show ceth0")).toBe(
      "[ {\n" +
        '        "ifindex": 2,\n' +
        '        "link": "veth0",\n' +
        '        "ifname": "ceth0",\n' +
        '        "flags": [ "BROADCAST","MULTICAST","M-DOWN" ],\n' +
        '        "mtu": 1500,\n' +
        '        "qdisc": "noop",\n' +
        '        "operstate": "DOWN",\n' +
        '        "group": "default",\n' +
        '        "txqlen": 1000,\n' +
        '        "link_type": "ether",\n' +
        `        "address": "${l.mac("ceth0")}",\n` +
        '        "broadcast": "ff:ff:ff:ff:ff:ff",\n' +
        '        "addr_info": [ ]\n' +
        "    } ]\n",
    );
    expect(l.out("ip -j -br addr show veth0")).toBe(
      '[{"link":"ceth0","ifname":"veth0","operstate":"DOWN","addr_info":[{"local":"10.0.0.3","prefixlen":24}]}]\n',
    );
  });

  it("gives lo 127.0.0.1 and ::1 when it comes up, and keeps IPv4 when it goes down", () => {
    const l = new Lab();
    expect(l.out("ip addr")).toBe(
      "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000\n" +
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n",
    );
    l.setup(
      "ip link set lo up",
      "ip addr add 127.0.0.2/8 dev lo",
      "ip addr add 10.9.9.9/32 dev lo",
    );
    const up =
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n" +
      "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n" +
      "    inet 127.0.0.1/8 scope host lo\n" +
      FOREVER +
      "    inet 10.9.9.9/32 scope global lo\n" +
      FOREVER +
      "    inet 127.0.0.2/8 scope host secondary lo\n" +
      FOREVER;
    expect(l.out("ip addr show lo")).toBe(up + "    inet6 ::1/128 scope host \n" + FOREVER);
    l.setup("ip link set lo down");
    expect(l.out("ip addr show lo")).toBe(
      up.replace("<LOOPBACK,UP,LOWER_UP>", "<LOOPBACK>").replace("UNKNOWN", "DOWN"),
    );
    l.setup(
      "ip link set lo up",
      "ip addr flush dev lo",
      "ip link set lo down",
      "ip link set lo up",
    );
    expect(l.out("ip addr show lo")).toBe(
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n" +
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n" +
        "    inet 127.0.0.1/8 scope host lo\n" +
        FOREVER +
        "    inet6 ::1/128 scope host \n" +
        FOREVER,
    );
  });

  it("adds the EUI-64 link-local when the link is up with carrier, tentative until DAD ends", () => {
    const l = new Lab();
    l.setup(
      "ip netns add netns0",
      "ip link add veth0 type veth peer name ceth0",
      "ip link set ceth0 netns netns0",
    );
    l.setup("ip link set veth0 up");
    expect(l.out("ip addr show veth0")).not.toContain("inet6");
    l.setup("ip -n netns0 link set ceth0 up");
    const head =
      "3: veth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n" +
      `    link/ether ${l.mac("veth0")} brd ff:ff:ff:ff:ff:ff link-netns netns0\n`;
    expect(l.out("ip addr show veth0")).toBe(
      head + `    inet6 ${l.ll("veth0")}/64 scope link tentative \n` + FOREVER,
    );
    l.wait(2500);
    expect(l.out("ip addr show veth0")).toBe(
      head + `    inet6 ${l.ll("veth0")}/64 scope link \n` + FOREVER,
    );
    expect(l.out("ip -4 addr show veth0")).toBe("");
    // The header carries link-netns itself when the link/ether line is left out.
    l.setup("ip addr add 10.0.0.1/24 dev veth0");
    expect(l.out("ip -4 addr show veth0")).toBe(
      "3: veth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns netns0\n" +
        "    inet 10.0.0.1/24 scope global veth0\n" +
        FOREVER,
    );
  });
});

describe("ip addr add/del/flush", () => {
  it("prints the errors and exit codes", () => {
    const l = new Lab();
    l.setup("ip link add veth0 type veth peer name ceth0", "ip addr add 10.0.0.1/24 dev veth0");
    const cases: [string, number, string][] = [
      ["ip addr add 10.0.0.1/24 dev veth0", 2, "Error: ipv4: Address already assigned.\n"],
      ["ip addr add 10.0.0.2/24 dev veth0 scope link", 2, "Error: ipv4: Invalid scope value.\n"],
      ["ip addr add 10.0.4.1/24 dev nosuch", 1, 'Cannot find device "nosuch"\n'],
      [
        "ip addr add 10.0.4.1/33 dev veth0",
        1,
        'Error: any valid prefix is expected rather than "10.0.4.1/33".\n',
      ],
      [
        "ip addr add 10.0.4.300/24 dev veth0",
        1,
        'Error: any valid prefix is expected rather than "10.0.4.300/24".\n',
      ],
      [
        "ip -6 addr add 10.0.0.1/24 dev veth0",
        1,
        'Error: inet6 prefix is expected rather than "10.0.0.1/24".\n',
      ],
      ["ip addr add 10.0.4.1/24", 1, 'Not enough information: "dev" argument is required.\n'],
      ["ip addr add dev veth0", 2, "RTNETLINK answers: Operation not supported\n"],
      ["ip -4 addr add dev veth0", 2, "Error: ipv4: Local address is not supplied.\n"],
      [
        "ip addr add 10.0.5.1/24 dev veth0 foo",
        255,
        'Error: either "local" is duplicate, or "foo" is a garbage.\n',
      ],
      [
        "ip addr add 10.0.5.1/24 dev veth0 scope bogus",
        255,
        'Error: argument "bogus" is wrong: invalid scope value.\n',
      ],
      [
        "ip addr add 2001:db8::1/64 brd + dev veth0",
        1,
        "Broadcast can be set only for IPv4 addresses\n",
      ],
      ["ip addr del 10.0.0.9/24 dev veth0", 2, "Error: ipv4: Address not found.\n"],
      ["ip addr del 10.0.0.1/24 dev veth0 label veth0:y", 2, "Error: ipv4: Address not found.\n"],
      [
        "ip addr add ::1/128 dev veth0",
        2,
        "Error: ipv6: Cannot assign loopback address on this device.\n",
      ],
      ["ip addr del 2001:db8::9/64 dev veth0", 2, "Error: ipv6: address not found.\n"],
      ["ip addr flush", 1, "Flush requires arguments.\n"],
      ["ip addr foo", 255, 'Command "foo" is unknown, try "ip address help".\n'],
    ];
    for (const [line, exit, stderr] of cases)
      expect([line, l.run(line)]).toEqual([line, res(exit, "", stderr)]);
    expect(l.run("ip addr add 10.0.6.1/24 dev veth0 nodad")).toEqual(
      res(0, "", "Warning: nodad option can be set only for IPv6 addresses\n"),
    );
    expect(l.run("ip addr add 10.0.7.1/24 dev veth0 tentative")).toEqual(
      res(0, "", "Warning: tentative option is not mutable from userspace\n"),
    );
    l.setup("ip addr add 2001:db8::2/64 dev veth0 nodad");
    expect(l.run("ip addr add 2001:db8::2/64 dev veth0")).toEqual(
      res(2, "", "Error: ipv6: address already assigned.\n"),
    );
    expect(l.out("ip -6 addr show veth0")).toContain(
      "    inet6 2001:db8::2/64 scope global nodad \n",
    );
  });

  it("deletes with a wildcard when no prefix length is given, and a primary takes its secondaries", () => {
    const l = addressed();
    expect(l.run("ip addr del 10.0.0.2/24 dev veth0")).toEqual(res(0));
    expect(l.run("ip addr del 10.0.0.1 dev veth0")).toEqual(
      res(
        0,
        "",
        "Warning: Executing wildcard deletion to stay compatible with old scripts.\n" +
          "         Explicitly specify the prefix length (10.0.0.1/32) to avoid this warning.\n" +
          "         This special behaviour is likely to disappear in further releases,\n" +
          "         fix your scripts!\n",
      ),
    );
    const out = l.out("ip -4 addr show veth0");
    expect(out).not.toContain("10.0.0.1/24");
    expect(out).not.toContain("10.0.0.3/24");
    expect(l.run("ip addr del 10.0.0.1/24 dev veth0")).toEqual(
      res(2, "", "Error: ipv4: Address not found.\n"),
    );
  });

  it("flushes by device, label and scope", () => {
    const l = addressed();
    l.setup("ip -4 addr flush dev veth0 label veth0:1");
    expect(l.out("ip addr show veth0")).not.toContain("veth0:1");
    l.setup("ip addr flush dev veth0 scope global");
    expect(
      l
        .out("ip addr show veth0")
        .split("\n")
        .filter((s) => s.startsWith("    inet")),
    ).toEqual([
      "    inet 127.0.0.5/8 scope host veth0",
      "    inet 10.0.3.1/16 scope link veth0",
      "    inet6 fe80::1/64 scope link tentative ",
    ]);
    l.setup("ip addr flush dev veth0");
    expect(l.out("ip addr show veth0")).not.toContain("inet");
  });

  it("renames address labels with the device (inetdev_changename)", () => {
    const l = new Lab();
    l.setup(
      "ip link add veth0 type veth peer name ceth0",
      "ip addr add 10.0.0.1/24 dev veth0",
      "ip addr add 10.0.0.2/24 dev veth0",
      "ip addr add 10.0.0.3/24 dev veth0 label veth0:7",
      "ip addr add 10.0.1.1/24 dev veth0",
    );
    l.setup("ip link set veth0 name eth0");
    expect(
      l
        .out("ip -4 addr show eth0")
        .split("\n")
        .filter((s) => s.startsWith("    inet")),
    ).toEqual([
      "    inet 10.0.0.1/24 scope global eth0",
      "    inet 10.0.1.1/24 scope global eth0:2",
      "    inet 10.0.0.2/24 scope global secondary eth0:3",
      "    inet 10.0.0.3/24 scope global secondary eth0:7",
    ]);
    l.setup("ip link set eth0 name averyveryverylo");
    expect(l.out("ip -4 addr show averyveryverylo")).toContain(
      "    inet 10.0.1.1/24 scope global averyveryvery:2\n",
    );
  });

  it("drops a moved device's addresses", () => {
    const l = new Lab();
    l.setup(
      "ip netns add ns1",
      "ip link add d0 type veth peer name d1",
      "ip addr add 10.1.1.1/24 dev d1",
      "ip link set d1 netns ns1",
    );
    expect(l.out("ip -n ns1 addr show d1")).toBe(
      "2: d1@if3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default qlen 1000\n" +
        `    link/ether ${l.mac("d1", "ns1")} brd ff:ff:ff:ff:ff:ff link-netnsid 0\n`,
    );
  });
});
