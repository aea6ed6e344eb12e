// ip netns (stub: being written).
import { die, type IpContext } from "./context.js";

export function ipNetns(c: IpContext, _args: string[]): void {
  die(c, "ip netns: not simulated yet", 255);
}
