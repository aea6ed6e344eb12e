// Once per test run: sandbox-init bundled to plain JavaScript, so the few hundred sandboxes
// the tests start run it with node alone instead of through tsx's loader (about 0.4 s of
// CPU each, on two cores that the differential suite keeps busy).
import { build } from "esbuild";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SANDBOX_INIT_ENV } from "../src/real/sandbox.js";

export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "pw-init-"));
  // The rootless test runs a sandbox as another user: it must read the bundle.
  chmodSync(dir, 0o755);
  const outfile = join(dir, "sandbox-init.mjs");
  await build({
    entryPoints: ["src/real/sandbox-init.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile,
    logLevel: "warning",
  });
  process.env[SANDBOX_INIT_ENV] = outfile;
  return () => rmSync(dir, { recursive: true, force: true });
}
