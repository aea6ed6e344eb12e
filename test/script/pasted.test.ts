// Text pasted from a terminal or a web page: a `$ ` prompt, sudo, lines continued with `\`.
import { describe, expect, it } from "vitest";
import { ScriptError } from "../../src/script/errors.js";
import { parseLine, parseScript } from "../../src/script/parse.js";

const err = (line: string): ScriptError => {
  try {
    parseLine(line, 7, "lab.lab");
  } catch (e) {
    if (e instanceof ScriptError) return e;
    throw e;
  }
  throw new Error(`no error for: ${line}`);
};

describe("a pasted prompt and sudo", () => {
  it("drops a leading `$ ` prompt; the line as written stays in the provenance", () => {
    const c = parseLine("  $ ip netns add a", 3)!;
    expect(c.argv).toEqual(["ip", "netns", "add", "a"]);
    expect(c.text).toBe("ip netns add a");
    expect(c.provenance).toEqual({ line: 3, text: "$ ip netns add a", step: 1, of: 1 });
  });

  it("keeps `# ` a comment (lab scripts narrate with it)", () => {
    expect(parseLine("# ip netns add a", 1)).toBeNull();
    const { script } = parseScript("# ip link add x\nip link\n", "s.lab");
    expect(script.commands.map((c) => c.text)).toEqual(["ip link"]);
    expect(script.comments).toEqual([{ line: 1, text: "ip link add x" }]);
  });

  it("drops sudo and sudo -E: the sandbox is root already", () => {
    for (const line of [
      "sudo ip netns exec a ping -c1 10.0.0.1",
      "$ sudo -E ip netns exec a ping -c1 10.0.0.1",
      "sudo --preserve-env -- ip netns exec a ping -c1 10.0.0.1",
    ]) {
      const c = parseLine(line, 1)!;
      expect(c.argv, line).toEqual(["ip", "netns", "exec", "a", "ping", "-c1", "10.0.0.1"]);
      expect(c.text, line).toBe("ip netns exec a ping -c1 10.0.0.1");
      expect(c.netns).toBe("a");
      expect(c.program).toBe("ping");
    }
  });

  it("refuses sudo's other options with the line as it should be", () => {
    const e = err("sudo -u root ip link set 'my veth' up");
    expect(e.reason).toBe(
      "sudo -u is not supported: the lab's commands run as root in the sandbox already",
    );
    expect(e.hint).toBe("write: ip link set 'my veth' up");
    expect(e.message.startsWith("lab.lab:7: ")).toBe(true);
    expect(err("sudo -n ip link").hint).toBe("write: ip link");
    expect(err("sudo -i").hint).toBe("write each command on its own line, without sudo");
    expect(err("sudo").reason).toBe("sudo needs a command to run");
  });

  it("checks what sudo runs like any line", () => {
    expect(err("sudo rm -rf /").reason).toBe('unknown command "rm"');
    expect(err("sudo sysctl -w kernel.sysrq=1").reason).toMatch(/change the whole machine/);
  });
});

describe("lines continued with a backslash", () => {
  it("joins them; the command keeps the first line's number", () => {
    const { script, errors } = parseScript(
      "ip netns add a\nip link add va netns a \\\n    type veth \\\n    peer name vb\nip link\n",
      "s.lab",
    );
    expect(errors).toEqual([]);
    expect(script.commands.map((c) => [c.line, c.text])).toEqual([
      [1, "ip netns add a"],
      [2, "ip link add va netns a type veth peer name vb"],
      [5, "ip link"],
    ]);
    expect(script.commands[1]!.argv).toEqual(
      "ip link add va netns a type veth peer name vb".split(" "),
    );
  });

  it("forgives blanks after the backslash, and glues words as a shell does", () => {
    const { script } = parseScript("ip link show ve\\\nth0  \nip \\   \nlink\n", "s.lab");
    expect(script.commands.map((c) => c.argv)).toEqual([
      ["ip", "link", "show", "veth0"],
      ["ip", "link"],
    ]);
  });

  it("keeps blanks inside a quote as they are", () => {
    const { script } = parseScript('ip link add "a \\\n  b" type dummy\n', "s.lab");
    expect(script.commands[0]!.args[2]).toBe("a   b");
  });

  it("an escaped backslash does not continue; a comment does not either", () => {
    const { script } = parseScript("# note \\\nip link show x\\\\\nip addr\n", "s.lab");
    expect(script.comments).toEqual([{ line: 1, text: "note \\" }]);
    expect(script.commands.map((c) => [c.line, c.argv.at(-1)])).toEqual([
      [2, "x\\"],
      [3, "addr"],
    ]);
  });

  it("error messages name the continued line's first line", () => {
    const { errors } = parseScript("ip link\nip link add x \\\n  type veth | cat\n", "s.lab");
    expect(errors.map((e) => e.message)).toEqual([
      "s.lab:2: pipes are not supported: one command per line",
    ]);
  });

  it("a backslash on the script's last line has nothing to continue", () => {
    const { errors } = parseScript("ip link \\", "s.lab");
    expect(errors.map((e) => e.message)).toEqual([
      "s.lab:1: the line ends with '\\' but no line follows to continue it",
    ]);
  });
});

describe("iptables-restore < FILE", () => {
  it("is refused with the line to write instead", () => {
    const e = err("iptables-restore -n < rules.v4");
    expect(e.reason).toBe("input redirection is not supported");
    expect(e.hint).toMatch(/^write `iptables-restore -n rules\.v4`/);
    expect(err("sudo iptables-restore < rules.v4").hint).toMatch(
      /^write `iptables-restore rules\.v4`/,
    );
    expect(err("ip link < x").hint).toBeUndefined();
  });
});
