// Shared state of one `ip` invocation: global options and output.
import { KernelError, type NetNs, type World } from "../../kernel/netlink/index.js";
import { Exit, type Output } from "../program.js";
import { NOT_SIMULATED_EXIT, notSimulatedText } from "../not-simulated.js";

export interface IpOptions {
  json: boolean;
  pretty: boolean;
  brief: boolean;
  oneline: boolean;
  details: boolean;
  stats: boolean;
  /** How many times -s was given (`-s -s` adds the error counters). */
  statsLevel: number;
  family: "inet" | "inet6" | undefined;
}

export interface IpContext {
  world: World;
  ns: NetNs;
  opts: IpOptions;
  o: Output;
  /** A container's process (docker exec): Docker's default capabilities, no CAP_SYS_ADMIN. */
  unprivileged?: boolean;
}

/** iproute2's matches(): the word is a prefix of the keyword. */
export function matches(word: string | undefined, keyword: string): boolean {
  return word !== undefined && word.length > 0 && keyword.startsWith(word);
}

/** Prints an error line to stderr and stops `ip` with the given exit code. */
export function die(c: IpContext, msg: string, code = 1): never {
  c.o.err(msg.endsWith("\n") ? msg : `${msg}\n`);
  throw new Exit(code);
}

/** What ip accepts but the simulator does not model (not-simulated.ts). */
export function notSimulated(c: IpContext, what: string): never {
  c.o.err(notSimulatedText(what));
  throw new Exit(NOT_SIMULATED_EXIT);
}

/** iproute2's invarg(): `Error: argument "X" is wrong: MSG` (exit 255). */
export function invarg(c: IpContext, msg: string, arg: string): never {
  // Always a newline after msg, so messages that end in "\n" leave an empty line, as real.
  return die(c, `Error: argument "${arg}" is wrong: ${msg}\n`, 255);
}

/** `Command line is not complete. Try option "help"` (exit 255). */
export function incomplete(c: IpContext): never {
  return die(c, 'Command line is not complete. Try option "help"', 255);
}

export function duparg(c: IpContext, key: string, arg: string): never {
  return die(c, `Error: duplicate "${key}": "${arg}" is the second value.`, 255);
}

/**
 * flush_update's perror when the kernel refuses the delete requests (a container without
 * CAP_NET_ADMIN); each object's flush exits its own way (measured: neigh 1, route 2, addr 255).
 */
export function flushRefused(c: IpContext, code: number): never {
  return die(c, "Failed to send flush request: Operation not permitted", code);
}

/** Runs a flush's delete requests, reporting an EPERM refusal as iproute2 does. */
export function flushing<T>(c: IpContext, code: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KernelError && e.errno === "EPERM") flushRefused(c, code);
    throw e;
  }
}
