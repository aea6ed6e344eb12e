// Interface names in rules (xtables.c xtables_parse_interface): at most IFNAMSIZ-1
// characters; a trailing "+" matches every name with that prefix, and "+" alone matches
// any interface, which is the same as giving none.
import { type IfaceMatch } from "../../kernel/netlink/index.js";
import { paramProblem, type ErrorSource } from "./errors.js";

export function checkInterface(src: ErrorSource, name: string): void {
  if (name.length + 1 > 16)
    paramProblem(src, `interface name \`${name}' must be shorter than IFNAMSIZ (15)`);
}

/** The rule's -i/-o, or undefined when it matches every interface. */
export function parseInterface(
  src: ErrorSource,
  name: string,
  invert: boolean,
): IfaceMatch | undefined {
  checkInterface(src, name);
  if (name === "+") return undefined;
  return { name, invert };
}
