// `iptables-restore` (xtables-restore.c, 1.8.9): reads "*table", ":chain policy [p:b]",
// rule lines (iptables arguments, double quotes only) and COMMIT. Without --noflush a
// table named in the input is deleted first. Each table is one batch, applied at COMMIT
// or not at all; the first error ends the program.
import type { CommandResult } from "../../../backend.js";
import {
  isBuiltinChain,
  isTableName,
  NfError,
  chainKnown,
  deleteTable,
  flushChains,
  getChain,
  listedChains,
  nfBegin,
  nfTables,
  type NfTransaction,
  newUserChain,
  setPolicy,
  type NetfilterState,
  type TableName,
} from "../../kernel/netlink/index.js";
import { Output, type ProgramContext } from "../program.js";
import { RESOURCE_PROBLEM, XtablesExit, paramProblem, type ErrorSource } from "./errors.js";
import { Getopt, getoptComplaint, type LongOpt } from "./getopt.js";
import { CMD, OPT } from "./cmdline.js";
import { parseCommand } from "./parse.js";
import { runParsed } from "./run.js";
import { batchErrorText, nftStrerror } from "./strerror.js";
import { VERSION_TAG } from "./version.js";
import { notSimulatedResult } from "../not-simulated.js";

const PROG = "iptables-restore";

const LONGS: LongOpt[] = [
  ["counters", 0, "c"],
  ["verbose", 0, "v"],
  ["version", 0, "V"],
  ["test", 0, "t"],
  ["help", 0, "h"],
  ["noflush", 0, "n"],
  ["modprobe", 1, "M"],
  ["table", 1, "T"],
  ["ipv4", 0, "4"],
  ["ipv6", 0, "6"],
  ["wait", 2, "w"],
  ["wait-interval", 2, "W"],
].map(([name, hasArg, val]) => ({ name, hasArg, val }) as LongOpt);

const SHORTS: Record<string, 0 | 1 | 2> = {
  b: 0,
  c: 0,
  v: 0,
  V: 0,
  t: 0,
  h: 0,
  n: 0,
  M: 1,
  T: 1,
  w: 0,
  W: 0,
};

export interface RestoreOptions {
  counters: boolean;
  noflush: boolean;
  testing: boolean;
  verbose: boolean;
  table?: string;
}

/** The rule line's words (xshared.c add_param_to_argv): only double quotes group. */
export function splitRuleLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quoted = false;
  let escaped = false;
  for (const ch of line) {
    if (quoted) {
      if (escaped) {
        cur += ch;
        escaped = false;
      } else if (ch === "\\") escaped = true;
      else if (ch === '"') quoted = false;
      else cur += ch;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      has = true;
    } else if (ch === " " || ch === "\t" || ch === "\n") {
      if (has || cur !== "") out.push(cur);
      cur = "";
      has = false;
    } else cur += ch;
  }
  if (has || cur !== "") out.push(cur);
  return out;
}

/** Parses the options; the one positional (the rules file) is handled by the backend. */
export function restoreOptions(args: string[]): RestoreOptions | CommandResult {
  const g = new Getopt([PROG, ...args], SHORTS);
  const opts: RestoreOptions = { counters: false, noflush: false, testing: false, verbose: false };
  let err = "";
  for (let r = g.next(LONGS); r; r = g.next(LONGS)) {
    if (r.kind === "arg") continue;
    if (r.kind !== "opt") {
      return {
        exit: 1,
        stdout: "",
        stderr: `${getoptComplaint(PROG, r)}Try \`${PROG} -h' for more information.\n`,
      };
    }
    switch (r.val) {
      case "b":
        err += "-b/--binary option is not implemented\n";
        break;
      case "c":
        opts.counters = true;
        break;
      case "t":
        opts.testing = true;
        break;
      case "n":
        opts.noflush = true;
        break;
      case "T":
        opts.table = r.arg!;
        break;
      case "V":
        return { exit: 0, stdout: `${PROG} ${VERSION_TAG}\n`, stderr: err };
      case "v":
        opts.verbose = true;
        break;
      case "h":
      case "W":
        return notSimulatedResult(`${PROG} -${r.val}`);
    }
  }
  return opts;
}

interface Block {
  table: TableName;
  /** The block's batch: aborted, the ruleset is as before the block. */
  tx: NfTransaction;
  /** The first refused batch message and its line; reported at COMMIT. */
  failed?: { error: NfError; line: number };
  /**
   * The first jump to a chain that did not exist when its rule was read: iptables-nft
   * finds it when it prepares the batch at COMMIT, and names the COMMIT line.
   */
  missingJump?: string;
}

/**
 * Runs the input. `input` is the rules text (the file beside the script, or stdin, which
 * a lab script cannot provide: it is empty, as /dev/null on the kernel).
 */
export function iptablesRestore(
  ctx: ProgramContext,
  opts: RestoreOptions,
  input: string,
): CommandResult {
  const o = new Output();
  const st = nfTables(ctx.ns);
  let block: Block | undefined;
  /** The table of the last "*" line, even a skipped one (state->curtable). */
  let current: string | undefined;
  const lines = input.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let lineNo = 0;
  try {
    for (const text of lines) {
      lineNo++;
      const src: ErrorSource = { prog: PROG, line: lineNo };
      if (text === "") continue;
      if (text.startsWith("#")) {
        if (opts.verbose) o.out(`${text}\n`);
        continue;
      }
      let ok = true;
      if (block && text.startsWith("COMMIT") && text.length === 6) {
        // --test aborts instead of committing: nothing is prepared or sent.
        if (opts.testing) {
          block.tx.abort();
          block = undefined;
          continue;
        }
        if (block.missingJump !== undefined)
          paramProblem(src, `Chain '${block.missingJump}' does not exist`);
        if (block.failed) {
          block.tx.abort();
          throw new XtablesExit(
            RESOURCE_PROBLEM,
            batchErrorText(PROG, block.failed.error, block.failed.line),
          );
        }
        block.tx.commit();
        block = undefined;
      } else if (text.startsWith("*") && !block) {
        const name = text
          .slice(1)
          .split(/[ \t]/)
          .find((w) => w !== "");
        if (name === undefined) paramProblem(src, `${PROG}: line ${lineNo} table name invalid`);
        if (!isTableName(name))
          paramProblem(src, `${PROG}: line ${lineNo} table name '${name}' invalid`);
        current = name;
        if (opts.table !== undefined && opts.table !== name) continue;
        const tx = nfBegin(ctx.ns);
        block = { table: name, tx };
        if (!opts.noflush) {
          if (opts.verbose)
            for (const c of listedChains(st, name)) o.out(`Flushing chain \`${c.name}'\n`);
          deleteTable(st, name);
        }
      } else if (text.startsWith(":") && block) {
        ok = chainLine(st, block, text, opts, src);
      } else if (block) {
        ok = ruleLine(st, block, text, opts, src, (s) => o.out(s));
      } else if (opts.table !== undefined && current !== undefined && current !== opts.table) {
        continue;
      } else ok = false;
      if (!ok) {
        if (block) block.tx.abort();
        return failure(o, lineNo, undefined);
      }
    }
    if (block) {
      block.tx.abort();
      o.err(`${PROG}: COMMIT expected at line ${lineNo + 1}\n`);
      return o.result(1);
    }
    return o.result(0);
  } catch (e) {
    if (block) block.tx.abort();
    if (e instanceof XtablesExit) {
      o.err(e.text);
      return o.result(e.code);
    }
    if (e instanceof LineFailed) return failure(o, lineNo, e.message);
    throw e;
  }
}

/** "iptables-restore: line N failed[: sentence.]", exit 1. */
function failure(o: Output, line: number, why: string | undefined): CommandResult {
  o.err(`${PROG}: line ${line} failed${why ? `: ${why}.` : ""}\n`);
  return o.result(1);
}

class LineFailed extends Error {}

/** ":NAME POLICY [p:b]": a built-in chain's policy, or a user chain. */
function chainLine(
  st: NetfilterState,
  block: Block,
  text: string,
  opts: RestoreOptions,
  src: ErrorSource,
): boolean {
  const words = text
    .slice(1)
    .split(/[ \t]+/)
    .filter((w) => w !== "");
  const [chain, policy, ctrs] = words;
  if (chain === undefined) paramProblem(src, `${PROG}: line ${src.line} chain name invalid\n`);
  if (chain.length >= 29) paramProblem(src, `Invalid chain name \`${chain}' (28 chars max)`);
  if (policy === undefined) paramProblem(src, `${PROG}: line ${src.line} policy invalid\n`);
  if (isBuiltinChain(block.table, chain)) {
    let counters: { packets: number; bytes: number } | undefined;
    if (opts.counters) {
      const m = ctrs === undefined ? null : /^\[(\d+):(\d+)\]/.exec(ctrs);
      if (!m) paramProblem(src, `invalid policy counters for chain '${chain}'\n`);
      counters = { packets: Number(m[1]), bytes: Number(m[2]) };
    }
    try {
      setPolicy(st, block.table, chain, policy, counters);
    } catch (e) {
      if (e instanceof NfError) throw new LineFailed(nftStrerror(e, CMD.SET_POLICY));
      throw e;
    }
    return true;
  }
  // nft_chain_restore: a user chain is created, or flushed when it exists (--noflush).
  if (getChain(st, block.table, chain)) flushChains(st, block.table, chain);
  else newUserChain(st, block.table, chain);
  return true;
}

function ruleLine(
  st: NetfilterState,
  block: Block,
  text: string,
  opts: RestoreOptions,
  src: ErrorSource,
  write: (s: string) => void,
): boolean {
  let rest = text;
  let counters: string[] = [];
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) paramProblem(src, `Bad line ${src.line}: need ]`);
    const inner = rest.slice(1, close);
    const colon = inner.indexOf(":");
    if (colon <= 0) paramProblem(src, `Bad line ${src.line}: need :`);
    if (colon === inner.length - 1) paramProblem(src, `Bad line ${src.line}: need ]`);
    if (opts.counters) counters = ["--set-counters", inner.slice(0, colon), inner.slice(colon + 1)];
    rest = rest.slice(close + 1);
  }
  const argv = ["-t", block.table, ...counters, ...splitRuleLine(rest)];
  const p = parseCommand(argv, { src, restore: true });
  if (p.ignored) return true;
  if (opts.verbose) p.options |= OPT.VERBOSE;
  try {
    runParsed(st, p, src, write, (j) => {
      if (!chainKnown(st, block.table, j)) block.missingJump ??= j;
    });
  } catch (e) {
    if (!(e instanceof NfError)) throw e;
    if (!e.batch) throw new LineFailed(nftStrerror(e, p.command));
    block.failed ??= { error: e, line: src.line! };
  }
  return true;
}
