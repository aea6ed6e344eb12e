// ip route (stub: being written).
import { die, type IpContext } from "./context.js";

export function ipRoute(c: IpContext, _args: string[]): void {
  die(c, "ip route: not simulated yet", 255);
}
