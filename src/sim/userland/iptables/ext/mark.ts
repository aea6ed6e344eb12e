// The mark match (libxt_mark.c, revision 1): value[/mask], numbers in any C base.
import { type Match } from "../../../kernel/netlink/index.js";
import { hex } from "../num.js";
import type { MatchExt, Printer } from "./framework.js";
import { parseMarkMask } from "./markmask.js";

type MarkMatch = Extract<Match, { kind: "mark" }>;

export const markExt: MatchExt<MarkMatch, MarkMatch> = {
  kind: "match",
  name: "mark",
  x6: true,
  options: [{ name: "mark", id: 0, hasArg: 1, invert: true, mand: true }],
  init: () => ({ kind: "mark", value: 0, mask: 0xffffffff, invert: false }),
  parse(d, c) {
    const v = parseMarkMask(c, "mark");
    d.value = v.mark;
    d.mask = v.mask;
    d.invert = c.invert;
  },
  build: (d) => d,
};

export function markText(value: number, mask: number): string {
  return mask >>> 0 !== 0xffffffff ? ` ${hex(value)}/${hex(mask)}` : ` ${hex(value)}`;
}

export const markPrinter: Printer<MarkMatch> = {
  print: (m) => ` mark match${m.invert ? " !" : ""}${markText(m.value, m.mask)}`,
  save: (m) => `${m.invert ? " !" : ""} --mark${markText(m.value, m.mask)}`,
};
