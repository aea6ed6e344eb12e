// ip addr (stub: being written).
import { die, type IpContext } from "./context.js";

export function ipAddr(c: IpContext, _args: string[]): void {
  die(c, "ip addr: not simulated yet", 255);
}
