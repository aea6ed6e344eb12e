// `packetwalk learn` in a real terminal (tmux): the learner types answers and keys, and
// the screen shows the step, the reveal, the world put back after `b`, and the end.
// The simulator only: no sandbox, no kernel lock needed.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../temp-dir.js";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const socket = `pw-learn-${process.pid}`;
const tmux = (...args: string[]): string =>
  execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });

/** The whole pane, scrollback included. */
const screen = (): string => tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "learn");

/** Waits until the screen shows `text` (the program is working; this bounds a hang). */
async function waitFor(text: string | RegExp, deadlineMs = 60_000): Promise<string> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const s = screen();
    if (typeof text === "string" ? s.includes(text) : text.test(s)) return s;
    if (Date.now() > end) throw new Error(`never saw ${String(text)} on the screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const type = (line: string): void => {
  if (line !== "") tmux("send-keys", "-t", "learn", "-l", line);
  tmux("send-keys", "-t", "learn", "Enter");
};

describe.skipIf(!hasTmux)("learn in a terminal", () => {
  afterAll(() => {
    spawnSync("tmux", ["-L", socket, "kill-server"]);
  });

  it("steps through, goes back, and quits", async () => {
    const state = tempDir("pw-tmux-");
    const entry = join(process.cwd(), "src/cli/entry.ts");
    const tsx = join(process.cwd(), "node_modules/.bin/tsx");
    tmux(
      "new-session",
      "-d",
      "-s",
      "learn",
      "-x",
      "120",
      "-y",
      "50",
      "env",
      `XDG_STATE_HOME=${state}`,
      "NO_COLOR=1",
      tsx,
      entry,
      "learn",
      "namespaces-loopback",
    );
    await waitFor("your answer (a number; Enter: skip, q: quit) >");
    expect(screen()).toContain("Step 1/4: A new namespace");
    type("2");
    await waitFor("Right: no, ping fails at once");
    await waitFor("[step 1/4] n b r k w q >");
    type("");
    await waitFor("Step 2/4: Loopback up");
    await waitFor(/Predict: Will `ping 127\.1\.2\.3`[\s\S]*your answer/);
    type("2");
    await waitFor("Not quite: the answer is yes");
    await waitFor("[step 2/4] n b r k w q >");
    type("b");
    await waitFor("(the world is put back as it was before step 1)");
    const again = await waitFor(/Step 1\/4[\s\S]*Step 2\/4[\s\S]*Step 1\/4[\s\S]*your answer/);
    expect(again).not.toContain("File exists");
    type("q");
    // q at the question quits: the program ends and tmux closes its session.
    const end = Date.now() + 30_000;
    while (spawnSync("tmux", ["-L", socket, "has-session", "-t", "learn"]).status === 0) {
      if (Date.now() > end) throw new Error(`learn did not quit:\n${screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const progress = JSON.parse(readFileSync(join(state, "packetwalk/progress.json"), "utf8"));
    expect(progress).toEqual({ lessons: { "namespaces-loopback": { reached: 2, done: false } } });
  });
});
