// A namespace's netfilter ruleset as iptables-nft (1.8.9) leaves it in nf_tables: tables and
// chains are created on first use (nft.c nft_xt_builtin_init creates only the one built-in
// chain a command names), user chains are counted by the jumps that reach them, and every
// change that the kernel validates is all-or-nothing, like one nfnetlink batch.
import type { NetNs } from "../core/netns.js";
import { isBuiltinChain } from "./builtin.js";
import { NfError, type BatchOp } from "./errors.js";
import {
  BUILTIN_CHAINS,
  type Chain,
  type NetfilterState,
  type Policy,
  type Rule,
} from "./types.js";
import type { Table, TableName } from "./types.js";
import { checkNewRule, mayInvalidate, validateTable } from "./validate.js";

/** The namespace's netfilter state, created empty on first use. */
export function netfilterOf(ns: NetNs): NetfilterState {
  return (ns.netfilter ??= { tables: new Map(), nextCreated: 0 });
}

/** Runs fn; if it throws, the state is put back as it was (an aborted batch). */
export function atomically<T>(st: NetfilterState, fn: () => T): T {
  const saved = structuredClone({ tables: st.tables, next: st.nextCreated });
  try {
    return fn();
  } catch (e) {
    st.tables.clear();
    for (const [k, v] of saved.tables) st.tables.set(k, v);
    st.nextCreated = saved.next;
    throw e;
  }
}

function ensureTable(st: NetfilterState, name: TableName): Table {
  let t = st.tables.get(name);
  if (!t) {
    t = { name, chains: new Map() };
    st.tables.set(name, t);
  }
  return t;
}

function newChainObject(st: NetfilterState, name: string, builtin: boolean): Chain {
  const created = st.nextCreated ?? 0;
  st.nextCreated = created + 1;
  return {
    name,
    builtin,
    ...(builtin ? { policy: "ACCEPT" as Policy } : {}),
    rules: [],
    packets: 0,
    bytes: 0,
    created,
  };
}

/** Keeps table.chains in listing order: built-ins in hook order, then user chains by name. */
function sortChains(table: Table): void {
  const builtins = BUILTIN_CHAINS[table.name] as string[];
  const all = [...table.chains.values()].sort((a, b) => {
    if (a.builtin !== b.builtin) return a.builtin ? -1 : 1;
    if (a.builtin) return builtins.indexOf(a.name) - builtins.indexOf(b.name);
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  table.chains.clear();
  for (const c of all) table.chains.set(c.name, c);
}

/** Creates the table and the built-in chain if they do not exist yet (nft_xt_builtin_init). */
function ensureBuiltin(st: NetfilterState, tableName: TableName, chain: string): Chain {
  const table = ensureTable(st, tableName);
  let c = table.chains.get(chain);
  if (!c) {
    c = newChainObject(st, chain, true);
    table.chains.set(chain, c);
    sortChains(table);
  }
  return c;
}

export function getChain(st: NetfilterState, table: TableName, chain: string): Chain | undefined {
  return st.tables.get(table)?.chains.get(chain);
}

/** A chain iptables' cache knows: a user chain that exists, or any built-in chain name. */
export function chainKnown(st: NetfilterState, table: TableName, chain: string): boolean {
  return isBuiltinChain(table, chain) || getChain(st, table, chain) !== undefined;
}

/** How many rules in the table jump or go to the chain. */
export function chainReferences(table: Table | undefined, chain: string): number {
  let n = 0;
  for (const c of table?.chains.values() ?? []) {
    for (const r of c.rules) {
      const t = r.target;
      if ((t?.kind === "jump" || t?.kind === "goto") && t.chain === chain) n++;
    }
  }
  return n;
}

/**
 * The chains a listing shows: every built-in chain (one that does not exist yet shows
 * policy ACCEPT and no counters), then the user chains sorted by name (nft-cache.c).
 */
export function listedChains(st: NetfilterState, tableName: TableName): Chain[] {
  const table = st.tables.get(tableName);
  const out: Chain[] = [];
  for (const name of BUILTIN_CHAINS[tableName]) {
    out.push(
      table?.chains.get(name) ?? {
        name,
        builtin: true,
        policy: "ACCEPT",
        rules: [],
        packets: 0,
        bytes: 0,
      },
    );
  }
  for (const c of table?.chains.values() ?? []) if (!c.builtin) out.push(c);
  return out;
}

function withBatch<T>(op: BatchOp, subject: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NfError && !e.batch) e.batch = { op, subject };
    throw e;
  }
}

/**
 * Adds a rule at 0-based position `at` (undefined: at the end). The chain must be a
 * built-in (created if needed) or an existing user chain; the kernel then checks the rule.
 */
export function addRule(
  st: NetfilterState,
  tableName: TableName,
  chain: string,
  rule: Rule,
  at: number | undefined,
  op: "RULE_APPEND" | "RULE_INSERT",
): void {
  if (!chainKnown(st, tableName, chain)) throw new NfError("ENOENT");
  const existing = getChain(st, tableName, chain)?.rules.length ?? 0;
  if (at !== undefined && at > existing) throw new NfError("E2BIG");
  // An aborted batch leaves the tables as they were. Undone by hand rather than by copying
  // the ruleset (atomically), so adding a rule costs the same whatever the table's size.
  const hadTable = st.tables.has(tableName);
  const hadChain = getChain(st, tableName, chain) !== undefined;
  const nextCreated = st.nextCreated;
  const c = isBuiltinChain(tableName, chain)
    ? ensureBuiltin(st, tableName, chain)
    : getChain(st, tableName, chain)!;
  const table = st.tables.get(tableName)!;
  const pos = at ?? c.rules.length;
  let added = false;
  try {
    withBatch(op, `rule in chain ${chain}`, () => {
      checkNewRule(table, chain, rule);
      c.rules.splice(pos, 0, rule);
      added = true;
      if (mayInvalidate(rule)) validateTable(table);
    });
  } catch (e) {
    if (added) c.rules.splice(pos, 1);
    if (!hadChain) table.chains.delete(chain);
    if (!hadTable) st.tables.delete(tableName);
    st.nextCreated = nextCreated;
    throw e;
  }
}

/** -R: replaces rule number `num` (1-based) of an existing chain. */
export function replaceRule(
  st: NetfilterState,
  tableName: TableName,
  chain: string,
  num: number,
  rule: Rule,
): void {
  const c = getChain(st, tableName, chain);
  if (!c) throw new NfError("ENOENT");
  if (num > c.rules.length) throw new NfError("E2BIG");
  const table = st.tables.get(tableName)!;
  const old = c.rules[num - 1]!;
  try {
    withBatch("RULE_REPLACE", `rule in chain ${chain}`, () => {
      checkNewRule(table, chain, rule);
      c.rules[num - 1] = rule;
      if (mayInvalidate(rule)) validateTable(table);
    });
  } catch (e) {
    c.rules[num - 1] = old;
    throw e;
  }
}

/** -D CHAIN N. */
export function deleteRuleNum(
  st: NetfilterState,
  tableName: TableName,
  chain: string,
  num: number,
): void {
  const c = getChain(st, tableName, chain);
  if (!c) throw new NfError("ENOENT");
  if (num > c.rules.length) throw new NfError("E2BIG");
  c.rules.splice(num - 1, 1);
}

/** Index of the first rule `same` accepts, or -1 (nft_rule_find). */
export function findRule(
  st: NetfilterState,
  tableName: TableName,
  chain: string,
  same: (r: Rule) => boolean,
): number {
  return getChain(st, tableName, chain)?.rules.findIndex(same) ?? -1;
}

/** -D CHAIN RULE: the first rule that is the same; ENOENT when none is. */
export function deleteRuleSpec(
  st: NetfilterState,
  tableName: TableName,
  chain: string,
  same: (r: Rule) => boolean,
): void {
  const i = findRule(st, tableName, chain, same);
  if (i < 0) throw new NfError("ENOENT");
  getChain(st, tableName, chain)!.rules.splice(i, 1);
}

/**
 * -F: one chain (a built-in one is created if needed) or every chain of the table that
 * exists. Nothing is created for a table that does not exist; but -F -v walks every
 * chain it names, so in a table that exists the missing built-in chains get created.
 */
export function flushChains(
  st: NetfilterState,
  tableName: TableName,
  chain?: string,
  verbose = false,
): void {
  if (chain === undefined) {
    if (verbose && st.tables.has(tableName))
      for (const name of BUILTIN_CHAINS[tableName]) ensureBuiltin(st, tableName, name);
    for (const c of st.tables.get(tableName)?.chains.values() ?? []) c.rules = [];
    return;
  }
  if (isBuiltinChain(tableName, chain)) {
    ensureBuiltin(st, tableName, chain).rules = [];
    return;
  }
  const c = getChain(st, tableName, chain);
  if (!c) throw new NfError("ENOENT");
  c.rules = [];
}

function zeroChain(c: Chain): void {
  // __nft_chain_zero_counters sets a base chain's counters to 0: from now on its policy
  // counts, as after -P (user chains have no policy; the flag means nothing there).
  c.policyCounters = true;
  c.packets = 0;
  c.bytes = 0;
  for (const r of c.rules) {
    r.packets = 0;
    r.bytes = 0;
  }
}

/**
 * -Z: zeroes the counters of the chains that exist (one named chain must exist). With a
 * listing (-L -Z, -S -Z) iptables zeroes what it listed, built-in chains that do not exist
 * included, which creates them, or fails when the table does not exist (CHAIN_ZERO ENOENT).
 * Returns the chains zeroed, for -v.
 */
export function zeroCounters(
  st: NetfilterState,
  tableName: TableName,
  chain: string | undefined,
  listing: boolean,
): string[] {
  if (!listing) {
    if (chain !== undefined) {
      const c = getChain(st, tableName, chain);
      if (!c) throw new NfError("ENOENT");
      zeroChain(c);
      return [chain];
    }
    const chains = [...(st.tables.get(tableName)?.chains.values() ?? [])];
    chains.forEach(zeroChain);
    return chains.map((c) => c.name);
  }
  const names = chain !== undefined ? [chain] : listedChains(st, tableName).map((c) => c.name);
  atomically(st, () => {
    for (const name of names) {
      const c = getChain(st, tableName, name);
      if (c) zeroChain(c);
      else if (!st.tables.has(tableName)) {
        throw new NfError("ENOENT", { op: "CHAIN_ZERO", subject: `chain ${name}` });
      } else if (isBuiltinChain(tableName, name)) ensureBuiltin(st, tableName, name);
    }
  });
  return names;
}

/** -Z CHAIN N: zeroes one rule's counters; a number past the end is ignored. */
export function zeroRule(
  st: NetfilterState,
  tableName: TableName,
  chain: string,
  num: number,
): void {
  const c = getChain(st, tableName, chain);
  if (!c) throw new NfError("ENOENT");
  const r = c.rules[num - 1];
  if (r) {
    r.packets = 0;
    r.bytes = 0;
  }
}

/** -N: a user chain; EEXIST for any name the cache knows, built-in names included. */
export function newUserChain(st: NetfilterState, tableName: TableName, chain: string): void {
  if (chainKnown(st, tableName, chain)) throw new NfError("EEXIST");
  const table = ensureTable(st, tableName);
  table.chains.set(chain, newChainObject(st, chain, false));
  sortChains(table);
}

/** The kernel refuses to delete a chain that has rules or is jumped to (NLM_F_NONREC). */
function deletable(table: Table, c: Chain): boolean {
  return c.rules.length === 0 && chainReferences(table, c.name) === 0;
}

/**
 * -X CHAIN deletes a user chain, or a built-in chain that exists; -X alone deletes every
 * user chain and the built-in chains left empty with policy ACCEPT (iptables 1.8.9
 * nft_chain_del). All in one batch: the first busy chain (kernel order) fails it all.
 * Returns the user chains deleted, for -v.
 */
export function deleteChains(st: NetfilterState, tableName: TableName, chain?: string): string[] {
  const table = st.tables.get(tableName);
  if (chain !== undefined) {
    const c = table?.chains.get(chain);
    if (!table || !c) throw new NfError("ENOENT");
    // iptables itself refuses a built-in chain whose policy is not the default.
    if (c.builtin && c.policy !== "ACCEPT") throw new NfError("EBUSY");
    if (!deletable(table, c))
      throw new NfError("EBUSY", { op: "CHAIN_DEL", subject: `chain ${chain}` });
    table.chains.delete(chain);
    return c.builtin ? [] : [chain];
  }
  if (!table) return [];
  const byCreation = [...table.chains.values()].sort((a, b) => (a.created ?? 0) - (b.created ?? 0));
  for (const c of byCreation) {
    if (!c.builtin && !deletable(table, c))
      throw new NfError("EBUSY", { op: "CHAIN_DEL", subject: `chain ${c.name}` });
  }
  const users: string[] = [];
  for (const c of [...table.chains.values()]) {
    if (!c.builtin) {
      users.push(c.name);
      table.chains.delete(c.name);
    } else if (c.rules.length === 0 && c.policy === "ACCEPT") table.chains.delete(c.name);
  }
  return users;
}

/** -E: the jumps follow the chain (they point at the chain, not at its name). */
export function renameChain(
  st: NetfilterState,
  tableName: TableName,
  from: string,
  to: string,
): void {
  if (chainKnown(st, tableName, to)) throw new NfError("EEXIST");
  const table = st.tables.get(tableName);
  const c = table?.chains.get(from);
  if (!table || !c || c.builtin) throw new NfError("ENOENT");
  for (const ch of table.chains.values()) {
    for (const r of ch.rules) {
      const t = r.target;
      if ((t?.kind === "jump" || t?.kind === "goto") && t.chain === from) t.chain = to;
    }
  }
  table.chains.delete(from);
  c.name = to;
  table.chains.set(to, c);
  sortChains(table);
}

/** -P: EINVAL for a policy other than ACCEPT/DROP, ENOENT for a chain that is not built in. */
export function setPolicy(
  st: NetfilterState,
  tableName: TableName,
  chain: string,
  policy: string,
  counters?: { packets: number; bytes: number },
): void {
  if (policy !== "ACCEPT" && policy !== "DROP") throw new NfError("EINVAL");
  if (!isBuiltinChain(tableName, chain)) throw new NfError("ENOENT");
  const c = ensureBuiltin(st, tableName, chain);
  c.policy = policy;
  // The chain gets (fresh) counters: only from now on does its policy count (eval.ts).
  c.policyCounters = true;
  c.packets = counters?.packets ?? 0;
  c.bytes = counters?.bytes ?? 0;
}

/** iptables-restore without --noflush: the table is deleted before it is rebuilt. */
export function deleteTable(st: NetfilterState, tableName: TableName): void {
  st.tables.delete(tableName);
}
