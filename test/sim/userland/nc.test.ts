// nc in the simulator: netcat-openbsd 1.219's messages, exit codes and timing on
// virtual time, its listeners in the background, and the parser's limits for nc.
import { describe, expect, it } from "vitest";
import { parseLine } from "../../../src/script/parse.js";
import { ScriptError } from "../../../src/script/errors.js";
import { SimBackend } from "../../../src/sim/sim-backend.js";
import { inetAton } from "../../../src/sim/userland/nc.js";
import { serviceByName, serviceByPort } from "../../../src/sim/userland/services.js";
import { Lab, res } from "./ip-helpers.js";

function pair(l = new Lab()): Lab {
  l.setup(
    "ip netns add a",
    "ip netns add b",
    "ip link add va netns a type veth peer name vb netns b",
    "ip -n a addr add 10.0.0.1/24 dev va",
    "ip -n b addr add 10.0.0.2/24 dev vb",
    "ip -n a link set va up",
    "ip -n b link set vb up",
    "ip -n a link set lo up",
    "ip -n b link set lo up",
  );
  return l;
}

const now = (l: Lab): number => l.b.world.scheduler.now;

/** Runs a line and reports how much virtual time it took. */
function timed(l: Lab, line: string): { r: ReturnType<Lab["run"]>; ms: number } {
  const t0 = now(l);
  const r = l.run(line);
  return { r, ms: now(l) - t0 };
}

describe("nc -z: TCP probes", () => {
  it("reports a listener with its service name, a closed port as refused, at once", () => {
    const l = pair();
    l.setup("ip netns exec b nc -lk 80 &");
    expect(timed(l, "ip netns exec a nc -zv 10.0.0.2 80")).toEqual({
      r: res(0, "", "Connection to 10.0.0.2 80 port [tcp/http] succeeded!\n"),
      ms: 0,
    });
    expect(l.run("ip netns exec a nc -z 10.0.0.2 80")).toEqual(res(0));
    expect(l.run("ip netns exec a nc -zvn 10.0.0.2 80")).toEqual(
      res(0, "", "Connection to 10.0.0.2 80 port [tcp/*] succeeded!\n"),
    );
    expect(l.run("ip netns exec a nc -zv 10.0.0.2 22")).toEqual(
      res(1, "", "nc: connect to 10.0.0.2 port 22 (tcp) failed: Connection refused\n"),
    );
    expect(l.run("ip netns exec a nc -z 10.0.0.2 22")).toEqual(res(1));
  });

  it("tries every port of a list or range in order; exit 0 when one connected", () => {
    const l = pair();
    l.setup("ip netns exec b nc -lk 80 &");
    expect(l.run("ip netns exec a nc -zv 10.0.0.2 81-79")).toEqual(
      res(
        0,
        "",
        "nc: connect to 10.0.0.2 port 79 (tcp) failed: Connection refused\n" +
          "Connection to 10.0.0.2 80 port [tcp/http] succeeded!\n" +
          "nc: connect to 10.0.0.2 port 81 (tcp) failed: Connection refused\n",
      ),
    );
    expect(l.run("ip netns exec a nc -zv 10.0.0.2 www")).toEqual(
      res(0, "", "Connection to 10.0.0.2 80 port [tcp/http] succeeded!\n"),
    );
  });

  it("names an address written another way by what it means", () => {
    const l = pair();
    l.setup("ip netns exec b nc -lk 80 &");
    expect(l.run("ip netns exec a nc -zv 10.0.2 80").stderr).toBe(
      "Connection to 10.0.2 (10.0.0.2) 80 port [tcp/http] succeeded!\n",
    );
    expect(l.run("ip netns exec a nc -zv 010.0.0.2 80").stderr).toBe(
      "nc: connect to 010.0.0.2 (8.0.0.2) port 80 (tcp) failed: Network is unreachable\n",
    );
  });

  it("gives up after -w seconds when nothing answers: timed out, Operation now in progress", () => {
    const l = pair();
    l.setup("ip -n b route add blackhole 10.0.0.1/32");
    expect(timed(l, "ip netns exec a nc -zv -w 1 10.0.0.2 80")).toEqual({
      r: res(1, "", "nc: connect to 10.0.0.2 port 80 (tcp) timed out: Operation now in progress\n"),
      ms: 1000,
    });
  });

  it("without -w waits for the kernel: tcp_syn_retries=1 fails after 3 s", () => {
    const l = pair();
    l.setup(
      "ip -n b route add blackhole 10.0.0.1/32",
      "ip netns exec a sysctl -qw net.ipv4.tcp_syn_retries=1",
    );
    const { r, ms } = timed(l, "ip netns exec a nc -zv 10.0.0.2 80");
    expect(r).toEqual(
      res(1, "", "nc: connect to 10.0.0.2 port 80 (tcp) failed: Connection timed out\n"),
    );
    expect(ms).toBeGreaterThanOrEqual(3000);
    expect(ms).toBeLessThan(3100);
  });

  it("past the backend's limit the run is killed as the sandbox kills it (exit 124)", () => {
    const l = pair();
    l.setup("ip -n b route add blackhole 10.0.0.1/32");
    expect(timed(l, "ip netns exec a nc -zv 10.0.0.2 80")).toEqual({
      r: res(
        124,
        "",
        "packetwalk: ip netns exec a nc -zv 10.0.0.2 80: timed out after 20 s, killed\n",
      ),
      ms: 20_000,
    });
    // The killed process's socket is gone: nothing retransmits any more.
    expect(l.b.world.netns("a")!.tcp.list()).toEqual([]);
  });

  it("uses the limit the backend was given", () => {
    const l = new Lab();
    (l as { b: SimBackend }).b = new SimBackend({ timeLimitMs: 5000 });
    pair(l);
    l.setup("ip -n b route add blackhole 10.0.0.1/32");
    expect(l.run("ip netns exec a nc -z 10.0.0.2 80")).toEqual(
      res(124, "", "packetwalk: ip netns exec a nc -z 10.0.0.2 80: timed out after 5 s, killed\n"),
    );
  });

  it("reports routing errors at once", () => {
    const l = pair();
    l.setup("ip -n a route add prohibit 203.0.113.0/24");
    expect(l.run("ip netns exec a nc -zv -w 1 192.0.2.1 80").stderr).toBe(
      "nc: connect to 192.0.2.1 port 80 (tcp) failed: Network is unreachable\n",
    );
    expect(l.run("ip netns exec a nc -zv -w 1 203.0.113.1 80").stderr).toBe(
      "nc: connect to 203.0.113.1 port 80 (tcp) failed: Permission denied\n",
    );
  });

  it("without -z, -w N keeps the connection N idle seconds", () => {
    const l = pair();
    l.setup("ip netns exec b nc -lk 80 &");
    expect(timed(l, "ip netns exec a nc -v -w 1 10.0.0.2 80")).toEqual({
      r: res(0, "", "Connection to 10.0.0.2 80 port [tcp/http] succeeded!\n"),
      ms: 1000,
    });
  });
});

describe("nc -z -u: UDP probes", () => {
  it("without -v sends nothing and succeeds", () => {
    const l = pair();
    expect(timed(l, "ip netns exec a nc -z -u 10.0.0.2 53")).toEqual({ r: res(0), ms: 0 });
  });

  it("with -v writes for 3 s (-w N: N s) and fails silently on port unreachable", () => {
    const l = pair();
    expect(timed(l, "ip netns exec a nc -zv -u 10.0.0.2 53")).toEqual({ r: res(1), ms: 0 });
    l.setup("ip netns exec b nc -lku 53 &");
    expect(timed(l, "ip netns exec a nc -zv -u 10.0.0.2 53")).toEqual({
      r: res(0, "", "Connection to 10.0.0.2 53 port [udp/domain] succeeded!\n"),
      ms: 3000,
    });
    expect(timed(l, "ip netns exec a nc -zv -u -w 1 10.0.0.2 53").ms).toBe(1000);
  });

  it("a soft error (no neighbour) does not fail the probe", () => {
    const l = pair();
    expect(l.run("ip netns exec a nc -zv -u -w 1 10.0.0.9 53")).toEqual(
      res(0, "", "Connection to 10.0.0.9 53 port [udp/domain] succeeded!\n"),
    );
  });

  it("nc -lu connects to its first caller: the next probe, from a new port, is refused", () => {
    const l = pair();
    l.setup("ip netns exec b nc -lu 5353 &");
    expect(l.run("ip netns exec a nc -zv -u -w 1 10.0.0.2 5353").exit).toBe(0);
    expect(l.run("ip netns exec a nc -zv -u -w 1 10.0.0.2 5353")).toEqual(res(1));
  });
});

describe("nc -l: background listeners", () => {
  it("returns at once with exit 0 and nothing printed, even when it cannot listen", () => {
    const l = pair();
    expect(l.run("ip netns exec b nc -lk 80 &")).toEqual(res(0));
    expect(l.run("ip netns exec b nc -lk 10.0.0.3 81 &")).toEqual(res(0));
    expect(l.run("ip netns exec b nc -lk &")).toEqual(res(0));
    expect(
      l.b.world
        .netns("b")!
        .tcp.list()
        .map((s) => s.lport),
    ).toEqual([80]);
  });

  it("without -k serves one caller and exits; with -k keeps listening", () => {
    const l = pair();
    l.setup("ip netns exec b nc -l 80 &", "ip netns exec b nc -lk -p 81 &");
    for (const port of [80, 81])
      expect(l.run(`ip netns exec a nc -z 10.0.0.2 ${port}`).exit).toBe(0);
    expect(l.run("ip netns exec a nc -z 10.0.0.2 80").exit).toBe(1);
    expect(l.run("ip netns exec a nc -z 10.0.0.2 81").exit).toBe(0);
  });

  it("keeps a deleted namespace alive until it exits; then its veth end takes the peer with it", () => {
    const l = pair();
    l.setup("ip netns exec b nc -l 80 &", "ip netns del b");
    expect(l.out("ip -n a -br link")).toContain("va@if");
    expect(l.out("ip -n a link show va")).toContain("link-netnsid 0");
    expect(l.run("ip netns exec a nc -z 10.0.0.2 80").exit).toBe(0);
    expect(l.out("ip -n a -br link")).not.toContain("va");
  });
});

describe("nc: its own errors", () => {
  it("usage, help and option values", () => {
    const l = pair();
    const usage = l.run("ip netns exec a nc").stderr;
    expect(usage).toMatch(/^usage: nc \[-46CDdFhklNnrStUuvZz\]/);
    expect(l.run("ip netns exec a nc -h")).toEqual(
      res(
        0,
        "",
        expect.stringMatching(
          /^OpenBSD netcat \(Debian patchlevel 1\.219-1\)\nusage: nc /,
        ) as unknown as string,
      ),
    );
    expect(l.run("ip netns exec a nc -y 10.0.0.2 80")).toEqual(
      res(1, "", `nc: invalid option -- 'y'\n${usage}`),
    );
    expect(l.run("ip netns exec a nc -w")).toEqual(
      res(1, "", `nc: option requires an argument -- 'w'\n${usage}`),
    );
    expect(l.run("ip netns exec a nc -z -w 1.5 10.0.0.2 80")).toEqual(
      res(1, "", "nc: timeout invalid: 1.5\n"),
    );
    expect(l.run("ip netns exec a nc -z -w -1 10.0.0.2 80")).toEqual(
      res(1, "", "nc: timeout too small: -1\n"),
    );
    expect(l.run("ip netns exec a nc -zv 10.0.0.2")).toEqual(
      res(1, "", "nc: missing port number\n"),
    );
    expect(l.run("ip netns exec a nc -k -z 10.0.0.2 80")).toEqual(
      res(1, "", "nc: must use -l with -k\n"),
    );
    expect(l.run("ip netns exec a nc -lz 80")).toEqual(res(1, "", "nc: cannot use -z and -l\n"));
  });

  it("ports and hosts", () => {
    const l = pair();
    const err = (line: string): string => l.run(`ip netns exec a ${line}`).stderr;
    expect(err("nc -zv 10.0.0.2 0")).toBe("nc: port number too small: 0\n");
    expect(err("nc -zv 10.0.0.2 65536")).toBe("nc: port number too large: 65536\n");
    expect(err("nc -zv 10.0.0.2 a-b")).toBe("nc: port number invalid: a-b\n");
    expect(err("nc -zv 10.0.0.2 80-")).toBe("nc: port number invalid: \n");
    expect(err("nc -zv foo 80")).toBe(
      'nc: getaddrinfo for host "foo" port 80: Temporary failure in name resolution\n',
    );
    expect(err("nc -zvn foo 80")).toBe(
      'nc: getaddrinfo for host "foo" port 80: Name or service not known\n',
    );
  });

  it("reads addresses as inet_aton does", () => {
    expect(
      [
        "10.0.0.2",
        "10.2",
        "167772162",
        "0x0a000002",
        "012.0.0.2",
        "10.0.0.2x",
        "256.0.0.1",
        "1.2.3.4.5",
      ].map(inetAton),
    ).toEqual([
      0x0a000002,
      0x0a000002,
      0x0a000002,
      0x0a000002,
      0x0a000002,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("finds services as /etc/services lists them", () => {
    expect(serviceByPort(80, "tcp")?.name).toBe("http");
    expect(serviceByName("www", "tcp")?.port).toBe(80);
    expect(serviceByPort(53, "udp")?.name).toBe("domain");
    expect(serviceByPort(81, "tcp")).toBeUndefined();
  });
});

describe("the parser's limits for nc", () => {
  const refusal = (line: string): string | undefined => {
    try {
      parseLine(line, 1);
      return undefined;
    } catch (e) {
      if (e instanceof ScriptError) return e.message;
      throw e;
    }
  };

  it("runs listeners only in the background and probes only in the foreground", () => {
    expect(refusal("nc -lk 80")).toMatch(/run it in the background/);
    expect(refusal("nc -l -p 80")).toMatch(/run it in the background/);
    expect(refusal("nc -lk 80 &")).toBeUndefined();
    expect(refusal("nc -zv 10.0.0.2 80 &")).toMatch(/result would be lost/);
    expect(refusal("nc -zv 10.0.0.2 80")).toBeUndefined();
  });

  it("refuses a connection that would wait to be killed, and unmodelled options", () => {
    expect(refusal("nc 10.0.0.2 80")).toMatch(/without -z/);
    expect(refusal("nc -w 1 10.0.0.2 80")).toBeUndefined();
    expect(refusal("nc -zv -s 10.0.0.1 10.0.0.2 80")).toMatch(/nc -s is not supported/);
    expect(refusal("nc -zv -p 4000 10.0.0.2 80")).toMatch(/only with -l/);
    expect(refusal("nc -e /bin/sh 10.0.0.2 80")).toMatch(/running a program/);
  });

  it("lets nc print its own errors", () => {
    expect(refusal("nc")).toBeUndefined();
    expect(refusal("nc -h")).toBeUndefined();
    expect(refusal("nc -y 10.0.0.2 80")).toBeUndefined();
    expect(refusal("nc -l")).toBeUndefined();
    expect(refusal("nc -lz 80")).toBeUndefined();
  });
});
