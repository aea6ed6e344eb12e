// A world where a probe's way is short and most namespaces are off it: a, x1 and x2 on the
// host's bridge; b behind the host, forwarded and masqueraded; 10.9.9.9 DNATed to b. A
// ping from a to b (or to 10.9.9.9) crosses a, the host and b; x1 and x2 only see the ARP
// broadcast. For scoped-trace tests (trace-scope.test.ts, scoped-trace.test.ts).
export const OFF_PATH_LAB = `
ip netns add a
ip netns add b
ip netns add x1
ip netns add x2
ip link add br0 type bridge
ip link set br0 up
ip addr add 10.0.0.1/24 dev br0
ip link add va type veth peer name eth0 netns a
ip link set va master br0
ip link set va up
ip -n a link set lo up
ip -n a link set eth0 up
ip -n a addr add 10.0.0.2/24 dev eth0
ip -n a route add default via 10.0.0.1
ip link add vx1 type veth peer name eth0 netns x1
ip link set vx1 master br0
ip link set vx1 up
ip -n x1 link set eth0 up
ip -n x1 addr add 10.0.0.11/24 dev eth0
ip -n x1 route add default via 10.0.0.1
ip link add vx2 type veth peer name eth0 netns x2
ip link set vx2 master br0
ip link set vx2 up
ip -n x2 link set eth0 up
ip -n x2 addr add 10.0.0.12/24 dev eth0
ip link add vb type veth peer name eth0 netns b
ip link set vb up
ip addr add 10.1.0.1/24 dev vb
ip -n b link set eth0 up
ip -n b addr add 10.1.0.2/24 dev eth0
ip -n b route add default via 10.1.0.1
sysctl -w net.ipv4.ip_forward=1
iptables -A FORWARD -i br0 -o vb -j ACCEPT
iptables -A FORWARD -i vb -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A FORWARD -i br0 -o br0 -j ACCEPT
iptables -P FORWARD DROP
iptables -t nat -A PREROUTING -d 10.9.9.9 -j DNAT --to-destination 10.1.0.2
iptables -t nat -A POSTROUTING -o vb -j MASQUERADE
`;

/** The DNAT line's target: b as written; the kernel tests also run it towards x1. */
export const DNAT_TO_B = "--to-destination 10.1.0.2";
export const DNAT_TO_X1 = "--to-destination 10.0.0.11";
