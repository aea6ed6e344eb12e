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
  // Checks only one command needs (walk --kernel: nft, xtables-monitor) do not make the
  // whole kernel backend unready; they are reported beside the rest.
  const ok = checks.every((c) => c.ok || c.onlyFor !== undefined);
  const partial = checks.filter((c) => !c.ok && c.onlyFor !== undefined);
  if (opts.json) {
    write(JSON.stringify({ ok, checks, profile }, null, 2) + "\n");
    return ok ? 0 : 1;
  }
  for (const c of checks) {
    write(
      `${c.ok ? style.green("ok  ") : style.red("FAIL")}  ${c.name}${c.onlyFor ? ` (for ${c.onlyFor})` : ""}${c.detail ? style.dim(`  (${c.detail})`) : ""}\n`,
    );
    if (!c.ok && c.fix) write(`      fix: ${c.fix}\n`);
  }
  write(`\nWhat a new namespace inherits on this machine:\n${JSON.stringify(profile, null, 2)}\n`);
  write(
    ok
      ? style.green("\nThe kernel backend is ready.\n")
      : style.red("\nThe kernel backend is not ready: fix the lines marked FAIL.\n"),
  );
  if (ok && partial.length > 0) {
    const what = [...new Set(partial.map((c) => c.onlyFor))].join(", ");
    write(style.yellow(`${what} needs the lines marked FAIL.\n`));
  }
  return ok ? 0 : 1;
}
