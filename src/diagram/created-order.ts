// The order a script made its namespaces in (`ip netns add NAME`): diagrams keep it, so a
// namespace made later never moves one made earlier.
import type { LabCommand } from "../script/types.js";

export function createdOrder(commands: readonly LabCommand[]): string[] {
  const names: string[] = [];
  for (const c of commands) {
    if (c.program !== "ip") continue;
    const i = c.args.indexOf("netns");
    const name = c.args[i + 2];
    if (i >= 0 && c.args[i + 1] === "add" && name && !names.includes(name)) names.push(name);
  }
  return names;
}
