// How iptables ends on an error (xshared.c xtables_exit_error, exit_tryhelp): the program
// name and version, the message, and for a parameter problem the "Try ..." hint (with the
// restore line first). Exit codes are enum xtables_exittype: OTHER_PROBLEM 1,
// PARAMETER_PROBLEM 2, VERSION_PROBLEM 3, RESOURCE_PROBLEM 4.
import { VERSION_TAG } from "./version.js";
import { notSimulatedText } from "../not-simulated.js";

export const OTHER_PROBLEM = 1;
export const PARAMETER_PROBLEM = 2;
export const VERSION_PROBLEM = 3;
export const RESOURCE_PROBLEM = 4;

/** Thrown to end the program: `text` is everything it prints on stderr. */
export class XtablesExit extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(text);
    this.name = "XtablesExit";
  }
}

/** Who is speaking: "iptables" or "iptables-restore", and the restore line if any. */
export interface ErrorSource {
  prog: string;
  line?: number;
}

export function tryHelpText(src: ErrorSource): string {
  const at = src.line !== undefined ? `Error occurred at line: ${src.line}\n` : "";
  return `${at}Try \`${src.prog} -h' or '${src.prog} --help' for more information.\n`;
}

/** What xtables_error(status, msg) prints: msg may end in "\n" itself (an empty line). */
export function errorText(src: ErrorSource, status: number, msg: string): string {
  let text = `${src.prog} ${VERSION_TAG}: ${msg}\n`;
  if (status === PARAMETER_PROBLEM) text += tryHelpText(src);
  if (status === VERSION_PROBLEM)
    text += `Perhaps ${src.prog} or your kernel needs to be upgraded.\n`;
  return text;
}

export function xtablesError(src: ErrorSource, status: number, msg: string): never {
  throw new XtablesExit(status, errorText(src, status, msg));
}

export function paramProblem(src: ErrorSource, msg: string): never {
  return xtablesError(src, PARAMETER_PROBLEM, msg);
}

/** A message printed as is, then exit_tryhelp(2) ("Bad argument `x'"). */
export function badArgument(src: ErrorSource, text: string): never {
  throw new XtablesExit(PARAMETER_PROBLEM, text + tryHelpText(src));
}

/** Something real iptables accepts that the simulator does not model: said plainly. */
export function notModelled(src: ErrorSource, what: string): never {
  throw new XtablesExit(PARAMETER_PROBLEM, notSimulatedText(`${src.prog}: ${what}`));
}
