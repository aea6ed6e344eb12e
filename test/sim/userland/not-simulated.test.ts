// Issue 9 §2: what the real tool accepts but the simulator does not model is refused with
// "packetwalk: X is not simulated (run it with --kernel)" and exit 2, never with the real
// tool's "unknown" text; what the real tool itself rejects keeps the real tool's error.
import { describe, expect, it } from "vitest";
import { NOT_SIMULATED_EXIT, notSimulatedText } from "../../../src/sim/userland/not-simulated.js";
import { Lab } from "./ip-helpers.js";

function world(): Lab {
  const l = new Lab();
  l.setup(
    "ip link add br0 type bridge",
    "ip link add veth0 type veth peer name veth1",
    "ip link set veth0 master br0",
  );
  return l;
}

// [line, what the refusal names]
const REFUSED: [string, string][] = [
  // Seen in issue 9.
  ["ip -c a", "ip -c"],
  // (`ping -s 1400`, also seen there, is simulated now: test/labs-pending/ping-size-mtu.lab, waiting for a fix.)
  ["ip -color=always link", "ip -color=always"],
  ["ip link add link br0 name br0.10 type vlan id 10", "ip link add ... type vlan"],
  ["ip tuntap", "ip tuntap"],
  ["ip tuntap add dev tap0 mode tap", "ip tuntap"],
  ["bridge vlan show", "bridge vlan"],
  // ip: other global options and objects of iproute2 6.1.
  ["ip -r a", "ip -r"],
  ["ip -t a", "ip -t"],
  ["ip -ts a", "ip -ts"],
  ["ip -N a", "ip -N"],
  ["ip -a a", "ip -a"],
  ["ip -h a", "ip -h"],
  ["ip -iec a", "ip -iec"],
  ["ip -l 1 a", "ip -l"],
  ["ip -rc 1000 a", "ip -rc"],
  ["ip -V", "ip -V"],
  ["ip -B a", "ip -B"],
  ["ip -0 a", "ip -0"],
  ["ip -M a", "ip -M"],
  ["ip -f link a", "ip -family link"],
  ["ip m", "ip maddress"],
  ["ip maddress show", "ip maddress"],
  ["ip t", "ip tunnel"],
  ["ip tunnel show", "ip tunnel"],
  ["ip xfrm state", "ip xfrm"],
  ["ip nexthop", "ip nexthop"],
  ["ip monitor", "ip monitor"],
  ["ip vrf", "ip vrf"],
  ["ip help", "ip help"],
  ["ip link add d0 type dummy", "ip link add ... type dummy"],
  ["ip link add mv0 link veth1 type macvlan mode bridge", "ip link add ... type macvlan"],
  ["ip link add wg0 type wireguard", "ip link add ... type wireguard"],
  ["ip link replace br0 type bridge", "ip link replace"],
  ["ip link set veth0 addrgenmode random", "ip link addrgenmode random"],
  ["ip link set veth0 addrgenmode stable_secret", "ip link addrgenmode stable_secret"],
  // ping: iputils options not modelled (-4 and -n are: they change nothing here).
  ["ping -w 1 10.0.0.1", "ping -w"],
  ["ping -c1 -p ff 10.0.0.1", "ping -p"],
  ["ping -c1 -Q 0x10 10.0.0.1", "ping -Q"],
  ["ping -c1 -S 1000 10.0.0.1", "ping -S"],
  ["ping -c1 -l 3 10.0.0.1", "ping -l"],
  ["ping -c1 -m 1 10.0.0.1", "ping -m"],
  ["ping -c1 -D 10.0.0.1", "ping -D"],
  ["ping -c1 -O 10.0.0.1", "ping -O"],
  ["ping -c1 -R 10.0.0.1", "ping -R"],
  ["ping -c1 -b 10.0.0.255", "ping -b"],
  ["ping -c1 -v 10.0.0.1", "ping -v"],
  ["ping -V", "ping -V"],
  ["ping -6 ::1", "ping -6"],
  // An IPv6 literal: no IPv6 datapath (issue 10), not a resolver failure.
  ["ping ::1", "ping to an IPv6 address"],
  ["ping -c1 -W1 fe80::1%eth0", "ping to an IPv6 address"],
  ["nc -w 1 ::1 8080", "nc to an IPv6 address"],
  ["nc -zv ::1 8080", "nc to an IPv6 address"],
  ["nc -u -w 1 ::1 53", "nc to an IPv6 address"],
  ["ping -c1 -aU 10.0.0.1", "ping -a"],
  // bridge: other objects and options.
  ["bridge vlan", "bridge vlan"],
  ["bridge mdb show", "bridge mdb"],
  ["bridge monitor", "bridge monitor"],
  ["bridge -c fdb show", "bridge -c"],
  ["bridge -s link", "bridge -s"],
  ["bridge -compressvlans vlan show", "bridge -compressvlans"],
  // bridge fdb: the commands that change or query single entries.
  ["bridge fdb add 02:00:00:00:00:01 dev lo", "bridge fdb add"],
  ["bridge fdb ap 02:00:00:00:00:01 dev lo", "bridge fdb append"],
  ["bridge fdb replace 02:00:00:00:00:01 dev lo", "bridge fdb replace"],
  ["bridge fdb del 02:00:00:00:00:01 dev lo", "bridge fdb delete"],
  ["bridge fdb get 02:00:00:00:00:01 br lo", "bridge fdb get"],
  ["bridge fdb flush dev lo", "bridge fdb flush"],
  // conntrack: other commands, filters, formats.
  ["conntrack -E", "conntrack -E"],
  ["conntrack -C", "conntrack -C"],
  ["conntrack -S", "conntrack -S"],
  ["conntrack -D -p icmp", "conntrack -D"],
  ["conntrack -L -o extended", "conntrack -o"],
  // traceroute: other methods and options.
  // (-I and -T are simulated now: test/labs/traceroute-icmp.lab, traceroute-tcp.lab.)
  ["traceroute -n -U 10.0.0.1", "traceroute -U"],
  ["traceroute -n -I -T 10.0.0.1", "traceroute -I with -T"],
  ["traceroute -n -p 80 10.0.0.1", "traceroute -p without -T"],
  ["traceroute -n 10.0.0.1 100", "traceroute with a packet length"],
  // (-s/-d/-r/-q, ports, --state, --icmp-*, -m and -n/-g/-j are simulated now:
  // test/labs/conntrack-filters.lab; a mask or a name is not.)
  ["conntrack -L -s 10.0.0.0/24", "conntrack -s 10.0.0.0/24"],
  ["conntrack -L --orig-dst example.com", "conntrack --orig-dst example.com"],
  ["conntrack -L -m 1/0xzz", "conntrack -m 1/0xzz"],
  ["conntrack -F -s 10.0.0.1", "conntrack -F with a filter"],
  ["conntrack -L -p tcp --mask-port-src 1", "conntrack --mask-port-src"],
  ["conntrack -L -f ipv6", "conntrack -f"],
  // sysctl: procps options not modelled.
  ["sysctl -e net.ipv4.nonexistent", "sysctl -e"],
  ["sysctl -N net.ipv4.ip_forward", "sysctl -N"],
  ["sysctl -b net.ipv4.ip_forward", "sysctl -b"],
  ["sysctl --ignore net.ipv4.ip_forward", "sysctl --ignore"],
  // ss: what it shows beyond TCP and UDP sockets over IPv4, and its other views.
  ["ss -s", "ss -s"],
  ["ss -tlne", "ss -e"],
  ["ss -ti", "ss -i"],
  ["ss -tm", "ss -m"],
  ["ss -tlo", "ss -o"],
  ["ss -x", "ss -x"],
  ["ss -lw", "ss -w"],
  ["ss -6tln", "ss -6"],
  ["ss --summary", "ss -s"],
  ["ss -N a -tln", "ss -N"],
  ["ss -tn state established", "ss with a filter (state)"],
  ["ss -tln sport = :80", "ss with a filter (sport)"],
  ["ss -ln", "ss without -t or -u"],
  ["ss", "ss without -t or -u"],
  // iptables and iptables-restore (the same message as every other program).
  ["iptables-restore -h", "iptables-restore -h"],
  ["iptables -A INPUT -m limit --limit 1/s -j ACCEPT", "iptables: the limit match"],
  // net-tools arp and bridge-utils brctl: the display is simulated, changes are not.
  ["arp -n -v", "arp -v"],
  ["arp", "arp without -n (looking names up)"],
  ["arp -a", "arp without -n (looking names up)"],
  ["arp -n -s 10.0.0.2 02:00:00:00:00:02", "arp -s"],
  ["arp -n -d 10.0.0.2", "arp -d"],
  ["arp -n localhost", "arp with a host name"],
  ["brctl addbr br9", "brctl addbr"],
  ["brctl addif br0 veth1", "brctl addif"],
  ["brctl stp br0 on", "brctl stp"],
  ["brctl showstp br0", "brctl showstp"],
  ["brctl", "brctl without a command"],
];

describe("not simulated: one message, one exit code", () => {
  it.each(REFUSED)("%s", (line, what) => {
    const r = world().run(line);
    expect(r).toEqual({ exit: NOT_SIMULATED_EXIT, stdout: "", stderr: notSimulatedText(what) });
  });

  it("the message names the command and how to run it for real", () => {
    expect(notSimulatedText("ip -c")).toBe(
      "packetwalk: ip -c is not simulated (run it with --kernel)\n",
    );
    expect(NOT_SIMULATED_EXIT).toBe(2);
  });
});

// What the real tool rejects itself keeps its own message (checked against iproute2 6.1,
// iputils 20221126, conntrack-tools 1.4.7).
const REAL_ERRORS: [string, number, string | RegExp][] = [
  ["ip -zz a", 255, 'Option "-zz" is unknown, try "ip -help".\n'],
  ["ip foo", 1, 'Object "foo" is unknown, try "ip help".\n'],
  ["bridge -zz link", 255, 'Option "-zz" is unknown, try "bridge help".\n'],
  ["bridge foo", 255, 'Object "foo" is unknown, try "bridge help".\n'],
  [
    "conntrack -L --dport 8080",
    2,
    "conntrack v1.4.7 (conntrack-tools): unknown option `--dport'\nTry `conntrack -h' or 'conntrack --help' for more information.\n",
  ],
  ["ping -x 10.0.0.1", 2, /^ping: invalid option -- 'x'\n/],
  ["ip link add x0 type nosuchtype", 2, "Error: Unknown device type.\n"],
];

describe("the real tool's own errors stay", () => {
  it.each(REAL_ERRORS)("%s", (line, exit, stderr) => {
    const r = world().run(line);
    expect(r.exit).toBe(exit);
    if (typeof stderr === "string") expect(r.stderr).toBe(stderr);
    else expect(r.stderr).toMatch(stderr);
  });

  it("ping -4 and -n are accepted: they change nothing in an IPv4-only lab", () => {
    const l = new Lab();
    l.setup("ip link set lo up");
    const r = l.run("ping -4 -n -c1 127.0.0.1");
    expect(r.exit).toBe(0);
    expect(r.stdout).toContain("1 packets transmitted, 1 received");
  });
});
