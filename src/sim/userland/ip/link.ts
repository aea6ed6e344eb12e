// ip link (stub: being written).
import { die, type IpContext } from "./context.js";

export function ipLink(c: IpContext, _args: string[]): void {
  die(c, "ip link: not simulated yet", 255);
}
