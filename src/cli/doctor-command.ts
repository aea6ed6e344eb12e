// `packetwalk doctor`: what the kernel backend needs, and how to get what is missing.
import { doctor, readMachineProfileDetailed } from "../real/preflight.js";
import { style } from "./style.js";

export async function doctorCommand(
  opts: { json?: boolean },
  write: (s: string) => void,
): Promise<number> {
  const checks = await doctor();
  let profile: unknown;
  try {
    profile = readMachineProfileDetailed();
  } catch (e) {
    profile = { error: e instanceof Error ? e.message : String(e) };
  }
  const ok = checks.every((c) => c.ok);
  if (opts.json) {
    write(JSON.stringify({ ok, checks, profile }, null, 2) + "\n");
    return ok ? 0 : 1;
  }
  for (const c of checks) {
    write(
      `${c.ok ? style.green("ok  ") : style.red("FAIL")}  ${c.name}${c.detail ? style.dim(`  (${c.detail})`) : ""}\n`,
    );
    if (!c.ok && c.fix) write(`      fix: ${c.fix}\n`);
  }
  write(`\nWhat a new namespace inherits on this machine:\n${JSON.stringify(profile, null, 2)}\n`);
  write(
    ok
      ? style.green("\nThe kernel backend is ready.\n")
      : style.red("\nThe kernel backend is not ready: fix the lines marked FAIL.\n"),
  );
  return ok ? 0 : 1;
}
