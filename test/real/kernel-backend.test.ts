// Commands reach the real kernel inside the sandbox and come back with its real output.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptFiles } from "../../src/cli/script-files.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { withFiles } from "../../src/script/load.js";
import { lab, raw, runsProgram, sandboxUnavailable, waitFor } from "./helpers.js";

describe.skipIf(sandboxUnavailable)("KernelBackend", () => {
  let kb: KernelBackend;
  let scriptDir: string;

  beforeAll(async () => {
    scriptDir = mkdtempSync(join(tmpdir(), "pw-script-"));
    writeFileSync(
      join(scriptDir, "rules.v4"),
      "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -s 10.9.0.0/16 -j ACCEPT\nCOMMIT\n",
    );
    kb = await KernelBackend.start();
  });
  afterAll(async () => {
    await kb?.close();
    rmSync(scriptDir, { recursive: true, force: true });
  });

  it("starts as the kernel makes a namespace: only lo, and down", async () => {
    expect(kb.kind).toBe("kernel");
    const r = await kb.run(lab("ip link"));
    expect(r).toMatchObject({ exit: 0, stderr: "" });
    expect(r.stdout).toBe(
      "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n",
    );
    expect((await kb.run(lab("ip netns list"))).stdout).toBe("");
  });

  it("runs ip netns, veth and ping for real", async () => {
    for (const text of [
      "ip netns add a",
      "ip netns add b",
      "ip link add va netns a type veth peer name vb netns b",
      "ip -n a addr add 10.0.0.1/24 dev va",
      "ip -n b addr add 10.0.0.2/24 dev vb",
      "ip -n a link set va up",
      "ip -n b link set vb up",
    ]) {
      expect(await kb.run(lab(text)), text).toMatchObject({ exit: 0, stderr: "" });
    }
    expect((await kb.run(lab("ip netns list"))).stdout).toBe("b\na\n");
    const ping = await kb.run(lab("ip netns exec a ping -c1 -W2 10.0.0.2"));
    expect(ping.exit).toBe(0);
    expect(ping.stdout).toContain("1 packets transmitted, 1 received, 0% packet loss");
  });

  it("reports the real program's errors and exit codes", async () => {
    const r = await kb.run(lab("ip link show nosuchdev"));
    expect(r).toEqual({ exit: 1, stdout: "", stderr: 'Device "nosuchdev" does not exist.\n' });
    expect((await kb.run(raw(["no-such-program"]))).exit).toBe(127);
  });

  it("reports death by signal as 128+signo", async () => {
    const r = await kb.run(raw([process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"]));
    expect(r.exit).toBe(128 + 15);
  });

  it("writes echo VALUE > /proc/sys/... itself, in the script's root namespace", async () => {
    // Both start with the machine's value (a new namespace copies it); flip the root's.
    const before = (await kb.run(lab("cat /proc/sys/net/ipv4/ip_forward"))).stdout;
    const flipped = before === "1\n" ? "0" : "1";
    expect(await kb.run(lab(`echo ${flipped} > /proc/sys/net/ipv4/ip_forward`))).toEqual({
      exit: 0,
      stdout: "",
      stderr: "",
    });
    expect((await kb.run(lab("cat /proc/sys/net/ipv4/ip_forward"))).stdout).toBe(`${flipped}\n`);
    // ...and only there: namespace a keeps its own value.
    expect((await kb.run(lab("ip netns exec a sysctl -n net.ipv4.ip_forward"))).stdout).toBe(
      before,
    );
    expect(await kb.run(lab("echo 1 > /proc/sys/net/ipv4/nosuch"))).toEqual({
      exit: 1,
      stdout: "",
      stderr: "packetwalk: echo: /proc/sys/net/ipv4/nosuch: No such file or directory\n",
    });
    expect(await kb.run(lab("echo abc > /proc/sys/net/ipv4/ip_forward"))).toEqual({
      exit: 1,
      stdout: "",
      stderr: "packetwalk: echo: /proc/sys/net/ipv4/ip_forward: Invalid argument\n",
    });
  });

  it("prints a plain echo without running anything", async () => {
    expect(await kb.run(lab("echo hello   'two  words'"))).toEqual({
      exit: 0,
      stdout: "hello two  words\n",
      stderr: "",
    });
  });

  it("refuses machine-wide kernel settings, which no namespace isolates", async () => {
    // The parser refuses these lines already; the backend refuses them again on its own.
    const w = await kb.run({ ...raw(["echo", "1"]), redirect: "/proc/sys/kernel/sysrq" });
    expect(w.exit).toBe(1);
    expect(w.stderr).toContain("only /proc/sys/net/");
    const s = await kb.run(raw(["sysctl", "-w", "kernel.sysrq=1"]));
    expect(s.exit).toBe(1);
    expect((await kb.run(lab("sysctl -w net.ipv4.conf.all.rp_filter=2"))).exit).toBe(0);
    expect((await kb.run(raw(["sysctl", "-w", "net/../kernel/sysrq=1"]))).exit).toBe(1);
  });

  it("feeds iptables-restore the rules file read beside the script", async () => {
    const loaded = (text: string) => withFiles(lab(text), scriptFiles(scriptDir));
    expect(await kb.run(loaded("ip netns exec a iptables-restore rules.v4"))).toMatchObject({
      exit: 0,
      stderr: "",
    });
    expect((await kb.run(lab("ip netns exec a iptables -S FORWARD"))).stdout).toBe(
      "-P FORWARD DROP\n-A FORWARD -s 10.9.0.0/16 -j ACCEPT\n",
    );
    expect((await kb.run(lab("iptables -S FORWARD"))).stdout).toBe("-P FORWARD ACCEPT\n");
    expect(await kb.run(loaded("iptables-restore missing.v4"))).toEqual({
      exit: 1,
      stdout: "",
      stderr: "Can't open missing.v4: No such file or directory\n",
    });
    // A command that was never loaded has no file to give: nothing is opened.
    const unread = await kb.run(raw(["iptables-restore", "../../etc/passwd"]));
    expect(unread.exit).toBe(1);
    expect(unread.stderr).toContain("was not read");
  });

  it("keeps a background job alive across commands", async () => {
    await kb.run(lab("ip -n b link set lo up"));
    const t0 = Date.now();
    expect(await kb.run(lab("ip netns exec b nc -lk 8080 &"))).toEqual({
      exit: 0,
      stdout: "",
      stderr: "",
    });
    expect(Date.now() - t0).toBeLessThan(2000);
    const probe = () => kb.run(lab("ip netns exec a nc -z -w1 10.0.0.2 8080"));
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) ok = (await probe()).exit === 0;
    expect(ok).toBe(true);
    expect((await probe()).exit).toBe(0); // -k: still listening after a connection
    expect(await waitFor(() => runsProgram(kb.sandbox.hostProcesses(), "nc"), 1000)).toBe(true);
  });
});

describe.skipIf(sandboxUnavailable)("KernelBackend timeouts", () => {
  it("kills a command that runs too long and reports 124", async () => {
    const kb = await KernelBackend.start({ timeoutMs: 300 });
    try {
      const t0 = Date.now();
      // A listener that never returns (sleep would get a longer limit of its own).
      const r = await kb.run(raw(["nc", "-l", "9"]));
      expect(r.exit).toBe(124);
      expect(r.stderr).toMatch(/timed out after 0\.3 s/);
      expect(Date.now() - t0).toBeLessThan(3000);
      // The sandbox is still usable afterwards.
      expect((await kb.run(lab("ip netns list"))).exit).toBe(0);
    } finally {
      await kb.close();
    }
  });
});
