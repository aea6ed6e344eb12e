// Text pasted from a terminal or a web page: a `$ ` prompt and `sudo` are what a reader
// copies along with the command. The lab's commands run as root in the sandbox already,
// so both are dropped; sudo's other options change who runs the command and are refused.
import { quote } from "shell-quote";

/** The line without a leading `$ ` prompt. (`# ` stays a comment: lab scripts narrate with it.) */
export function stripPrompt(trimmed: string): string {
  return trimmed.startsWith("$ ") ? trimmed.slice(2).trimStart() : trimmed;
}

/** sudo's options that take a value (sudo 1.9), so the fix can skip them. */
const SUDO_WITH_VALUE = new Set(["-C", "-D", "-g", "-h", "-p", "-R", "-r", "-T", "-t", "-U", "-u"]);
/** Options that start a shell rather than run the command. */
const SUDO_SHELL = new Set(["-i", "-s", "--login", "--shell"]);

/**
 * The words without a leading `sudo` or `sudo -E`. Any other option is refused, with the
 * line as it should be written.
 */
export function stripSudo(
  words: string[],
  fail: (reason: string, hint?: string) => never,
): string[] {
  if (words[0] !== "sudo") return words;
  let i = 1;
  let refused: string | undefined;
  let shell = false;
  for (; i < words.length && words[i]!.startsWith("-"); i++) {
    const w = words[i]!;
    if (w === "--") {
      i++;
      break;
    }
    if (w === "-E" || w === "--preserve-env") continue;
    refused ??= w;
    if (SUDO_SHELL.has(w)) shell = true;
    if (SUDO_WITH_VALUE.has(w)) i++;
  }
  const rest = words.slice(i);
  if (refused !== undefined) {
    const why = `sudo ${refused} is not supported: the lab's commands run as root in the sandbox already`;
    if (shell || rest.length === 0) fail(why, "write each command on its own line, without sudo");
    fail(why, `write: ${quote(rest)}`);
  }
  if (rest.length === 0) fail("sudo needs a command to run");
  return rest;
}

/** The text without the `sudo [-E]` stripSudo accepted, for the command as it runs. */
export function stripSudoText(text: string): string {
  return text.replace(/^sudo\s+(?:(?:-E|--preserve-env)\s+)*(?:--\s+)?/, "");
}
