import { describe, expect, it } from "vitest";
import { differences } from "../../src/compare/diff.js";
import { isNeighDump, normaliseText, sameResult } from "../../src/compare/normalise.js";

describe("normalisation", () => {
  it("replaces unicast MACs but keeps zero, broadcast and multicast ones", () => {
    expect(normaliseText("link/ether 6a:d0:8e:77:27:3f brd ff:ff:ff:ff:ff:ff")).toBe(
      "link/ether MAC brd ff:ff:ff:ff:ff:ff",
    );
    expect(normaliseText("33:33:00:00:00:01 dev br0 self permanent")).toBe(
      "33:33:00:00:00:01 dev br0 self permanent",
    );
    expect(normaliseText("00:00:00:00:00:00")).toBe("00:00:00:00:00:00");
  });

  it("replaces interface indexes, link-local addresses and ping times", () => {
    expect(normaliseText("3: veth0@if2: <UP> link-netnsid 0")).toBe(
      "N: veth0@ifN: <UP> link-netnsid N",
    );
    expect(normaliseText("    inet6 fe80::68d0:8eff:fe77:273f/64 scope link tentative ")).toBe(
      "    inet6 fe80::LL/64 scope link ",
    );
    expect(normaliseText("64 bytes from 1.2.3.4: icmp_seq=1 ttl=64 time=0.049 ms")).toBe(
      "64 bytes from 1.2.3.4: icmp_seq=1 ttl=64 time=RTT ms",
    );
    expect(
      normaliseText(
        "1 packets transmitted, 1 received, 0% packet loss, time 1001ms\nrtt min/avg/max/mdev = 1/2/3/4 ms\n",
      ),
    ).toBe(
      "1 packets transmitted, 1 received, 0% packet loss, time Tms\nrtt min/avg/max/mdev = RTT\n",
    );
  });

  it("keeps everything else: addresses, exit codes, messages", () => {
    expect(
      sameResult(
        { exit: 0, stdout: "10.0.0.1\n", stderr: "" },
        { exit: 0, stdout: "10.0.0.2\n", stderr: "" },
      ),
    ).toBe(false);
    expect(
      sameResult({ exit: 1, stdout: "", stderr: "" }, { exit: 2, stdout: "", stderr: "" }),
    ).toBe(false);
  });

  it("compares ip neigh dumps as sets (the kernel's hash order is random)", () => {
    expect(isNeighDump("ip -n a neigh show")).toBe(true);
    expect(isNeighDump("ip netns exec a ip neigh")).toBe(true);
    expect(isNeighDump("ip neigh flush dev x")).toBe(false);
    const a = {
      exit: 0,
      stdout: "10.0.0.1 dev a lladdr 02:00:00:00:00:01 STALE \n10.0.0.2 dev a FAILED \n",
      stderr: "",
    };
    const b = {
      exit: 0,
      stdout: "10.0.0.2 dev a FAILED \n10.0.0.1 dev a lladdr 02:00:00:00:00:09 STALE \n",
      stderr: "",
    };
    expect(sameResult(a, b, "ip neigh")).toBe(true);
    expect(sameResult(a, b, "ip route")).toBe(false);
  });

  it("replaces the MAC part of brctl's bridge ids, keeping the all-zero one", () => {
    expect(normaliseText("br0\t\t8000.1eda3885db50\tno\t\tv0\n")).toBe(
      "br0\t\t8000.MAC\tno\t\tv0\n",
    );
    expect(normaliseText("br1\t\t8000.000000000000\tno\t\t\n")).toBe(
      "br1\t\t8000.000000000000\tno\t\t\n",
    );
    expect(normaliseText("  1\tfe:64:c3:f3:e2:3b\tno\t\t   0.50\n")).toBe("  1\tMAC\tno\t\tT\n");
    expect(normaliseText("  1\tfe:64:c3:f3:e2:3b\tyes\t\t   0.00\n")).toBe(
      "  1\tMAC\tyes\t\t   0.00\n",
    );
  });

  it("compares arp's lines as a set (/proc/net/arp is in hash order)", () => {
    const head =
      "Address                  HWtype  HWaddress           Flags Mask            Iface\n";
    const x = "10.0.0.9                         (incomplete)                              eth0\n";
    const y = "10.0.0.2                 ether   02:00:00:00:00:02   C                     eth0\n";
    const a = { exit: 0, stdout: head + x + y, stderr: "" };
    const b = { exit: 0, stdout: head + y + x, stderr: "" };
    expect(sameResult(a, b, "ip netns exec ns1 arp -n")).toBe(true);
    expect(sameResult(a, b, "ip netns exec ns1 ip addr")).toBe(false);
  });

  it("describes a difference line by line", () => {
    const d = differences(
      { exit: 0, stdout: "a\nb\n", stderr: "" },
      { exit: 0, stdout: "a\nc\n", stderr: "" },
    );
    expect(d).toEqual([
      { field: "stdout", sim: "a\nb\n", kernel: "a\nc\n", lines: ["  a", "- b", "+ c"] },
    ]);
  });
});

describe("ss output", () => {
  const header = "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess";
  const row = (port: number, pid: number): string =>
    `LISTEN 0      1            0.0.0.0:${port}      0.0.0.0:*    users:(("nc",pid=${pid},fd=3))`;
  const table = (rows: [number, number][]): string => {
    const lines = [header, ...rows.map(([p, pid]) => row(p, pid))];
    const width = Math.max(...lines.map((l) => l.length));
    return lines.map((l) => l.padEnd(width)).join("\n") + "\n";
  };
  const out = (stdout: string) => ({ exit: 0, stdout, stderr: "" });

  it("compares the lines as a set, whatever the pids and their digits", () => {
    expect(
      sameResult(
        out(
          table([
            [8080, 100],
            [9090, 101],
          ]),
        ),
        out(
          table([
            [9090, 23],
            [8080, 7],
          ]),
        ),
        "ip netns exec a ss -tlnp",
      ),
    ).toBe(true);
  });

  it("keeps ports, states and queues", () => {
    expect(sameResult(out(table([[8080, 100]])), out(table([[8081, 100]])), "ss -tlnp")).toBe(
      false,
    );
    expect(
      sameResult(
        out("LISTEN 0      1  0.0.0.0:80\n"),
        out("LISTEN 1      1  0.0.0.0:80\n"),
        "ss -tln",
      ),
    ).toBe(false);
  });

  it("replaces ephemeral ports only", () => {
    const tw = (p: number): string => `TIME-WAIT 0 0 127.0.0.1:${p} 127.0.0.1:8080 \n`;
    expect(sameResult(out(tw(40000)), out(tw(51234)), "ss -tan")).toBe(true);
    expect(sameResult(out(tw(20000)), out(tw(20001)), "ss -tan")).toBe(false);
  });
});
