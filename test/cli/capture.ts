// Captures what the CLI writes to stdout and stderr, for tests of its commands.
import { afterEach, beforeEach, vi } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { tempDir } from "../temp-dir.js";

export const captured = { out: "", err: "" };

/** Installs the capture around each test of the calling file. */
export function captureOutput(): void {
  beforeEach(() => {
    captured.out = "";
    captured.err = "";
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      captured.out += String(s);
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
      captured.err += String(s);
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());
}

/** Writes a lab script to a fresh temporary directory; returns its path. */
export function script(text: string): string {
  const dir = tempDir("pw-cli-");
  const f = join(dir, "lab.lab");
  writeFileSync(f, text);
  return f;
}

export const run = (...args: string[]): Promise<number> => main(["node", "packetwalk", ...args]);
