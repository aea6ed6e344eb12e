// One rule as `iptables -L` prints it (nft-ipv4.c nft_ipv4_print_rule with xshared.c
// print_rule_details, print_fragment, print_ifaces, print_ipv4_addresses), and the chain
// header (print_header). Column widths come from the printf formats of those functions.
import { type Chain, type NfRule as Rule } from "../../kernel/netlink/index.js";
import { addrColumn } from "./addr.js";
import { printMatch, printTarget } from "./ext/index.js";
import { printNum, type Format } from "./format.js";
import { protoName } from "./proto.js";

function pad(s: string, width: number): string {
  return s.padEnd(width);
}

/** The -L target column: a verdict, a chain, an extension target, or nothing. */
export function targetName(rule: Rule): string {
  const t = rule.target;
  if (!t) return "";
  if (t.kind === "jump" || t.kind === "goto") return t.chain;
  return t.kind;
}

export function printRule(rule: Rule, num: number, f: Format): string {
  const tab = !f.noTable;
  let s = "";
  if (f.lineNumbers) s += tab ? `${pad(String(num), 4)} ` : `${num} `;
  if (!f.noCounts) s += printNum(rule.packets, f) + printNum(rule.bytes, f);
  const target = targetName(rule);
  s += tab ? `${pad(target, 9)} ` : `${target} `;
  s += rule.proto?.invert ? "!" : " ";
  const pnum = rule.proto?.num ?? 0;
  const pname = protoName(pnum, f.numeric);
  const proto = (f.numeric && !f.noTable) || !pname ? String(pnum) : pname;
  s += tab ? `${pad(proto, 4)} ` : `${proto} `;
  // print_fragment: iptables-nft always has the option column; no -f support.
  s += f.noTable ? "opt -- " : "-- ";
  if (f.via) {
    const any = f.numeric ? "*" : "any";
    const iface = (m: Rule["inIface"]): string => (m ? `${m.invert ? "!" : ""}${m.name}` : any);
    s += tab ? ` ${pad(iface(rule.inIface), 6)} ` : `in ${iface(rule.inIface)} `;
    s += tab ? `${pad(iface(rule.outIface), 6)} ` : `out ${iface(rule.outIface)} `;
  }
  s += rule.src?.invert ? "!" : " ";
  const src = addrColumn(rule.src, f.numeric);
  s += tab ? `${pad(src, 19)} ` : `${src} `;
  s += rule.dst?.invert ? "!" : " ";
  const dst = addrColumn(rule.dst, f.numeric);
  s += tab ? `${pad(dst, 19)} ` : `-> ${dst}`;
  if (f.noTable) s += "  ";
  if (rule.target?.kind === "goto") s += "[goto] ";
  for (const m of rule.matches) s += printMatch(m, rule, f.numeric);
  if (rule.target) s += printTarget(rule.target, rule, f.numeric);
  return s + "\n";
}

export function printHeader(chain: Chain, references: number, f: Format): string {
  let s = `Chain ${chain.name}`;
  if (chain.builtin) {
    s += ` (policy ${chain.policy ?? "ACCEPT"}`;
    if (!f.noCounts) {
      const nt: Format = { ...f, noTable: true };
      s += ` ${printNum(chain.packets, nt)}packets, ${printNum(chain.bytes, nt)}bytes`;
    }
    s += ")\n";
  } else {
    s += ` (${references} references)\n`;
  }
  if (f.lineNumbers) s += `${pad("num", 4)} `;
  if (!f.noCounts)
    s += f.kmg
      ? `${"pkts".padStart(5)} ${"bytes".padStart(5)} `
      : `${"pkts".padStart(8)} ${"bytes".padStart(10)} `;
  s += `${pad("target", 9)} `;
  s += " prot ";
  s += "opt";
  if (f.via) s += ` ${pad("in", 6)} ${pad("out", 6)} `;
  s += ` ${pad("source", 19)} `;
  s += ` ${pad("destination", 19)} `;
  return s + "\n";
}
