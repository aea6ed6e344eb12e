// ping in the simulator: iputils' output and exit codes, on virtual time.
import { describe, expect, it } from "vitest";
import { TIMER_SLACK_MS } from "../../../src/sim/engine/machines/nud.js";
import { vethPair, type Lab } from "./ip-helpers.js";

function pair(loUp = true): Lab {
  const l = vethPair();
  if (loUp) l.setup("ip -n a link set lo up");
  return l;
}

const now = (l: Lab): number => l.b.world.scheduler.now;

describe("ping", () => {
  it("prints a reply and the statistics, exit 0, in no virtual time", () => {
    const l = pair();
    const t0 = now(l);
    const r = l.run("ip netns exec a ping -c1 -W1 10.0.0.2");
    expect(r.exit).toBe(0);
    expect(r.stdout).toMatch(
      /^PING 10\.0\.0\.2 \(10\.0\.0\.2\) 56\(84\) bytes of data\.\n64 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64 time=\d+\.\d{3} ms\n\n--- 10\.0\.0\.2 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min\/avg\/max\/mdev = [\d./]+ ms\n$/,
    );
    expect(now(l) - t0).toBeLessThan(1);
  });

  it("sends one probe a second with -c3", () => {
    const l = pair();
    const t0 = now(l);
    const r = l.run("ip netns exec a ping -c3 10.0.0.2");
    expect(r.stdout.match(/^64 bytes/gm)).toHaveLength(3);
    expect(r.stdout).toContain("3 packets transmitted, 3 received, 0% packet loss, time 2000ms");
    expect(now(l) - t0).toBe(2000);
  });

  it("reports an ARP failure after 3 s when lo is up: Destination Host Unreachable", () => {
    const l = pair();
    const t0 = now(l);
    const r = l.run("ip netns exec a ping -c1 -W5 10.0.0.9");
    expect(r.exit).toBe(1);
    expect(r.stdout).toContain("From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n");
    expect(r.stdout).toContain("1 packets transmitted, 0 received, +1 errors, 100% packet loss");
    expect(now(l) - t0).toBe(3 * (1000 + TIMER_SLACK_MS));
    expect(l.out("ip -n a neigh show 10.0.0.9")).toBe("10.0.0.9 dev va FAILED \n");
  });

  it("times out silently on ARP failure when lo is down (the error cannot be delivered)", () => {
    const l = pair(false);
    const r = l.run("ip netns exec a ping -c1 -W5 10.0.0.9");
    expect(r.exit).toBe(1);
    expect(r.stdout).not.toContain("From");
    expect(r.stdout).toContain("1 packets transmitted, 0 received, 100% packet loss");
  });

  it("queues probes while ARP resolves and reports them all, with iputils' pipe size", () => {
    const l = pair();
    const r = l.run("ip netns exec a ping -c5 -W1 10.0.0.9");
    for (const seq of [1, 2, 3, 4])
      expect(r.stdout).toContain(`From 10.0.0.1 icmp_seq=${seq} Destination Host Unreachable\n`);
    expect(r.stdout).toMatch(
      /5 packets transmitted, 0 received, \+4 errors, 100% packet loss, time \d+ms\npipe 4\n$/,
    );
  });

  it("gives up after -W seconds before ARP fails", () => {
    const l = pair();
    const t0 = now(l);
    const r = l.run("ip netns exec a ping -c1 -W1 10.0.0.9");
    expect(r.exit).toBe(1);
    expect(r.stdout).not.toContain("Unreachable");
    expect(now(l) - t0).toBe(1000);
  });

  it("fails before sending without a route, exit 2", () => {
    const l = pair();
    expect(l.run("ip netns exec a ping -c1 192.0.2.1")).toEqual({
      exit: 2,
      stdout: "",
      stderr: "ping: connect: Network is unreachable\n",
    });
  });

  it("reports Time to live exceeded from the router with -t 1", () => {
    const l = pair();
    l.setup(
      "ip netns add c",
      "ip link add vb2 netns b type veth peer name vc netns c",
      "ip -n b addr add 10.1.0.1/24 dev vb2",
      "ip -n c addr add 10.1.0.2/24 dev vc",
      "ip -n b link set vb2 up",
      "ip -n c link set vc up",
      "ip -n a route add default via 10.0.0.2",
      "ip -n c route add default via 10.1.0.1",
      "ip netns exec b sysctl -q -w net.ipv4.ip_forward=1",
    );
    expect(l.run("ip netns exec a ping -c1 -W1 10.1.0.2").exit).toBe(0);
    const r = l.run("ip netns exec a ping -c1 -W1 -t 1 10.1.0.2");
    expect(r.exit).toBe(1);
    expect(r.stdout).toContain("From 10.0.0.2 icmp_seq=1 Time to live exceeded\n");
  });

  it("refuses a broadcast destination without -b", () => {
    const l = pair();
    expect(l.run("ip netns exec a ping -c1 10.0.0.255")).toEqual({
      exit: 2,
      stdout: "",
      stderr:
        "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n",
    });
  });

  it("rejects bad options with iputils' messages and exit codes", () => {
    const l = pair();
    expect(l.run("ping -c0 10.0.0.2")).toMatchObject({
      exit: 1,
      stderr: "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n",
    });
    expect(l.run("ping -t 256 10.0.0.2")).toMatchObject({ exit: 1 });
    expect(l.run("ping")).toMatchObject({
      exit: 1,
      stderr: "ping: usage error: Destination address required\n",
    });
    const x = l.run("ping -x 10.0.0.2");
    expect(x.exit).toBe(2);
    expect(x.stderr).toMatch(/^ping: invalid option -- 'x'\n\nUsage\n/);
    expect(l.run("ping -I nosuch 10.0.0.2")).toMatchObject({
      exit: 2,
      stderr: "ping: SO_BINDTODEVICE nosuch: No such device\n",
    });
  });
});
