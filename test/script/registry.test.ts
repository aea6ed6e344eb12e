// The program registry is the one list of what a lab line may run.
import { describe, expect, it } from "vitest";
import {
  backgroundPrograms,
  isProgram,
  PROGRAMS,
  programSpec,
  supportedHint,
} from "../../src/script/programs/registry.js";
import { SIM_PROGRAMS } from "../../src/sim/programs.js";

describe("the program registry", () => {
  it("lists the programs in the unknown-command hint, in order", () => {
    expect(supportedHint()).toBe(
      "supported: ip, bridge, sysctl, echo > /proc/sys/net/..., cat /proc/sys/net/..., iptables, iptables-save, iptables-restore, conntrack, ping, nc, ss, sleep, arp, brctl, traceroute, lsns, readlink /proc/PID/ns/net, tcpdump ... &, kill %N, docker (run, create, start, stop, restart, rm, exec, ps, port, inspect, network ...), dockerd --FLAG=VALUE... (before the first docker line)",
    );
  });

  it("the simulator implements exactly the registry's programs", () => {
    expect(Object.keys(SIM_PROGRAMS).sort()).toEqual(Object.keys(PROGRAMS).sort());
  });

  it("knows its names and nothing inherited", () => {
    expect(isProgram("iptables-restore")).toBe(true);
    expect(isProgram("toString")).toBe(false);
    expect(programSpec("constructor")).toBeUndefined();
  });

  it("names the programs that may run in the background", () => {
    expect(backgroundPrograms()).toEqual(["nc", "ping", "tcpdump"]);
  });

  it("holds iptables-restore's rules file and the kernel policies as data", () => {
    const restore = PROGRAMS["iptables-restore"];
    expect(restore.fileArgs(["-n", "-T", "filter", "rules.v4"])).toEqual([3]);
    expect(restore.fileArgs(["--test"])).toEqual([]);
    expect(restore.kernel.filesOnStdin).toBe(true);
    expect(PROGRAMS.sleep.kernel.timeoutMs(["30"])).toBe(35_000);
    expect(PROGRAMS.echo.kernel.printsArgs).toBe(true);
    expect(PROGRAMS.sysctl.kernel.guard(["-w", "kernel.sysrq=1"])).toMatch(/only net\.\*/);
    expect(PROGRAMS["iptables-save"].kernel.guard(["-f", "/x"])).toMatch(/writing files/);
  });
});

describe("arp's check", () => {
  const check = (args: string[]): string | undefined => PROGRAMS.arp.check(args);
  it("refuses -f, which reads a file from the machine, alone or in a cluster", () => {
    expect(check(["-f"])).toMatch(/arp -f reads files/);
    expect(check(["-nf", "/etc/ethers"])).toMatch(/arp -f reads files/);
    expect(check(["--file=/etc/ethers"])).toMatch(/arp -f reads files/);
  });
  it("lets the display and a device named like an option run", () => {
    expect(check(["-an"])).toBeUndefined();
    expect(check(["-n", "-i", "-f0"])).toBeUndefined();
    expect(check(["-nif0"])).toBeUndefined();
    expect(check(["-s", "10.0.0.2", "02:00:00:00:00:02"])).toBeUndefined();
  });
});
