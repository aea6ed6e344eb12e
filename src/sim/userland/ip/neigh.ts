// ip neigh (stub: being written).
import { die, type IpContext } from "./context.js";

export function ipNeigh(c: IpContext, _args: string[]): void {
  die(c, "ip neigh: not simulated yet", 255);
}
