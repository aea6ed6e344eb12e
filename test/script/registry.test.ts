// The program registry is the one list of what a lab line may run.
import { describe, expect, it } from "vitest";
import {
  backgroundPrograms,
  isProgram,
  PROGRAMS,
  programSpec,
  supportedHint,
} from "../../src/script/programs/registry.js";
import { SIM_PROGRAMS } from "../../src/sim/userland/programs.js";

describe("the program registry", () => {
  it("lists the programs in the unknown-command hint, in order", () => {
    expect(supportedHint()).toBe(
      "supported: ip, bridge, sysctl, echo > /proc/sys/net/..., cat /proc/sys/net/..., iptables, iptables-save, iptables-restore, conntrack, ping, nc, ss, sleep",
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
    expect(backgroundPrograms()).toEqual(["nc", "ping"]);
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
