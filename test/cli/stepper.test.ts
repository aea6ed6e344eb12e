// `walk --step` (stepper.ts): which hops are shown for which keys, from a pipe (lines) and
// from a terminal (raw keys, raw mode always restored).
import { PassThrough } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { STEP_HELP, stepThrough, type StepperHop } from "../../src/cli/stepper.js";

const hops: StepperHop[] = [
  { title: "#1 request", lines: ["  a1"] },
  { title: "#1 request", lines: ["  a2", "  => delivered"] },
  { title: "#2 reply (answers #1)", lines: ["  b1", "  => dropped"] },
];

interface Run {
  outcome: Promise<"done" | "quit">;
  output: () => string;
  input: PassThrough & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
}

function start(tty = false, list: readonly StepperHop[] = hops): Run {
  const input: Run["input"] = new PassThrough();
  if (tty) {
    input.isTTY = true;
    input.setRawMode = vi.fn(() => input);
  }
  const out = new PassThrough();
  let text = "";
  out.on("data", (c: Buffer) => (text += c.toString()));
  return { outcome: stepThrough(list, { input, output: out }), output: () => text, input };
}

/** Lines mode: feeds the keys, one a line, then ends the input. */
async function piped(keys: string[], end = true): Promise<{ outcome: string; text: string }> {
  const r = start();
  r.input.write(keys.map((k) => `${k}\n`).join(""));
  if (end) r.input.end();
  const outcome = await r.outcome;
  return { outcome, text: r.output() };
}

describe("stepThrough from a pipe", () => {
  it("shows the key help, then one hop per Enter, titles when the packet changes", async () => {
    const { outcome, text } = await piped(["", " ", "j"]);
    expect(outcome).toBe("done");
    expect(text).toBe(
      `${STEP_HELP}\n` +
        "\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n" +
        "  a2\n  => delivered\n[packet 1 of 2, hop 2 of 2]\n" +
        "\n#2 reply (answers #1)\n  b1\n  => dropped\n[packet 2 of 2, hop 1 of 1]\n",
    );
  });

  it("goes back one hop: a separator with the position, the title and the hop again", async () => {
    const { outcome, text } = await piped(["j", "j", "b", "k", "q"]);
    expect(outcome).toBe("quit");
    expect(text).toBe(
      `${STEP_HELP}\n` +
        "\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n" +
        "  a2\n  => delivered\n[packet 1 of 2, hop 2 of 2]\n" +
        "\n#2 reply (answers #1)\n  b1\n  => dropped\n[packet 2 of 2, hop 1 of 1]\n" +
        "-- back to packet 1 of 2, hop 2 of 2 --\n#1 request\n  a2\n  => delivered\n[packet 1 of 2, hop 2 of 2]\n" +
        "-- back to packet 1 of 2, hop 1 of 2 --\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n",
    );
  });

  it("stays on the first hop when asked to go back from it", async () => {
    const { text } = await piped(["b", "q"]);
    expect(text).toBe(
      `${STEP_HELP}\n\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n-- this is the first hop --\n[packet 1 of 2, hop 1 of 2]\n`,
    );
  });

  it("skips to the next packet's first hop on n, and is done on n from the last packet", async () => {
    const { outcome, text } = await piped(["n", "n"]);
    expect(outcome).toBe("done");
    expect(text).toBe(
      `${STEP_HELP}\n` +
        "\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n" +
        "\n#2 reply (answers #1)\n  b1\n  => dropped\n[packet 2 of 2, hop 1 of 1]\n",
    );
  });

  it("goes back to the previous packet's first hop on p", async () => {
    const { text } = await piped(["j", "j", "p", "q"]);
    expect(text).toBe(
      `${STEP_HELP}\n` +
        "\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n" +
        "  a2\n  => delivered\n[packet 1 of 2, hop 2 of 2]\n" +
        "\n#2 reply (answers #1)\n  b1\n  => dropped\n[packet 2 of 2, hop 1 of 1]\n" +
        "-- back to packet 1 of 2, hop 1 of 2 --\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n",
    );
  });

  it("quits on q, showing nothing more", async () => {
    const { outcome, text } = await piped(["q", "", ""], false);
    expect(outcome).toBe("quit");
    expect(text).toBe(`${STEP_HELP}\n\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n`);
  });

  it("quits at the end of the input", async () => {
    const { outcome, text } = await piped([""]);
    expect(outcome).toBe("quit");
    expect(text.endsWith("  a2\n  => delivered\n[packet 1 of 2, hop 2 of 2]\n")).toBe(true);
  });

  it("takes a last line without its newline, and repeats the help for an unknown key", async () => {
    const r = start();
    r.input.end("x\njump");
    expect(await r.outcome).toBe("quit");
    expect(r.output()).toBe(
      `${STEP_HELP}\n\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n${STEP_HELP}\n[packet 1 of 2, hop 1 of 2]\n` +
        "  a2\n  => delivered\n[packet 1 of 2, hop 2 of 2]\n",
    );
  });

  it("waits for keys that come later", async () => {
    const r = start();
    await new Promise((done) => setImmediate(done));
    expect(r.output()).toBe(`${STEP_HELP}\n\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2]\n`);
    r.input.write("\n");
    await new Promise((done) => setImmediate(done));
    expect(r.output().endsWith("[packet 1 of 2, hop 2 of 2]\n")).toBe(true);
    r.input.write("q\n");
    expect(await r.outcome).toBe("quit");
  });

  it("is done at once with no hops, reading nothing", async () => {
    const r = start(false, []);
    expect(await r.outcome).toBe("done");
    expect(r.output()).toBe("");
  });
});

describe("stepThrough on a terminal", () => {
  const ERASE = "\r\u001b[2K";

  it("reads single keys in raw mode, erases each prompt, and restores the terminal", async () => {
    const r = start(true);
    r.input.write("j");
    r.input.write("\u001b[A"); // up arrow: back
    r.input.write("\u0003"); // Ctrl-C
    expect(await r.outcome).toBe("quit");
    expect(r.input.setRawMode).toHaveBeenNthCalledWith(1, true);
    expect(r.input.setRawMode).toHaveBeenLastCalledWith(false);
    expect(r.output()).toBe(
      `${STEP_HELP}\n\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2] ${ERASE}` +
        `  a2\n  => delivered\n[packet 1 of 2, hop 2 of 2] ${ERASE}` +
        `-- back to packet 1 of 2, hop 1 of 2 --\n#1 request\n  a1\n[packet 1 of 2, hop 1 of 2] ${ERASE}`,
    );
  });

  it("takes several keys typed at once, one after the other", async () => {
    const r = start(true);
    r.input.write("jjj");
    expect(await r.outcome).toBe("done");
  });

  it("restores the terminal when the input fails", async () => {
    const r = start(true);
    r.input.destroy(new Error("read EIO"));
    await expect(r.outcome).rejects.toThrow("read EIO");
    expect(r.input.setRawMode).toHaveBeenLastCalledWith(false);
  });
});
