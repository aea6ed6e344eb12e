// What may be walked: one ping or `nc -z` line, optionally run in a namespace or in a
// container (`docker exec NAME ...`). The probe goes through the lab-script parser like
// any script line, so it gets the same refusals.
import { quote } from "shell-quote";
import { nsOf, type NsName } from "../backend/trace-types.js";
import { parseLine } from "../script/parse.js";
import { parseDockerArgs } from "../script/programs/docker.js";
import { ScriptError } from "../script/errors.js";
import type { LabCommand } from "../script/types.js";

export class ProbeError extends Error {}

/** Is this script line a probe a walk can follow? */
export function isProbe(cmd: LabCommand): boolean {
  if (cmd.background || cmd.redirect !== undefined) return false;
  const run = cmd.program === "docker" ? dockerExecProgram(cmd.args) : cmd;
  if (run === undefined) return false;
  if (run.program === "ping") return true;
  return run.program === "nc" && zeroIo(run.args);
}

/**
 * The program a `docker exec [OPTIONS] CONTAINER PROGRAM ARGS...` line runs in the
 * container, or undefined for any other docker line.
 */
export function dockerExecProgram(
  args: readonly string[],
): { container: string; program: string; args: string[] } | undefined {
  const parsed = parseDockerArgs(args);
  if (parsed?.sub !== "exec" || parsed.unknownFlag !== undefined) return undefined;
  if (parsed.missingValue !== undefined || parsed.flags.has("detach")) return undefined;
  const [container, program, ...rest] = parsed.operands;
  if (container === undefined || program === undefined) return undefined;
  return { container, program, args: rest };
}

/**
 * Where the probe runs, as walks name namespaces: a `docker exec` probe in its container
 * ("web (container)"; one started with --network host or container:X shares another's
 * namespace, which its walk's steps show), else the `ip netns exec` namespace or the root.
 */
export function probeNs(cmd: LabCommand): NsName {
  const exec = cmd.program === "docker" ? dockerExecProgram(cmd.args) : undefined;
  return exec !== undefined ? `${exec.container} (container)` : nsOf(cmd.netns);
}

/** nc's -z, alone or in a cluster of short flags (-zv, -vzn). */
function zeroIo(args: string[]): boolean {
  return args.some((a) => /^-[a-zA-Z]*z[a-zA-Z]*$/.test(a));
}

/** Parses the words after `--` into a probe, or says what is wrong with them. */
export function parseProbe(words: string[]): LabCommand {
  if (words.length === 0) {
    throw new ProbeError(
      "packetwalk walk: no probe given. Put it after `--`, e.g. " +
        "`packetwalk walk lab.lab -- ip netns exec a ping -c1 10.0.0.2`",
    );
  }
  // One word may hold the whole line (`-- "ip netns exec a ping -c1 10.0.0.2"`).
  const text = words.length === 1 ? words[0]! : quote(words);
  let cmd: LabCommand | null;
  try {
    cmd = parseLine(text, 1, "<probe>");
  } catch (e) {
    if (e instanceof ScriptError) throw new ProbeError(`packetwalk walk: probe: ${e.reason}`);
    throw e;
  }
  if (!cmd) throw new ProbeError("packetwalk walk: the probe is empty");
  if (!isProbe(cmd)) {
    throw new ProbeError(
      `packetwalk walk: the probe must be a ping or an nc -z line, optionally after ` +
        `\`ip netns exec NS\` or \`docker exec CONTAINER\`; got \`${cmd.text}\``,
    );
  }
  return cmd;
}
