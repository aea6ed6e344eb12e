// A docker line the simulator does not model is refused before anything runs (issue #10,
// item 6): with plain `run` and with `--compare` no line runs and no sandbox (so no
// dockerd) starts; with `--kernel` alone the real daemon may run it. The kernel backend
// is replaced by one that only counts its starts: no sandbox is needed to prove it.
import { describe, expect, it, vi } from "vitest";
import { captured, captureOutput, run, script } from "./capture.js";

const starts = vi.hoisted(() => ({ n: 0 }));
vi.mock("../../src/real/kernel-backend.js", () => ({
  KernelBackend: {
    start: () => {
      starts.n++;
      return Promise.reject(new Error("no sandbox in this test"));
    },
  },
}));

captureOutput();

const LAB =
  "ip netns add a\nip link add v0 type veth peer name v1\ndocker run -d --name web --cap-add NET_ADMIN alpine\ndocker logs web\n";

describe("a docker line the simulator does not model", () => {
  for (const mode of [[], ["--compare"], ["--compare", "--json"]]) {
    it(`is refused before anything runs: run ${mode.join(" ")}`, async () => {
      starts.n = 0;
      const f = script(LAB);
      expect(await run("run", ...mode, f)).toBe(2);
      expect(starts.n).toBe(0);
      expect(captured.out).toBe("");
      expect(captured.err).toBe(
        `${f}:3: docker run --cap-add is not simulated\n` +
          "  hint: run the script with --kernel: the real dockerd in the sandbox runs it\n" +
          `${f}:4: docker logs is not simulated\n` +
          "  hint: run the script with --kernel: the real dockerd in the sandbox runs it\n" +
          "packetwalk: 2 line(s) are not simulated; nothing was run.\n",
      );
    });
  }

  it("is refused by walk and diagram in the simulator too", async () => {
    starts.n = 0;
    const f = script(LAB);
    expect(await run("walk", f, "--", "ping", "-c1", "10.0.0.1")).toBe(2);
    expect(captured.err).toContain(`${f}:3: docker run --cap-add is not simulated`);
    captured.err = "";
    expect(await run("diagram", f)).toBe(2);
    expect(captured.err).toContain(`${f}:3: docker run --cap-add is not simulated`);
    expect(starts.n).toBe(0);
  });

  it("is not refused after the --until line, nor with --kernel alone", async () => {
    const f = script(LAB);
    expect(await run("run", "--until", "2", f)).toBe(0);
    expect(captured.out).toContain("$ ip link add v0 type veth peer name v1\n");
    starts.n = 0;
    captured.err = "";
    // Past the preflight: the kernel backend is asked to start (this one refuses).
    expect(await run("run", "--kernel", f)).toBe(3);
    expect(starts.n).toBe(1);
    expect(captured.err).toContain("cannot start the kernel sandbox: no sandbox in this test");
  });
});
