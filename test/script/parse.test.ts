import { describe, expect, it } from "vitest";
import { ScriptError } from "../../src/script/errors.js";
import { parseLine, parseScript } from "../../src/script/parse.js";

const err = (line: string): string => {
  try {
    parseLine(line, 7, "lab.lab");
  } catch (e) {
    if (e instanceof ScriptError) return e.message;
    throw e;
  }
  throw new Error(`no error for: ${line}`);
};

describe("parseLine: words", () => {
  it("splits words as a shell does, with quotes and backslashes", () => {
    const c = parseLine(`ip link add 'my veth' type veth peer name "c eth" x\\ y`, 1)!;
    expect(c.argv).toEqual([
      "ip",
      "link",
      "add",
      "my veth",
      "type",
      "veth",
      "peer",
      "name",
      "c eth",
      "x y",
    ]);
    expect(c.program).toBe("ip");
  });

  it("ignores blank lines and comments", () => {
    expect(parseLine("", 1)).toBeNull();
    expect(parseLine("   # a note", 1)).toBeNull();
  });

  it("drops a trailing comment", () => {
    expect(parseLine("ip link # show links", 1)!.argv).toEqual(["ip", "link"]);
  });

  it("keeps the line as written and its number", () => {
    const c = parseLine("  ip netns exec ns0 ping -c1 10.0.0.1  ", 12)!;
    expect(c.text).toBe("ip netns exec ns0 ping -c1 10.0.0.1");
    expect(c.line).toBe(12);
  });
});

describe("parseLine: namespace prefixes", () => {
  it("resolves ip netns exec", () => {
    const c = parseLine("ip netns exec ns0 ip -4 addr", 1)!;
    expect(c.netns).toBe("ns0");
    expect(c.program).toBe("ip");
    expect(c.args).toEqual(["-4", "addr"]);
    expect(c.argv[0]).toBe("ip");
  });

  it("resolves nsenter --net= with /run/netns and /var/run/netns", () => {
    expect(parseLine("nsenter --net=/run/netns/a ping -c1 1.2.3.4", 1)!.netns).toBe("a");
    expect(parseLine("nsenter --net=/var/run/netns/b ip link", 1)!.netns).toBe("b");
  });

  it("lets the innermost prefix win", () => {
    expect(parseLine("ip netns exec a ip netns exec b ip link", 1)!.netns).toBe("b");
  });

  it("refuses other nsenter forms", () => {
    expect(err("nsenter --net=/proc/1/ns/net ip link")).toMatch(/nsenter is supported only as/);
    expect(err("nsenter -t 1 ip link")).toMatch(/nsenter is supported only as/);
    expect(err("nsenter -t 1 -n -m ip link")).toMatch(/nsenter is supported only as/);
    expect(err("nsenter -t me -n ip link")).toMatch(/"me" is not a PID/);
    expect(err("nsenter -t 1 -n")).toMatch(/needs a command/);
  });

  it("resolves nsenter -t PID -n (a process's namespace), in either order", () => {
    for (const line of [
      "nsenter -t 7 -n ip link",
      "nsenter -n --target 7 ip link",
      "nsenter --target=7 --net ip link",
    ]) {
      const c = parseLine(line, 1)!;
      expect([c.netnsOfPid, c.netns, c.program, c.args]).toEqual([7, undefined, "ip", ["link"]]);
    }
    expect(parseLine("nsenter -t 7 -n ip netns exec a ip link", 1)!.netnsOfPid).toBeUndefined();
  });
});

describe("parseLine: $(...)", () => {
  it("keeps the inner command and the line as written; checks the line with a PID in place", () => {
    const c = parseLine(`nsenter -t $(docker inspect -f '{{.State.Pid}}' web) -n ip addr`, 3)!;
    expect(c.text).toBe(`nsenter -t $(docker inspect -f '{{.State.Pid}}' web) -n ip addr`);
    expect(c.substitution!.inner.map((i) => i.argv)).toEqual([
      ["docker", "inspect", "-f", "{{.State.Pid}}", "web"],
    ]);
    expect(c.program).toBe("ip");
    expect(
      parseLine("readlink /proc/$(ip netns pids a)/ns/net", 1)!.substitution!.spans,
    ).toHaveLength(1);
  });

  it("refuses what a shell would do beyond one plain command inside", () => {
    expect(err("ip link show $(whoami)")).toMatch(/unknown command "whoami"/);
    expect(err("ip netns identify $(ip netns pids $(ip netns identify))")).toMatch(
      /inside another/,
    );
    expect(err("ip netns identify $(ip netns pids a")).toMatch(/unterminated/);
    expect(err("ip netns identify $()")).toMatch(/needs a command/);
    expect(err('ip netns identify "$(ip netns pids a)"')).toMatch(/inside double quotes/);
    expect(err("ip netns identify $(ip link | grep x)")).toMatch(/pipes/);
    expect(err("ip netns identify $(nc -lk 80 &)")).toMatch(/background/);
    // The outer line is checked too, with a PID in the span's place.
    expect(err("readlink /etc/$(ip netns pids a)")).toMatch(/readlink is supported only as/);
    expect(parseLine("ip link show '$(whoami)'", 1)!.args).toEqual(["link", "show", "$(whoami)"]);
  });

  it("refuses a prefix without a command", () => {
    expect(err("ip netns exec ns0")).toMatch(/needs a command/);
  });
});

describe("parseLine: background jobs and redirection", () => {
  it("marks a trailing & as a background job", () => {
    const c = parseLine("ip netns exec ns0 nc -lk 80 &", 1)!;
    expect(c.background).toBe(true);
    expect(c.args).toEqual(["-lk", "80"]);
    expect(c.text).toBe("ip netns exec ns0 nc -lk 80 &");
  });

  it("accepts echo V > /proc/sys/net/...", () => {
    const c = parseLine("echo 1 > /proc/sys/net/ipv4/ip_forward", 1)!;
    expect(c.redirect).toBe("/proc/sys/net/ipv4/ip_forward");
    expect(c.args).toEqual(["1"]);
  });

  it("refuses a redirection after a namespace prefix, explaining why", () => {
    const m = err("ip netns exec ns0 echo 1 > /proc/sys/net/ipv4/ip_forward");
    expect(m).toMatch(/root namespace's value, not ns0's/);
    expect(m).toMatch(/ip netns exec ns0 sysctl -w net.ipv4.ip_forward=VALUE/);
  });

  it("refuses writing outside /proc/sys/net", () => {
    expect(err("echo 1 > /etc/passwd")).toMatch(/only write \/proc\/sys\/net/);
    expect(err("echo 1 > /proc/sys/kernel/sysrq")).toMatch(/only write \/proc\/sys\/net/);
    expect(err("echo 1 > /proc/sys/net/../kernel/x")).toMatch(/only write/);
  });

  it("refuses & in the middle and backgrounding a configuration command", () => {
    expect(err("ip link & ip addr")).toMatch(/only allowed at the end/);
    expect(err("ip link add x type bridge &")).toMatch(/only nc and ping and tcpdump/);
  });
});

describe("parseLine: bad input names the line and the problem", () => {
  it.each([
    ["ip link | grep veth", /line|pipes are not supported/],
    ["ip link; ip addr", /';' is not supported/],
    ["ip link && ip addr", /'&&' is not supported/],
    ["ip addr show $DEV", /variables are not supported \(\$DEV\)/],
    ["ip link show `whoami`", /command substitution/],
    ["ip link show veth*", /wildcards are not supported/],
    ["ip link >> /tmp/x", /appending/],
    ["ip link 2>&1", /file descriptors/],
    ["ip link show 'unterminated", /unterminated quote/],
    ["bash -c 'ip link'", /unknown command "bash"/],
    ["rm -rf /", /unknown command "rm"/],
    ["ip netns exec ns0 sh", /unknown command "sh"/],
    ["ip -batch cmds.txt", /reads commands from a file/],
    ["sysctl -p", /read files from the machine/],
    ["sysctl -w kernel.sysrq=1", /would change the whole machine/],
    ["cat /etc/shadow", /reads only \/proc\/sys\/net/],
    ["ping -f 10.0.0.1", /flood/],
    ["nc -e /bin/sh 10.0.0.1 80", /running a program/],
    ["sleep 1000", /at most 120/],
    ["iptables-save -f /etc/x", /writes a file on the machine/],
    ["iptables-save --file=/tmp/x", /writes a file on the machine/],
    ["ss -K dst 10.0.0.1", /kills sockets/],
    ["ss -tK", /kills sockets/],
    ["ss --kill", /kills sockets/],
    ["ss --ki", /kills sockets/],
    ["ss -tD /tmp/x", /writes a file on the machine/],
    ["ss --diag=/tmp/x", /writes a file on the machine/],
    ["ss -F /etc/filter", /reads a file/],
    ["ss -tnF/etc/filter", /reads a file/],
  ])("%s", (line, re) => {
    const m = err(line);
    expect(m.startsWith("lab.lab:7: ")).toBe(true);
    expect(m).toMatch(re);
  });

  it("quoted metacharacters are words, not syntax", () => {
    expect(parseLine("ip link show 'a|b'", 1)!.argv).toEqual(["ip", "link", "show", "a|b"]);
    expect(parseLine("ip link show '$X'", 1)!.argv).toEqual(["ip", "link", "show", "$X"]);
  });
});

describe("parseScript", () => {
  it("reports every bad line and runs nothing", () => {
    const { script, errors } = parseScript(
      "ip link\nfoo\nip addr | cat\n# note\nip route\n",
      "s.lab",
    );
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
    expect(script.commands.map((c) => c.line)).toEqual([1, 5]);
    expect(script.comments).toEqual([{ line: 4, text: "note" }]);
  });
});
