// Loading a script reads the files its lines name, through the caller's reader; a file
// that resolves outside the script's directory is refused before anything runs.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptFiles } from "../../src/cli/script-files.js";
import {
  loadLabScript,
  unloadedFiles,
  type FileLookup,
  type ScriptFiles,
} from "../../src/script/load.js";
import { parseLine } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";

/** A reader over a fixed set of files in /lab. */
function fake(files: Record<string, string>): ScriptFiles {
  return {
    dir: "/lab",
    read(name: string): FileLookup {
      const realPath = name.startsWith("/") ? name : `/lab/${name}`.replace(/\/[^/]+\/\.\.\//, "/");
      const content = files[realPath];
      return content === undefined
        ? { realPath, error: "No such file or directory" }
        : { realPath, content };
    },
  };
}

describe("loadLabScript with a reader callback", () => {
  it("attaches each file argument's content, or why it could not be read", () => {
    const { script, errors } = loadLabScript(
      "ip link\niptables-restore -n rules.v4\niptables-restore gone.v4\niptables-restore\n",
      "lab.lab",
      { files: fake({ "/lab/rules.v4": "*filter\nCOMMIT\n" }) },
    );
    expect(errors).toEqual([]);
    const [ipLink, restore, gone, bare] = script.commands;
    expect(ipLink!.files).toBeUndefined();
    expect(restore!.files).toEqual([{ arg: 1, name: "rules.v4", content: "*filter\nCOMMIT\n" }]);
    expect(gone!.files).toEqual([{ arg: 0, name: "gone.v4", error: "No such file or directory" }]);
    expect(bare!.files).toBeUndefined();
  });

  it("refuses a file outside the script's directory, naming the line", () => {
    const { errors } = loadLabScript(
      "ip link\niptables-restore ../etc/shadow\niptables-restore /etc/passwd\n",
      "lab.lab",
      { files: fake({}) },
    );
    expect(errors.map((e) => e.line)).toEqual([2, 3]);
    expect(errors[1]!.message).toMatch(
      /^lab\.lab:3: iptables-restore: \/etc\/passwd is \/etc\/passwd, outside the script's directory \(\/lab\)/,
    );
  });

  it("a missing file is iptables-restore's own error when it runs, exit 1", () => {
    const { script } = loadLabScript("iptables-restore gone.v4\n", "lab.lab", {
      files: fake({}),
    });
    expect(new SimBackend().runSync(script.commands[0]!)).toEqual({
      exit: 1,
      stdout: "",
      stderr: "Can't open gone.v4: No such file or directory\n",
    });
  });

  it("a command never loaded has no file to give, and says so", () => {
    const cmd = parseLine("iptables-restore rules.v4", 1)!;
    expect(unloadedFiles(cmd)).toMatch(/rules\.v4 was not read/);
    expect(new SimBackend().runSync(cmd).exit).toBe(1);
  });
});

describe("the CLI's node:fs reader", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pw-load-"));
    writeFileSync(join(dir, "rules.v4"), "*filter\n:INPUT DROP [0:0]\nCOMMIT\n");
    mkdirSync(join(dir, "sub"));
    symlinkSync("/etc/passwd", join(dir, "link.v4"));
    symlinkSync("rules.v4", join(dir, "same.v4"));
    symlinkSync("/etc", join(dir, "sub", "etc"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses link.v4 -> /etc/passwd at load time, naming the line", () => {
    const { errors } = loadLabScript("ip link\niptables-restore link.v4\n", "lab.lab", {
      files: scriptFiles(dir),
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(2);
    expect(errors[0]!.message).toContain(
      "lab.lab:2: iptables-restore: link.v4 is /etc/passwd, outside the script's directory",
    );
  });

  it("refuses a missing file under a symlinked directory that leaves", () => {
    const { errors } = loadLabScript("iptables-restore sub/etc/nosuch\n", "lab.lab", {
      files: scriptFiles(dir),
    });
    expect(errors[0]?.message).toContain("is /etc/nosuch, outside");
  });

  it("follows a symlink that stays inside, and reads the file", () => {
    const { script, errors } = loadLabScript("iptables-restore same.v4\n", "lab.lab", {
      files: scriptFiles(dir),
    });
    expect(errors).toEqual([]);
    const sim = new SimBackend();
    expect(sim.runSync(script.commands[0]!)).toEqual({ exit: 0, stdout: "", stderr: "" });
    expect(sim.runSync(parseLine("iptables -S INPUT", 2)!).stdout).toBe("-P INPUT DROP\n");
  });
});
