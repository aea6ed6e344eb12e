// What the real tool accepts but the simulator does not model is refused with one message
// and one exit code for every program (lab-script.md), never with the real tool's own
// "unknown option" text: that would teach that the option does not exist.
import type { CommandResult } from "../../backend.js";

/** The exit code of every "not simulated" refusal. */
export const NOT_SIMULATED_EXIT = 2;

/** `packetwalk: WHAT is not simulated (run it with --kernel)`, WHAT as "ip -c" or "ping -s". */
export function notSimulatedText(what: string): string {
  return `packetwalk: ${what} is not simulated (run it with --kernel)\n`;
}

export function notSimulatedResult(what: string, stdout = ""): CommandResult {
  return { exit: NOT_SIMULATED_EXIT, stdout, stderr: notSimulatedText(what) };
}
