// `ip rule` (iproute2 6.1 ip/iprule.c): list/show, add, delete and flush of the IPv4
// policy rules, with iproute2's parsing, messages and exit codes. The kernel side is
// ipv4/fib.ts (fib_rules: fib_nl_newrule, fib_nl_delrule, fib_default_rule_pref).
import {
  formatIp4,
  RT_TABLE,
  type Rule,
  ruleAdd,
  ruleDefaultPriority,
  ruleDel,
} from "../../kernel/netlink/index.js";
import { Exit } from "../program.js";
import { die, incomplete, invarg, matches, notSimulated, type IpContext } from "./context.js";
import { Printer } from "./print.js";
import {
  getPrefix,
  getU32,
  prefixMatch,
  protoArg,
  routeTypeArg,
  tableId,
  tableName,
  validIfname,
  type InetPrefix,
} from "./route-args.js";

/** `ip rule help` as iproute2 6.1 prints it (to stderr, exit 255). */
const RULE_USAGE =
  [
    "Usage: ip rule { add | del } SELECTOR ACTION",
    "       ip rule { flush | save | restore }",
    "       ip rule [ list [ SELECTOR ]]",
    "SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]",
    "            [ fwmark FWMARK[/MASK] ]",
    "            [ iif STRING ] [ oif STRING ] [ pref NUMBER ] [ l3mdev ]",
    "            [ uidrange NUMBER-NUMBER ]",
    "            [ ipproto PROTOCOL ]",
    "            [ sport [ NUMBER | NUMBER-NUMBER ]",
    "            [ dport [ NUMBER | NUMBER-NUMBER ] ]",
    "ACTION := [ table TABLE_ID ]",
    "          [ protocol PROTO ]",
    "          [ nat ADDRESS ]",
    "          [ realms [SRCREALM/]DSTREALM ]",
    "          [ goto NUMBER ]",
    "          SUPPRESSOR",
    "SUPPRESSOR := [ suppress_prefixlength NUMBER ]",
    "              [ suppress_ifgroup DEVGROUP ]",
    "TABLE_ID := [ local | main | default | NUMBER ]",
  ].join("\n") + "\n";

function usage(c: IpContext): never {
  c.o.err(RULE_USAGE);
  throw new Exit(255);
}

function unsupported(c: IpContext, what: string): never {
  return notSimulated(c, `ip rule ... ${what}`);
}

function next(c: IpContext, args: string[], i: number): string {
  const v = args[i + 1];
  if (v === undefined) incomplete(c);
  return v;
}

export function ipRule(c: IpContext, args: string[]): void {
  const [cmd, ...rest] = args;
  if (
    c.opts.family === "inet6" &&
    (cmd === undefined || matches(cmd, "list") || matches(cmd, "lst") || matches(cmd, "show"))
  ) {
    return listIpv6(c);
  }
  if (cmd === undefined) return list(c, [], false);
  if (matches(cmd, "list") || matches(cmd, "lst") || matches(cmd, "show"))
    return list(c, rest, false);
  if (matches(cmd, "save") || matches(cmd, "restore")) unsupported(c, cmd);
  if (matches(cmd, "add")) return modify(c, rest, true);
  if (matches(cmd, "delete")) return modify(c, rest, false);
  if (matches(cmd, "flush")) return list(c, rest, true);
  if (matches(cmd, "help")) usage(c);
  die(c, `Command "${cmd}" is unknown, try "ip rule help".`, 255);
}

const UNSUPPORTED_EXACT = [
  "tos",
  "fwmark",
  "l3mdev",
  "uidrange",
  "nat",
  "ipproto",
  "sport",
  "dport",
];
const UNSUPPORTED_PREFIX = [
  "dsfield",
  "realms",
  "tun_id",
  "suppress_prefixlength",
  "suppress_ifgroup",
  "map-to",
];

/** iprule_modify: RTM_NEWRULE (NLM_F_CREATE|NLM_F_EXCL) or RTM_DELRULE. */
function modify(c: IpContext, args: string[], add: boolean): void {
  if (args.length === 0) die(c, `"ip rule ${add ? "add" : "del"}" requires arguments.`, 1);
  const family = c.opts.family;
  let not = false;
  let from: InetPrefix | undefined;
  let to: InetPrefix | undefined;
  let priority: number | undefined;
  let table = 0;
  let tableOk = false;
  let action: Rule["action"] | undefined = add ? "lookup" : undefined;
  let iif: string | undefined;
  let oif: string | undefined;
  let proto: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "not") {
      not = true;
    } else if (a === "from") {
      from = getPrefix(c, next(c, args, i++), family);
    } else if (a === "to") {
      to = getPrefix(c, next(c, args, i++), family);
    } else if (matches(a, "preference") || matches(a, "order") || matches(a, "priority")) {
      const v = next(c, args, i++);
      priority = getU32(v);
      if (priority === undefined) invarg(c, "preference value is invalid\n", v);
    } else if (
      UNSUPPORTED_EXACT.includes(a) ||
      UNSUPPORTED_PREFIX.some((k) => matches(a, k)) ||
      a === "sup_pl" ||
      a === "sup_group"
    ) {
      unsupported(c, a);
    } else if (matches(a, "protocol")) {
      const v = next(c, args, i++);
      proto = protoArg(v);
      if (proto === undefined) invarg(c, '"protocol" value is invalid\n', v);
    } else if (matches(a, "table") || a === "lookup") {
      const v = next(c, args, i++);
      const t = tableId(v);
      if (t === undefined) invarg(c, "invalid table ID\n", v);
      table = t;
      tableOk = true;
    } else if (a === "dev" || a === "iif") {
      const v = next(c, args, i++);
      if (!validIfname(v)) invarg(c, '"iif"/"dev" not a valid ifname', v);
      iif = v;
    } else if (a === "oif") {
      const v = next(c, args, i++);
      if (!validIfname(v)) invarg(c, '"oif" not a valid ifname', v);
      oif = v;
    } else {
      let w = a;
      if (w === "type") w = next(c, args, i++);
      if (matches(w, "help")) usage(c);
      if (matches(w, "goto") || matches(w, "nop")) unsupported(c, w);
      const t = routeTypeArg(w);
      if (t === undefined) invarg(c, "Failed to parse rule type", w);
      if (t === "unicast") action = "lookup";
      else if (t === "blackhole" || t === "unreachable" || t === "prohibit") action = t;
      else unsupported(c, `type ${w}`);
      tableOk = true;
    }
  }
  if ((from && from.family === "inet6") || (to && to.family === "inet6") || family === "inet6")
    unsupported(c, "for IPv6");
  if (!tableOk && add) table = RT_TABLE.main;
  const prefix = (p: InetPrefix | undefined): Rule["from"] =>
    p && p.bitlen > 0 ? { addr: p.addr, plen: p.bitlen } : undefined;
  if (add) {
    ruleAdd(c.ns, {
      priority: priority ?? ruleDefaultPriority(c.ns),
      from: prefix(from),
      to: prefix(to),
      iif,
      oif,
      not,
      action: action ?? "lookup",
      table,
      proto: proto ?? "unspec",
    });
    return;
  }
  ruleDel(c.ns, {
    priority,
    priorityGiven: priority !== undefined,
    from: prefix(from),
    to: prefix(to),
    iif,
    oif,
    action,
    table,
  });
}

/** The rule filter of `ip rule show|flush` (iprule.c's static filter, filter_nlmsg). */
interface RuleFilter {
  pref?: number;
  not: boolean;
  iif?: string;
  oif?: string;
  table: number;
  src?: InetPrefix;
  dst?: InetPrefix;
  protocol?: string;
}

function selected(r: Rule, f: RuleFilter): boolean {
  if (f.pref !== undefined && r.priority !== f.pref) return false;
  if (f.not && !r.not) return false;
  for (const [want, have] of [
    [f.src, r.from],
    [f.dst, r.to],
  ] as const) {
    if (!want?.family) continue;
    if (want.family !== "inet" || want.bitlen > (have?.plen ?? 0)) return false;
    if (have && want.bitlen > 0 && !prefixMatch(have.addr, want.addr, want.bitlen)) return false;
  }
  if (f.iif !== undefined && r.iif !== f.iif) return false;
  if (f.oif !== undefined && r.oif !== f.oif) return false;
  if (f.table > 0 && r.table !== f.table) return false;
  return true;
}

function list(c: IpContext, args: string[], flush: boolean): void {
  const f: RuleFilter = { not: false, table: 0 };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (matches(a, "preference") || matches(a, "order") || matches(a, "priority")) {
      const v = next(c, args, i++);
      f.pref = getU32(v);
      if (f.pref === undefined) invarg(c, "preference value is invalid\n", v);
    } else if (a === "not") {
      f.not = true;
    } else if (
      a === "tos" ||
      a === "fwmark" ||
      a === "l3mdev" ||
      a === "uidrange" ||
      matches(a, "tun_id")
    ) {
      unsupported(c, a);
    } else if (a === "dev" || a === "iif") {
      const v = next(c, args, i++);
      if (!validIfname(v)) invarg(c, '"iif"/"dev" not a valid ifname', v);
      f.iif = v;
    } else if (a === "oif") {
      const v = next(c, args, i++);
      if (!validIfname(v)) invarg(c, '"oif" not a valid ifname', v);
      f.oif = v;
    } else if (matches(a, "lookup") || matches(a, "table")) {
      const v = next(c, args, i++);
      const t = tableId(v);
      if (t === undefined) invarg(c, "table id value is invalid\n", v);
      f.table = t;
    } else if (matches(a, "from") || matches(a, "src")) {
      f.src = getPrefix(c, next(c, args, i++), "inet");
    } else if (matches(a, "protocol")) {
      const v = next(c, args, i++);
      const p = protoArg(v);
      if (p === undefined && v !== "all") invarg(c, 'invalid "protocol"\n', v);
      f.protocol = p;
    } else if (a === "ipproto" || a === "sport" || a === "dport") {
      unsupported(c, a);
    } else {
      let w = a;
      if (matches(w, "dst") || matches(w, "to")) w = next(c, args, i++);
      f.dst = getPrefix(c, w, "inet");
    }
  }
  const fib = c.ns.fib;
  if (flush) {
    // flush_rule: every selected rule that carries a priority (the kernel omits 0).
    const doomed = fib.rules.filter(
      (r) =>
        selected(r, f) && r.priority !== 0 && (f.protocol === undefined || r.proto === f.protocol),
    );
    for (const r of doomed) ruleDel(c.ns, { ...r, priorityGiven: true });
    return;
  }
  const p = new Printer(c.opts.json, c.opts.pretty, c.opts.oneline);
  p.begin();
  for (const r of fib.rules) if (selected(r, f)) printRule(c, p, r);
  c.o.out(p.end());
}

/** print_rule. */
function printRule(c: IpContext, p: Printer, r: Rule): void {
  p.openObject();
  p.num("priority", `${r.priority}:\t`, r.priority);
  if (r.not) {
    p.fp("not ");
    p.js("not", null);
  }
  if (r.from) {
    const a = formatIp4(r.from.addr);
    p.fp("from ");
    p.str("src", a, a);
    if (r.from.plen !== 32) p.num("srclen", `/${r.from.plen}`, r.from.plen);
  } else {
    p.str("src", "from all", "all");
  }
  if (r.to) {
    const a = formatIp4(r.to.addr);
    p.fp(" to ");
    p.str("dst", a, a);
    if (r.to.plen !== 32) p.num("dstlen", `/${r.to.plen}`, r.to.plen);
  }
  for (const [key, name] of [
    ["iif", r.iif],
    ["oif", r.oif],
  ] as const) {
    if (name === undefined) continue;
    p.fp(` ${key} `);
    p.str(key, name, name);
    // FIB_RULE_IIF_DETACHED / _OIF_DETACHED: no device has that name (now).
    if (!c.ns.byName(name)) {
      p.fp(" [detached]");
      p.js(`${key}_detached`, null);
    }
  }
  if (r.table) {
    const t = tableName(r.table);
    p.str("table", ` lookup ${t}`, t);
  }
  if (r.action !== "lookup") p.str("action", ` ${r.action}`, r.action);
  if ((r.proto !== "unspec" && r.proto !== "kernel") || c.opts.details)
    p.str("protocol", ` proto ${r.proto}`, r.proto);
  p.fp("\n");
  p.closeObject();
}

/** The IPv6 rules a namespace starts with (fib6_rules_net_init); IPv6 rules are not modelled. */
function listIpv6(c: IpContext): void {
  const p = new Printer(c.opts.json, c.opts.pretty, c.opts.oneline);
  p.begin();
  const rules: Rule[] = [
    { priority: 0, not: false, action: "lookup", table: RT_TABLE.local, proto: "kernel" },
    { priority: 32766, not: false, action: "lookup", table: RT_TABLE.main, proto: "kernel" },
  ];
  for (const r of rules) printRule(c, p, r);
  c.o.out(p.end());
}
