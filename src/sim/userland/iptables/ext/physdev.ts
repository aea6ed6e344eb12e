// The physdev match (libxt_physdev.c): the bridge ports a bridged packet came in on and
// goes out of. Listing and saving print the options in the same fixed order.
import { type Match } from "../../../kernel/netlink/index.js";
import { paramProblem } from "../errors.js";
import { checkInterface } from "../iface.js";
import type { MatchExt, Printer } from "./framework.js";

type Physdev = Extract<Match, { kind: "physdev" }>;

export const physdevExt: MatchExt<Physdev, Physdev> = {
  kind: "match",
  name: "physdev",
  x6: true,
  options: [
    { name: "physdev-in", id: 0, hasArg: 1, invert: true },
    { name: "physdev-out", id: 1, hasArg: 1, invert: true },
    { name: "physdev-is-in", id: 2, hasArg: 0, invert: true },
    { name: "physdev-is-out", id: 3, hasArg: 0, invert: true },
    { name: "physdev-is-bridged", id: 4, hasArg: 0, invert: true },
  ],
  init: () => ({ kind: "physdev" }),
  parse(d, c) {
    const invert = c.invert;
    switch (c.id) {
      case 0:
        checkInterface(c.env.src, c.arg!);
        d.in = { name: c.arg!, invert };
        return;
      case 1:
        checkInterface(c.env.src, c.arg!);
        d.out = { name: c.arg!, invert };
        return;
      case 2:
        d.isIn = { invert };
        return;
      case 3:
        d.isOut = { invert };
        return;
      default:
        d.isBridged = { invert };
    }
  },
  final(_d, xflags, env) {
    if (xflags.size === 0) paramProblem(env.src, "PHYSDEV: no physdev option specified");
  },
  build: (d) => d,
};

function both(m: Physdev): string {
  const inv = (x?: { invert: boolean }): string => (x?.invert ? " !" : "");
  let s = "";
  if (m.isIn) s += `${inv(m.isIn)} --physdev-is-in`;
  if (m.in) s += `${inv(m.in)} --physdev-in ${m.in.name}`;
  if (m.isOut) s += `${inv(m.isOut)} --physdev-is-out`;
  if (m.out) s += `${inv(m.out)} --physdev-out ${m.out.name}`;
  if (m.isBridged) s += `${inv(m.isBridged)} --physdev-is-bridged`;
  return s;
}

export const physdevPrinter: Printer<Physdev> = {
  print: (m) => ` PHYSDEV match${both(m)}`,
  save: (m) => both(m),
};
