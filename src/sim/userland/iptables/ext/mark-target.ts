// The MARK target (libxt_MARK.c, revision 2): every option becomes xt_MARK's mark/mask
// pair, the new mark being (old & ~mask) ^ mark; listing names the operation that pair
// is, saving always writes --set-xmark.
import { type Target } from "../../../kernel/netlink/index.js";
import { paramProblem } from "../errors.js";
import { hex, strtoui } from "../num.js";
import type { Printer, TargetExt } from "./framework.js";
import { parseMarkMask } from "./markmask.js";

type Mark = Extract<Target, { kind: "MARK" }>;

const ALL = [0, 1, 2, 3, 4];
const excl = (id: number) => ALL.filter((i) => i !== id);

export const markTargetExt: TargetExt<Mark, Mark> = {
  kind: "target",
  name: "MARK",
  x6: true,
  options: [
    { name: "set-xmark", id: 0, hasArg: 1, excl: excl(0) },
    { name: "set-mark", id: 1, hasArg: 1, excl: excl(1) },
    { name: "and-mark", id: 2, hasArg: 1, excl: excl(2) },
    { name: "or-mark", id: 3, hasArg: 1, excl: excl(3) },
    { name: "xor-mark", id: 4, hasArg: 1, excl: excl(4) },
  ],
  init: () => ({ kind: "MARK", value: 0, mask: 0, op: "xset" }),
  parse(d, c) {
    if (c.id <= 1) {
      const v = parseMarkMask(c, "MARK");
      d.value = v.mark;
      d.mask = c.id === 0 ? v.mask : (v.mark | v.mask) >>> 0;
      return;
    }
    const n = strtoui(c.arg!, 0, 0xffffffff);
    if (n === undefined)
      paramProblem(
        c.env.src,
        `MARK: bad value for option "--${c.entry.name}", or out of range (0-4294967295).\n`,
      );
    if (c.id === 2) [d.value, d.mask] = [0, ~n >>> 0];
    else if (c.id === 3) [d.value, d.mask] = [n, n];
    else [d.value, d.mask] = [n, 0];
  },
  final(_d, xflags, env) {
    if (xflags.size === 0)
      paramProblem(
        env.src,
        "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
      );
  },
  build: (d) => ({ ...d, op: markOp(d.value, d.mask) }),
};

/** mark_tg_print's choice of words. */
function markOp(mark: number, mask: number): Mark["op"] {
  if (mark === 0) return "and";
  if (mark === mask) return "or";
  if (mask === 0) return "xor";
  if (mask >>> 0 === 0xffffffff) return "set";
  return "xset";
}

export const markTargetPrinter: Printer<Mark> = {
  print(t) {
    switch (markOp(t.value, t.mask)) {
      case "and":
        return ` MARK and ${hex(~t.mask)}`;
      case "or":
        return ` MARK or ${hex(t.value)}`;
      case "xor":
        return ` MARK xor ${hex(t.value)}`;
      case "set":
        return ` MARK set ${hex(t.value)}`;
      default:
        return ` MARK xset ${hex(t.value)}/${hex(t.mask)}`;
    }
  },
  save: (t) => ` --set-xmark ${hex(t.value)}/${hex(t.mask)}`,
};
