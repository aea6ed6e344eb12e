// The dockerd line: its flags (dockerd's own, the networking ones modelled), and its place
// in a script (before the first docker line, once, in the host's namespace).
import { describe, expect, it } from "vitest";
import { parseScript } from "../../src/script/parse.js";
import { dockerdFlags, parseDockerdArgs } from "../../src/script/programs/dockerd.js";

const settings = (args: string[]) => {
  const r = parseDockerdArgs(args);
  if ("refusal" in r) throw new Error(r.refusal);
  return r.settings;
};
const refusal = (args: string[]): string => {
  const r = parseDockerdArgs(args);
  return "refusal" in r ? r.refusal : "";
};

describe("dockerd's flags", () => {
  it("reads the modelled ones in pflag's syntax and gives the real daemon the same", () => {
    const s = settings([
      "--userland-proxy=false",
      "--icc=0",
      "--ip-forward",
      "--bip",
      "192.0.2.1/24",
    ]);
    expect(s).toMatchObject({
      userlandProxy: false,
      icc: false,
      ipForward: true,
      bip: "192.0.2.1/24",
    });
    expect(dockerdFlags(s)).toEqual([
      "--userland-proxy=false",
      "--iptables=true",
      "--ip-forward=true",
      "--icc=false",
      "--ip-masq=true",
      "--bip=192.0.2.1/24",
    ]);
  });

  it("refuses what it does not model with 'not simulated', before anything runs", () => {
    expect(refusal(["--data-root=/tmp/x"])).toMatch(/^dockerd --data-root is not simulated/);
    expect(refusal(["-b", "br0"])).toMatch(/^dockerd -b is not simulated/);
    expect(refusal(["--icc", "false"])).toMatch(/takes no arguments, only flags/);
  });

  it("gives dockerd's own errors for a bad value and for icc off without iptables", () => {
    expect(refusal(["--icc=nope"])).toBe(
      'dockerd: invalid argument "nope" for "--icc" flag: strconv.ParseBool: parsing "nope": invalid syntax',
    );
    expect(refusal(["--iptables=false", "--icc=false"])).toMatch(
      /You specified --iptables=false with --icc=false/,
    );
    expect(refusal(["--bip=192.0.2.0/24"])).toMatch(/network or broadcast address/);
    expect(refusal(["--bip"])).toBe("dockerd: flag needs an argument: --bip");
  });
});

describe("the dockerd line's place in a script", () => {
  const errors = (text: string): string[] =>
    parseScript(text, "t.lab").errors.map((e) => e.message);

  it("comes before the first docker line", () => {
    expect(errors("dockerd --icc=false\ndocker run -d --name web alpine\n")).toEqual([]);
    expect(errors("ip link set lo up\ndocker ps\ndockerd --icc=false\n")).toEqual([
      "t.lab:3: dockerd must come before the first docker line (line 2 starts the daemon with dockerd's defaults)\n  hint: move this line above line 2",
    ]);
  });

  it("comes once, and without a namespace prefix", () => {
    expect(errors("dockerd --icc=false\ndockerd --bip 192.0.2.1/24\n")).toEqual([
      "t.lab:2: a second dockerd line (line 1 started the daemon already)\n  hint: put all of the daemon's flags on one dockerd line",
    ]);
    expect(errors("ip netns add a\nip netns exec a dockerd\n")[0]).toMatch(
      /^t\.lab:2: dockerd runs in the host's namespace, not a's/,
    );
  });
});
