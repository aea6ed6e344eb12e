// The conntrack match's --ctstate and the state match (libxt_conntrack.c, which also
// provides "state"). States are comma-separated, any case, and may be abbreviated;
// they print in the kernel's bit order.
import { type CtState, type Match } from "../../../kernel/netlink/index.js";
import { notModelled, paramProblem } from "../errors.js";
import type { MatchExt, ParseCall, Printer } from "./framework.js";

type Conntrack = Extract<Match, { kind: "conntrack" }>;
type State = Extract<Match, { kind: "state" }>;

/** Print order (conntrack_dump_ctstate / state_print_state). */
const ORDER: CtState[] = ["INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"];
/** Parse order (conntrack_ps_state / state_parse_states). */
const CT_PARSE: CtState[] = [
  "INVALID",
  "NEW",
  "ESTABLISHED",
  "RELATED",
  "UNTRACKED",
  "SNAT",
  "DNAT",
];
const STATE_PARSE: CtState[] = ["INVALID", "ESTABLISHED", "NEW", "RELATED", "UNTRACKED"];

function parseStates(c: ParseCall, known: CtState[], what: string): CtState[] {
  const got = new Set<CtState>();
  for (const word of c.arg!.split(",")) {
    const s = word === "" ? undefined : known.find((k) => k.startsWith(word.toUpperCase()));
    if (!s) paramProblem(c.env.src, `Bad ${what} "${word}"`);
    got.add(s);
  }
  return ORDER.filter((s) => got.has(s));
}

interface CtData {
  states?: CtState[];
  invert: boolean;
}

/** Options of conntrack other than --ctstate are known (for abbreviations) but refused. */
const OTHER_CT = [
  "ctproto",
  "ctorigsrc",
  "ctorigdst",
  "ctreplsrc",
  "ctrepldst",
  "ctorigsrcport",
  "ctorigdstport",
  "ctreplsrcport",
  "ctrepldstport",
  "ctstatus",
  "ctexpire",
  "ctdir",
];

export const conntrackExt: MatchExt<CtData, Conntrack> = {
  kind: "match",
  name: "conntrack",
  x6: true,
  options: [
    { name: "ctstate", id: 0, hasArg: 1, invert: true },
    ...OTHER_CT.map((name, i) => ({
      name,
      id: i + 1,
      hasArg: 1 as const,
      invert: true,
    })),
  ],
  init: () => ({ invert: false }),
  parse(d, c) {
    if (c.id !== 0) {
      notModelled(c.env.src, `the conntrack option --${c.entry.name}`);
    }
    d.states = parseStates(c, CT_PARSE, "ctstate");
    d.invert = c.invert;
  },
  final(d, _x, env) {
    if (!d.states) paramProblem(env.src, "conntrack: At least one option is required");
  },
  build: (d) => ({ kind: "conntrack", ctstate: d.states!, invert: d.invert }),
};

export const stateExt: MatchExt<CtData, State> = {
  kind: "match",
  name: "state",
  x6: true,
  options: [{ name: "state", id: 0, hasArg: 1, invert: true, mand: true }],
  init: () => ({ invert: false }),
  parse(d, c) {
    d.states = parseStates(c, STATE_PARSE, "state");
    d.invert = c.invert;
  },
  build: (d) => ({ kind: "state", state: d.states!, invert: d.invert }),
};

export const conntrackPrinter: Printer<Conntrack> = {
  print: (m) => `${m.invert ? " !" : ""} ctstate ${m.ctstate.join(",")}`,
  save: (m) => `${m.invert ? " !" : ""} --ctstate ${m.ctstate.join(",")}`,
};

export const statePrinter: Printer<State> = {
  print: (m) => `${m.invert ? " !" : ""} state ${m.state.join(",")}`,
  save: (m) => `${m.invert ? " !" : ""} --state ${m.state.join(",")}`,
};
