// The C library's stub resolver as the image's programs use it (glibc's res_send.c, with
// no /etc/nsswitch.conf: "hosts: dns [!UNAVAIL=return] files"): a name goes to the
// resolv.conf nameserver as real datagrams from the process's namespace. getaddrinfo
// (AF_UNSPEC) sends the A and the AAAA query at once on one connected socket and waits
// for both, 5 s a try, 2 tries (RES_TIMEOUT, RES_DFLRETRY); getnameinfo sends one PTR.
// Docker's embedded server (docker/dns-server.ts) answers on a user network; elsewhere no
// one does and the name fails after the timeouts, as on the kernel.
import {
  KernelError,
  formatIp4,
  type DnsMessage,
  type Ip4,
  type NetNs,
  type UdpSock,
  type World,
} from "../kernel/netlink/index.js";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "../../backend.js";
import { queryLength } from "./dns-wire.js";
import { TimedOut, type ProgramContext } from "./program.js";

/** resolv.conf's defaults: timeout:5 attempts:2. */
const TRY_MS = 5000;
const TRIES = 2;

/** Where the process waits: its world, namespace, and when the backend would kill it. */
export interface ResolverCall {
  world: World;
  ns: NetNs;
  nameserver: Ip4;
  /** Virtual time at which the command is killed (its per-command limit). */
  limitAt?: number;
  limitMs?: number;
}

/**
 * The resolver a program's process has: its resolv.conf's nameserver (a container's;
 * a lab's own namespaces have none the simulator knows of), waiting at most until the
 * command's limit.
 */
export function resolverOf(ctx: ProgramContext): ResolverCall | undefined {
  const nameserver = ctx.env?.nameserver;
  if (nameserver === undefined) return undefined;
  const limitMs = ctx.timeLimitMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const limitAt = ctx.world.scheduler.now + limitMs;
  return { world: ctx.world, ns: ctx.ns, nameserver, limitAt, limitMs };
}

export type Lookup = { addr: Ip4 } | { error: "EAI_AGAIN" | "EAI_NONAME" | "EAI_NODATA" };

/** getaddrinfo's messages (gai_strerror). */
export const GAI_TEXT = {
  EAI_AGAIN: "Temporary failure in name resolution",
  EAI_NONAME: "Name or service not known",
  EAI_NODATA: "No address associated with hostname",
} as const;

/**
 * getaddrinfo(name, AF_UNSPEC): the A and AAAA queries, blocking until answered; with
 * AF_INET (nc -4) the A query alone.
 */
export function lookupHost(call: ResolverCall, name: string, inetOnly = false): Lookup {
  const questions: Question[] = [{ qname: name, qtype: "A" }];
  if (!inetOnly) questions.push({ qname: name, qtype: "AAAA" });
  const answers = exchange(call, questions);
  if (!answers) return { error: "EAI_AGAIN" };
  const a = answers[0]!;
  const hit = a.answers.find((r) => r.type === "A");
  if (hit?.type === "A") return { addr: hit.addr };
  if (a.rcode === 3) return { error: "EAI_NONAME" };
  if (a.rcode !== 0) return { error: "EAI_AGAIN" };
  return { error: "EAI_NODATA" };
}

/** getnameinfo for an IPv4 address: the PTR answer's name, or undefined (then numeric). */
export function lookupAddr(call: ResolverCall, addr: Ip4): string | undefined {
  const qname = `${formatIp4(addr).split(".").reverse().join(".")}.in-addr.arpa`;
  const answers = exchange(call, [{ qname, qtype: "PTR" }]);
  const hit = answers?.[0]?.answers.find((r) => r.type === "PTR");
  return hit?.type === "PTR" ? hit.name : undefined;
}

type Question = Pick<DnsMessage, "qname" | "qtype">;

/** reopen: a socket connected to the nameserver, reporting every ICMP error. */
function reopen(call: ResolverCall): UdpSock | undefined {
  const { ns } = call;
  const sock: UdpSock = ns.udp.socket();
  // __res_enable_icmp (glibc 2.34): IP_RECVERR, so an unreachable server fails the try at once.
  sock.recvErr = true;
  try {
    ns.udp.connect(sock, call.nameserver, 53);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    ns.udp.close(sock);
    return undefined;
  }
  return sock;
}

/**
 * send_dg: the questions on one connected socket, resent together each try until every
 * one has its answer; undefined when the tries ran out (or no route led to the server).
 * An ICMP error ends a try at once (POLLERR: close_and_return_error), and the next try
 * starts on a new socket.
 */
function exchange(call: ResolverCall, questions: Question[]): DnsMessage[] | undefined {
  const { world, ns } = call;
  let sock = reopen(call);
  if (sock === undefined) return undefined;
  const queries: DnsMessage[] = questions.map((q) => ({
    ...q,
    id: world.rng.int(0, 0xffff),
    response: false,
    rcode: 0,
    answers: [],
  }));
  const got = new Map<number, DnsMessage>();
  const done = (): boolean => got.size === queries.length;
  const sched = world.scheduler;
  try {
    for (let t = 0; t < TRIES && !done(); t++) {
      sock ??= reopen(call);
      if (sock === undefined) return undefined;
      let failed = false;
      sock.onError = () => {
        failed = true;
      };
      sock.onDatagram = (_pkt, udp) => {
        const m = udp.payload.kind === "data" ? udp.payload.dns : undefined;
        if (!m?.response) return;
        const i = queries.findIndex((q) => q.id === m.id && q.qname === m.qname);
        if (i >= 0 && !got.has(i)) got.set(i, m);
      };
      for (const [i, q] of queries.entries()) {
        if (!got.has(i)) ns.udp.send(sock, queryLength(q.qname), q);
      }
      const until = sched.now + TRY_MS;
      const limitAt = call.limitAt ?? Infinity;
      sched.runWhile(Math.min(until, limitAt), () => done() || failed);
      if (failed && !done()) {
        // The answers of this try are dropped with it.
        got.clear();
        ns.udp.close(sock);
        sock = undefined;
        continue;
      }
      if (!done() && sched.now >= limitAt && until > limitAt) throw new TimedOut(call.limitMs ?? 0);
    }
  } finally {
    if (sock) ns.udp.close(sock);
  }
  return done() ? queries.map((_, i) => got.get(i)!) : undefined;
}
