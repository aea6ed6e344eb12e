// The netfilter ruleset of a namespace (src/sim/kernel/netfilter/state.ts): chains made
// on first use, all-or-nothing changes, references, and the kernel's checks.
import { describe, expect, it } from "vitest";
import { NfError } from "../../../src/sim/kernel/netfilter/errors.js";
import {
  addRule,
  chainReferences,
  deleteChains,
  listedChains,
  newUserChain,
  renameChain,
  setPolicy,
  zeroCounters,
} from "../../../src/sim/kernel/netfilter/state.js";
import type { NetfilterState, Rule } from "../../../src/sim/kernel/netfilter/types.js";

const fresh = (): NetfilterState => ({ tables: new Map(), nextCreated: 0 });
const rule = (r: Partial<Rule> = {}): Rule => ({ matches: [], packets: 0, bytes: 0, ...r });
const jump = (chain: string): Rule => rule({ target: { kind: "jump", chain } });

function errno(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof NfError) return e.batch ? `${e.batch.op} ${e.errno}` : e.errno;
    throw e;
  }
  return undefined;
}

describe("netfilter state", () => {
  it("creates a table and only the built-in chain a rule goes into", () => {
    const st = fresh();
    addRule(st, "filter", "FORWARD", rule(), undefined, "RULE_APPEND");
    expect([...st.tables.get("filter")!.chains.keys()]).toEqual(["FORWARD"]);
    expect(listedChains(st, "filter").map((c) => c.name)).toEqual(["INPUT", "FORWARD", "OUTPUT"]);
  });

  it("leaves everything as it was when the kernel refuses a rule", () => {
    const st = fresh();
    const bad = rule({ target: { kind: "REJECT", with: "tcp-reset" } });
    expect(errno(() => addRule(st, "filter", "INPUT", bad, undefined, "RULE_APPEND"))).toBe(
      "RULE_APPEND EINVAL",
    );
    expect(st.tables.size).toBe(0);
  });

  it("checks a user chain's targets against the hooks that reach it", () => {
    const st = fresh();
    newUserChain(st, "nat", "X");
    addRule(st, "nat", "X", rule({ target: { kind: "MASQUERADE" } }), undefined, "RULE_APPEND");
    expect(errno(() => addRule(st, "nat", "PREROUTING", jump("X"), 0, "RULE_INSERT"))).toBe(
      "RULE_INSERT EINVAL",
    );
    addRule(st, "nat", "POSTROUTING", jump("X"), undefined, "RULE_APPEND");
    expect(chainReferences(st.tables.get("nat"), "X")).toBe(1);
  });

  it("refuses a jump chain 16 deep from a base chain (EMLINK)", () => {
    const st = fresh();
    for (let i = 1; i <= 16; i++) newUserChain(st, "filter", `c${i}`);
    for (let i = 1; i < 16; i++)
      addRule(st, "filter", `c${i}`, jump(`c${i + 1}`), undefined, "RULE_APPEND");
    expect(errno(() => addRule(st, "filter", "INPUT", jump("c1"), undefined, "RULE_APPEND"))).toBe(
      "RULE_APPEND EMLINK",
    );
    addRule(st, "filter", "INPUT", jump("c2"), undefined, "RULE_APPEND");
  });

  it("deletes all user chains at once, or none: the first busy one in creation order fails", () => {
    const st = fresh();
    newUserChain(st, "filter", "b");
    newUserChain(st, "filter", "a");
    addRule(st, "filter", "a", rule(), undefined, "RULE_APPEND");
    addRule(st, "filter", "b", rule(), undefined, "RULE_APPEND");
    expect(errno(() => deleteChains(st, "filter"))).toBe("CHAIN_DEL EBUSY");
    try {
      deleteChains(st, "filter");
    } catch (e) {
      expect((e as NfError).batch?.subject).toBe("chain b");
    }
    expect([...st.tables.get("filter")!.chains.keys()]).toEqual(["a", "b"]);
  });

  it("renames a chain and the jumps follow it", () => {
    const st = fresh();
    newUserChain(st, "filter", "old");
    addRule(st, "filter", "INPUT", jump("old"), undefined, "RULE_APPEND");
    renameChain(st, "filter", "old", "new");
    expect(st.tables.get("filter")!.chains.get("INPUT")!.rules[0]!.target).toEqual({
      kind: "jump",
      chain: "new",
    });
    expect(errno(() => renameChain(st, "filter", "new", "INPUT"))).toBe("EEXIST");
  });

  it("sets policies on built-in chains only, and zeroes what a listing named", () => {
    const st = fresh();
    expect(errno(() => setPolicy(st, "filter", "INPUT", "RETURN"))).toBe("EINVAL");
    expect(errno(() => setPolicy(st, "filter", "mine", "DROP"))).toBe("ENOENT");
    expect(errno(() => zeroCounters(st, "filter", undefined, true))).toBe("CHAIN_ZERO ENOENT");
    setPolicy(st, "filter", "INPUT", "DROP", { packets: 3, bytes: 4 });
    zeroCounters(st, "filter", undefined, true);
    const chains = st.tables.get("filter")!.chains;
    expect([...chains.keys()]).toEqual(["INPUT", "FORWARD", "OUTPUT"]);
    expect(chains.get("INPUT")).toMatchObject({ policy: "DROP", packets: 0, bytes: 0 });
  });
});
