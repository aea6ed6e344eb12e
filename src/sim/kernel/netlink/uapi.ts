// What userland may know of the kernel besides its requests (the uapi headers and what a
// dump carries): the types of the objects dumps hand out, errno values, constants, and
// the table operations an nftables batch (netlink/index.ts nfBatch, nfBegin) is made of.
// Programs import these through netlink/index.ts.
export type { IfAddr4, IfAddr6, NetDevice } from "../core/device.js";
export { KernelError, STRERROR, kfail, type Errno } from "../core/errors.js";
export { formatIp4, inPrefix, maskOf, network, parseIp4, type Ip4 } from "../core/ip4.js";
export { formatIp6, parseIp6, type Ip6 } from "../core/ip6.js";
export type { Mac } from "../core/mac.js";
export { multicastList } from "../core/mclist.js";
export type { NetNs } from "../core/netns.js";
export {
  chatterIcmpLength,
  ipLength,
  type ArpPacket,
  type DnsAnswer,
  type DnsMessage,
  type Frame,
  type Ipv4Packet,
  type Ipv6Chatter,
} from "../core/packet.js";
export { frameBytes } from "../core/device.js";
export { isMulticastMac } from "../core/mac.js";
export { INT_RANGES } from "../core/sysctl.js";
export type { World } from "../core/world.js";
export { Bridge, type BridgeOptions, type BridgePort } from "../drivers/bridge.js";
export { Veth } from "../drivers/veth.js";
export { Vxlan, type VxlanParams } from "../drivers/vxlan.js";
export type { Addr6Spec, AddrSpec } from "../ipv4/devinet.js";
export {
  RT_TABLE,
  routeLinkdown,
  type InsertMode,
  type Route,
  type RouteConfig,
  type RouteMatch,
  type RouteScope,
  type RouteType,
  type Rule,
} from "../ipv4/fib.js";
export { NUD_BITS, type NeighEntry, type NudState } from "../ipv4/neigh.js";
export type { GetRouteAnswer, GetRouteRequest } from "../ipv4/route-get.js";
// The socket side (IP_MTU): the path MTU a datagram to dst would get.
export { pathMtu } from "../ipv4/mtu.js";
export { TABLE_ORDER, isBuiltinChain, isTableName } from "../netfilter/builtin.js";
export {
  conntrackOf,
  peekConntrack,
  type ConntrackTable,
  type CtEntry,
  type CtTuple,
} from "../netfilter/conntrack.js";
export { NF_STRERROR, NfError } from "../netfilter/errors.js";
export {
  addRule,
  chainKnown,
  chainReferences,
  deleteChains,
  deleteRuleNum,
  deleteRuleSpec,
  deleteTable,
  findRule,
  flushChains,
  getChain,
  listedChains,
  newUserChain,
  renameChain,
  replaceRule,
  setPolicy,
  zeroCounters,
  zeroRule,
} from "../netfilter/state.js";
export type {
  AddrMatch,
  AddrType,
  Chain,
  CtState,
  IfaceMatch,
  Match,
  NatRange,
  NetfilterState,
  PortRange,
  Rule as NfRule,
  TableName,
  Target,
} from "../netfilter/types.js";
export { localPortRange, type SockOwner } from "../sockets/inet.js";
export type { TcpListener, TcpSock } from "../sockets/tcp.js";
export type { UdpSock } from "../sockets/udp.js";
export type { Inet6Wildcard } from "../sockets/inet6.js";
