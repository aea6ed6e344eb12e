// The lab script the benchmarks build: N "containers" on one bridge, as Docker's bridge
// driver would set them up (a namespace, a veth pair into it, the host end on the bridge).

export function addr(i: number): string {
  return `10.0.${Math.floor((i + 2) / 256)}.${(i + 2) % 256}`;
}

export function containersScript(n: number): string {
  const lines = [
    "ip link add br0 type bridge",
    "ip link set br0 up",
    "ip addr add 10.0.0.1/16 dev br0",
  ];
  for (let i = 0; i < n; i++) {
    lines.push(
      `ip netns add c${i}`,
      `ip link add v${i} type veth peer name eth0 netns c${i}`,
      `ip link set v${i} master br0`,
      `ip link set v${i} up`,
      `ip -n c${i} link set lo up`,
      `ip -n c${i} link set eth0 up`,
      `ip -n c${i} addr add ${addr(i)}/16 dev eth0`,
    );
  }
  return lines.join("\n") + "\n";
}
