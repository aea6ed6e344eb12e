// ip rule (stub: being written).
import { die, type IpContext } from "./context.js";

export function ipRule(c: IpContext, _args: string[]): void {
  die(c, "ip rule: not simulated yet", 255);
}
