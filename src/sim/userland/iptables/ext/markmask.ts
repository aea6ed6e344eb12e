// xtables.c xtopt_parse_markmask (XTTYPE_MARKMASK32): "value" or "value/mask", each a
// 32-bit number in any C base; the mask defaults to all ones.
import { paramProblem } from "../errors.js";
import { strtouiPrefix } from "../num.js";
import type { ParseCall } from "./framework.js";

export function parseMarkMask(c: ParseCall, ext: string): { mark: number; mask: number } {
  const bad = (): never =>
    paramProblem(
      c.env.src,
      `${ext}: bad integer value for option "--${c.entry.name}", or out of range.\n`,
    );
  const v = strtouiPrefix(c.arg!, 0, 0xffffffff) ?? bad();
  let mask = 0xffffffff;
  let rest = v.rest;
  if (rest.startsWith("/")) {
    const m = strtouiPrefix(rest.slice(1), 0, 0xffffffff) ?? bad();
    mask = m.value;
    rest = m.rest;
  }
  if (rest !== "")
    paramProblem(
      c.env.src,
      `${ext}: trailing garbage after value for option "--${c.entry.name}".\n`,
    );
  return { mark: v.value, mask };
}
