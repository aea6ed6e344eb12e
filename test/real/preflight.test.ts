// doctor() names what the kernel backend needs; the machine profile is what a new
// namespace really starts with.
import { describe, expect, it } from "vitest";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { missingDockerPrograms } from "../../src/real/docker/paths.js";
import { BR_NETFILTER_KEYS, IPV4_KEYS } from "../../src/real/machine-profile.js";
import { doctor, readMachineProfile } from "../../src/real/preflight.js";
import { isRoot, raw, sandboxUnavailable } from "./helpers.js";

describe("doctor", () => {
  it("checks every tool and the sandbox, each with a way to fix it", async () => {
    const checks = await doctor();
    expect(checks.map((c) => c.name)).toEqual([
      "unshare",
      "mount",
      "ip",
      "bridge",
      "iptables",
      "ping",
      "nc",
      "conntrack",
      "sysctl",
      "arp",
      "brctl",
      "traceroute",
      "nft",
      "xtables-monitor",
      "user namespaces",
      "sandbox",
      // docker.io is optional: without it only its own line (FAIL, with how to install it).
      ...(missingDockerPrograms().length === 0
        ? ["docker.io", "dockerd in the sandbox"]
        : ["docker.io"]),
      "host profile",
    ]);
    for (const c of checks) {
      expect(c.detail, c.name).not.toBe("");
      if (!c.ok) expect(c.fix, c.name).not.toBe("");
    }
    expect(checks.find((c) => c.name === "ip")?.fix).toBe("apt-get install iproute2");
    expect(checks.find((c) => c.name === "arp")?.fix).toBe("apt-get install net-tools");
    expect(checks.find((c) => c.name === "brctl")?.fix).toBe("apt-get install bridge-utils");
    expect(checks.find((c) => c.name === "traceroute")?.fix).toBe("apt-get install traceroute");
    // Only the kernel's netfilter trace (walk --kernel) needs these.
    for (const [name, pkg] of [
      ["nft", "nftables"],
      ["xtables-monitor", "iptables"],
    ]) {
      expect(checks.find((c) => c.name === name)).toMatchObject({
        fix: `apt-get install ${pkg}`,
        onlyFor: "walk --kernel",
      });
    }
    expect(checks.find((c) => c.name === "ip")?.onlyFor).toBeUndefined();
    if (!sandboxUnavailable)
      expect(checks.find((c) => c.name === "sandbox")).toMatchObject({ ok: true });
    // docker lines are one feature among others: their checks never make the backend unready.
    expect(checks.find((c) => c.name === "docker.io")).toMatchObject({
      onlyFor: "docker lines on the kernel",
      fix: expect.stringContaining("apt-get install docker.io"),
    });
    if (missingDockerPrograms().length === 0 && isRoot) {
      expect(checks.find((c) => c.name === "dockerd in the sandbox")).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/^started in \d+\.\d s/),
      });
    }
  });
});

describe.skipIf(sandboxUnavailable)("readMachineProfile", () => {
  it("matches what a fresh sandbox reads", async () => {
    const profile = readMachineProfile();
    expect(profile.name).toBe("machine");
    expect(Object.keys(profile.ipv4).sort()).toEqual([...IPV4_KEYS].sort());
    const kb = await KernelBackend.start();
    try {
      const r = await kb.run(raw(["sysctl", ...IPV4_KEYS]));
      const seen = Object.fromEntries(
        r.stdout
          .trim()
          .split("\n")
          .map((l) => l.split(" = ") as [string, string]),
      );
      expect(profile.ipv4).toEqual(seen);
      const br = await kb.run(raw(["sysctl", ...BR_NETFILTER_KEYS]));
      if (br.exit === 0)
        expect(Object.keys(profile.brNetfilter ?? {}).sort()).toEqual(
          [...BR_NETFILTER_KEYS].sort(),
        );
      else expect(profile.brNetfilter).toBeNull();
    } finally {
      await kb.close();
    }
  });
});
