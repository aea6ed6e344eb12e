// Carrying out a parsed iptables command on a namespace's ruleset (xtables.c
// do_commandx and nft-cmd.c): the table and jump checks, -v echoes, then the operation.
// Errors stay NfError values here; the caller words them (iptables or iptables-restore).
import {
  isBuiltinChain,
  isTableName,
  NfError,
  addRule,
  chainKnown,
  deleteChains,
  deleteRuleNum,
  deleteRuleSpec,
  findRule,
  flushChains,
  listedChains,
  newUserChain,
  renameChain,
  replaceRule,
  setPolicy,
  zeroCounters,
  zeroRule,
  type NetfilterState,
  type NfRule as Rule,
  type TableName,
} from "../../kernel/netlink/index.js";
import { buildRules } from "./build-rule.js";
import {
  OTHER_PROBLEM,
  VERSION_PROBLEM,
  notModelled,
  paramProblem,
  xtablesError,
  type ErrorSource,
} from "./errors.js";
import { PRINT_RULE, listFormat } from "./format.js";
import { printRule } from "./list-rule.js";
import { listRules, listRulesSave } from "./list.js";
import { CMD, OPT } from "./cmdline.js";
import type { ParsedCommand } from "./parse.js";
import { sameRule } from "./save-rule.js";

const VERDICTS = ["ACCEPT", "DROP", "RETURN", "TRACE", "QUEUE"];

/**
 * Runs the command, writing what it prints on stdout. Throws XtablesExit or NfError.
 * iptables-restore passes `deferJump`: it checks that jumped-to chains exist only at
 * COMMIT (nft_cmd objects are carried out then), so a rule may jump to a chain declared
 * later in the same table.
 */
export function runParsed(
  st: NetfilterState,
  p: ParsedCommand,
  src: ErrorSource,
  write: (s: string) => void,
  deferJump?: (chain: string) => void,
): void {
  if (p.version !== undefined) return write(p.version);
  if (!isTableName(p.table))
    xtablesError(src, VERSION_PROBLEM, `table '${p.table}' does not exist`);
  const table: TableName = p.table;
  const chain = p.chain!;
  const verbose = (p.options & OPT.VERBOSE) !== 0;
  const echo = (r: Rule): void => {
    if (verbose) write(printRule(r, 0, PRINT_RULE));
  };

  const withRule = CMD.APPEND | CMD.INSERT | CMD.REPLACE | CMD.DELETE | CMD.CHECK;
  let rules: Rule[] = [];
  if (p.command & withRule) {
    const j = p.jumpto;
    if (j !== undefined && !VERDICTS.includes(j)) {
      if (deferJump) deferJump(j);
      else if (!chainKnown(st, table, j)) paramProblem(src, `Chain '${j}' does not exist`);
    }
    rules = buildRules(p, src);
  }

  switch (p.command) {
    case CMD.APPEND:
    case CMD.INSERT: {
      const insert = p.command === CMD.INSERT;
      for (const r of rules) {
        if (!chainKnown(st, table, chain)) throw new NfError("ENOENT");
        const at = insert ? p.rulenum - 1 : undefined;
        const len = st.tables.get(table)?.chains.get(chain)?.rules.length ?? 0;
        if (at !== undefined && at > len) throw new NfError("E2BIG");
        echo(r);
        const op = insert ? "RULE_INSERT" : "RULE_APPEND";
        // No queue handler listens in a lab: nf_tables refuses the verdict.
        if (p.jumpto === "QUEUE")
          throw new NfError("ENOENT", { op, subject: `rule in chain ${chain}` });
        addRule(st, table, chain, r, at, op);
      }
      return;
    }
    case CMD.REPLACE: {
      const c = st.tables.get(table)?.chains.get(chain);
      if (!c) throw new NfError("ENOENT");
      if (p.rulenum > c.rules.length) throw new NfError("E2BIG");
      echo(rules[0]!);
      replaceRule(st, table, chain, p.rulenum, rules[0]!);
      return;
    }
    case CMD.DELETE:
      for (const r of rules) {
        if (findRule(st, table, chain, (x) => sameRule(x, r)) < 0) throw new NfError("ENOENT");
        echo(r);
        deleteRuleSpec(st, table, chain, (x) => sameRule(x, r));
      }
      return;
    case CMD.CHECK:
      for (const r of rules) {
        if (findRule(st, table, chain, (x) => sameRule(x, r)) < 0) throw new NfError("ENOENT");
        echo(r);
      }
      return;
    case CMD.DELETE_NUM:
      deleteRuleNum(st, table, chain, p.rulenum);
      return;
    case CMD.FLUSH:
      flushChains(st, table, p.chain, verbose);
      if (verbose) {
        const names =
          p.chain !== undefined ? [p.chain] : listedChains(st, table).map((c) => c.name);
        for (const n of names) write(`Flushing chain \`${n}'\n`);
      }
      return;
    case CMD.ZERO:
      for (const n of zeroCounters(st, table, p.chain, false))
        if (verbose) write(`Zeroing chain \`${n}'\n`);
      return;
    case CMD.ZERO_NUM:
      zeroRule(st, table, chain, p.rulenum);
      return;
    case CMD.NEW_CHAIN:
      newUserChain(st, table, chain);
      return;
    case CMD.DELETE_CHAIN:
      return deleteChain(st, table, p.chain, verbose, write);
    case CMD.RENAME_CHAIN:
      // iptables 1.8.9 renames an existing base chain, leaving a table it cannot list.
      if (chainKnown(st, table, p.newName!)) throw new NfError("EEXIST");
      if (isBuiltinChain(table, chain) && st.tables.get(table)?.chains.has(chain))
        notModelled(src, "renaming a built-in chain");
      renameChain(st, table, chain, p.newName!);
      return;
    case CMD.SET_POLICY:
      setPolicy(st, table, chain, p.policy!);
      return;
    default:
      return list(st, table, p, src, write);
  }
}

function deleteChain(
  st: NetfilterState,
  table: TableName,
  chain: string | undefined,
  verbose: boolean,
  write: (s: string) => void,
): void {
  const t = st.tables.get(table);
  let names: string[];
  if (chain === undefined)
    names = listedChains(st, table)
      .filter((c) => !c.builtin)
      .map((c) => c.name);
  else {
    if (!t?.chains.has(chain)) throw new NfError("ENOENT");
    names = isBuiltinChain(table, chain) ? [] : [chain];
  }
  if (verbose) for (const n of names) write(`Deleting chain \`${n}'\n`);
  deleteChains(st, table, chain);
}

/** -L / -S, possibly with -Z: list, then zero what was listed. */
function list(
  st: NetfilterState,
  table: TableName,
  p: ParsedCommand,
  src: ErrorSource,
  write: (s: string) => void,
): void {
  const zero = (p.command & CMD.ZERO) !== 0;
  if (p.chain !== undefined && !chainKnown(st, table, p.chain))
    xtablesError(
      src,
      OTHER_PROBLEM,
      `chain \`${p.chain}' in table \`${table}' is incompatible, use 'nft' tool.`,
    );
  const o = p.options;
  const verbose = (o & OPT.VERBOSE) !== 0;
  if (p.command & CMD.LIST) {
    const f = listFormat({
      numeric: (o & OPT.NUMERIC) !== 0,
      verbose,
      exact: (o & OPT.EXPANDED) !== 0,
      lineNumbers: (o & OPT.LINENUMBERS) !== 0,
    });
    write(listRules(st, table, p.chain, p.rulenum, f));
  } else write(listRulesSave(st, table, p.chain, p.rulenum, verbose));
  if (!zero) return;
  const names = p.chain !== undefined ? [p.chain] : listedChains(st, table).map((c) => c.name);
  if (verbose) for (const n of names) write(`Zeroing chain \`${n}'\n`);
  zeroCounters(st, table, p.chain, true);
}
