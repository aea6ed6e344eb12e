// A kernel walk traced only where the simulator predicts the probe goes is the walk traced
// everywhere, on a world with namespaces off the probe's way; and a wrong prediction (the
// kernel's packets went into a namespace that was not traced) is said, not shown as a
// shorter walk in silence.
import { describe, expect, it } from "vitest";
import type { CommandResult } from "../../src/backend.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { parseLine, parseScript } from "../../src/script/parse.js";
import type { LabCommand } from "../../src/script/types.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { parseProbe } from "../../src/walk/probe.js";
import { runWalk } from "../../src/walk/run-walk.js";
import type { Walk } from "../../src/walk/types.js";
import { kernelHops } from "./kernel-hops.js";
import { DNAT_TO_B, DNAT_TO_X1, OFF_PATH_LAB } from "./off-path-lab.js";

const PROBE = "ip netns exec a nc -z -w1 10.9.9.9 80";

async function compareWalk(scoped: boolean): Promise<Walk> {
  const { script } = parseScript(OFF_PATH_LAB, "off-path");
  const kernel = await KernelBackend.start();
  try {
    const predictor = scoped ? { predictor: new SimBackend() } : {};
    return await runWalk(script, parseProbe([PROBE]), {
      sim: new SimBackend(),
      kernel,
      ...predictor,
    });
  } finally {
    await kernel.close();
  }
}

/** A simulator that sets the DNAT towards b whatever the script says: a wrong predictor. */
class MisledSim extends SimBackend {
  override run(cmd: LabCommand): Promise<CommandResult> {
    if (!cmd.text.includes(DNAT_TO_X1)) return super.run(cmd);
    return super.run(parseLine(cmd.text.replace(DNAT_TO_X1, DNAT_TO_B), cmd.line, "misled")!);
  }
}

describe.concurrent("a kernel walk traced where the probe goes", () => {
  it("equals the walk traced in every namespace: same kernel trace, no differences, x1 and x2 left out", async () => {
    const [all, scoped] = await Promise.all([compareWalk(false), compareWalk(true)]);
    expect(all.kernel?.tracing).toBe("all");
    expect(all.kernel?.traced).toEqual(["", "a", "b", "x1", "x2"]);
    expect(scoped.kernel?.tracing).toBe("predicted");
    expect(scoped.kernel?.traced).toEqual(["", "a", "b"]);
    for (const w of [all, scoped]) {
      expect(w.kernel?.warnings).toEqual([]);
      expect(w.comparison?.differences).toEqual([]);
      expect(w.comparison).toMatchObject({ probeMatch: true, netfilterMatch: true });
    }
    // The host's FORWARD and nat rules, b's INPUT side: the same packets, the same chains.
    expect(all.kernel!.netfilter.some((p) => p.ns === "b")).toBe(true);
    // Two sandboxes, two runs of nc: only its ephemeral port may differ.
    const ports = (w: Walk) =>
      kernelHops(w, (p) => ({
        ...p,
        sport: p.sport === 80 ? 80 : "ephemeral",
        dport: p.dport === 80 ? 80 : "ephemeral",
      }));
    expect(ports(scoped)).toEqual(ports(all));
    expect(scoped.kernel!.probe.exit).toBe(all.kernel!.probe.exit);
    // State is read where the probe was traced.
    const stateNs = (w: Walk): string[] => [
      ...new Set(w.comparison!.state.map((s) => /^ip netns exec (\S+)/.exec(s.command)?.[1] ?? "")),
    ];
    expect(stateNs(scoped)).toEqual(["", "a", "b"]);
    expect(stateNs(all)).toEqual(["", "a", "b", "x1", "x2"]);
  });

  it("a wrong prediction: the kernel's packets went into x1, which was not traced, and the walk says so", async () => {
    const { script } = parseScript(OFF_PATH_LAB.replace(DNAT_TO_B, DNAT_TO_X1), "off-path");
    const kernel = await KernelBackend.start();
    let w: Walk;
    try {
      w = await runWalk(script, parseProbe([PROBE]), { kernel, predictor: new MisledSim() });
    } finally {
      await kernel.close();
    }
    expect(w.kernel?.tracing).toBe("predicted");
    expect(w.kernel?.traced).toEqual(["", "a", "b"]);
    const warnings = w.kernel!.warnings.join("\n");
    expect(warnings).toMatch(/packets left \(root\) by vx1 into x1, .*not traced/);
    expect(warnings).toMatch(/the simulator's packets went through b, the kernel's did not/);
  });
});
