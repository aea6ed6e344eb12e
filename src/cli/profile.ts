// --profile: a built-in name, "machine" (this machine's values), or a JSON file.
import { readFileSync } from "node:fs";
import type { HostProfile } from "../backend.js";
import { readMachineProfile } from "../real/machine-profile.js";
import { BUILTIN_PROFILES, parseProfile } from "../sim/profile.js";
import { UserError } from "./load-script.js";

export function resolveProfile(name: string | undefined): HostProfile {
  if (name === undefined) return BUILTIN_PROFILES["docker-host"]!;
  const builtin = BUILTIN_PROFILES[name];
  if (builtin) return builtin;
  if (name === "machine") return readMachineProfile();
  let text: string;
  try {
    text = readFileSync(name, "utf8");
  } catch {
    throw new UserError(
      `packetwalk: unknown profile "${name}": use ${Object.keys(BUILTIN_PROFILES).join(", ")}, machine, or a JSON file`,
    );
  }
  try {
    return parseProfile(text, name);
  } catch (e) {
    throw new UserError(`packetwalk: ${e instanceof Error ? e.message : String(e)}`);
  }
}
