// The "this rule must count" check: a rule given as `iptables -S` prints it, which must
// have matched at least one packet by the time the check runs. It is read from
// `iptables -t TABLE -S CHAIN -v` (the same line in both backends), so a rule the learner
// wrote but no packet reached (below an ACCEPT that decided first, or flushed away) fails.

/** What a `counts:` check names: a table's chain and the options its rule must carry. */
export interface RuleSpec {
  /** `ip netns exec NS` when the rule is in a namespace, else undefined. */
  netns?: string;
  table: string;
  chain: string;
  /** Option groups ("-i br0", "! -o br0", "-j LOG"), each of which the rule must carry. */
  options: string[];
}

/** Words of a rule line: split at blanks outside double quotes, the quotes removed. */
export function ruleWords(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let any = false;
  for (const ch of line) {
    if (ch === '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (any) out.push(cur);
      cur = "";
      any = false;
    } else {
      cur += ch;
      any = true;
    }
  }
  if (any) out.push(cur);
  return out;
}

/** Option groups: an option with its values, `!` kept with the option it negates. */
export function optionGroups(words: readonly string[]): string[] {
  const groups: string[][] = [];
  let negate = false;
  for (const w of words) {
    if (w === "!") negate = true;
    else if (/^-[-a-zA-Z]/.test(w) || groups.length === 0) {
      groups.push(negate ? ["!", w] : [w]);
      negate = false;
    } else groups.at(-1)!.push(w);
  }
  // A value with blanks is quoted again, as `iptables -S` prints it.
  return groups.map((g) => g.map((w) => (/\s/.test(w) ? `"${w}"` : w)).join(" "));
}

/**
 * `[ip netns exec NS] [-t TABLE] -A CHAIN OPTIONS...`, or the reason it is not one.
 * The options are matched as a set: the rule may carry more than these.
 */
export function parseRuleSpec(text: string): RuleSpec | string {
  let words = ruleWords(text.trim());
  let netns: string | undefined;
  if (words[0] === "ip" && words[1] === "netns" && words[2] === "exec" && words[3]) {
    netns = words[3];
    words = words.slice(4);
  }
  let table = "filter";
  if (words[0] === "-t") {
    if (!words[1]) return "-t needs a table";
    table = words[1];
    words = words.slice(2);
  }
  if (words[0] !== "-A" || !words[1])
    return "must be a rule as `iptables -S` prints it: [-t TABLE] -A CHAIN OPTIONS";
  const options = optionGroups(words.slice(2)).filter((g) => !/^-c\b/.test(g));
  return { ...(netns ? { netns } : {}), table, chain: words[1], options };
}

/** The lab line that reads the chain with its counters. */
export function ruleCountLine(spec: RuleSpec): string {
  const prefix = spec.netns ? `ip netns exec ${spec.netns} ` : "";
  return `${prefix}iptables -t ${spec.table} -S ${spec.chain} -v`;
}

/** How the rule reads for people: "-t nat -A POSTROUTING -j MASQUERADE". */
export function ruleSpecText(spec: RuleSpec): string {
  const t = spec.table === "filter" ? "" : `-t ${spec.table} `;
  const ns = spec.netns ? ` (in ${spec.netns})` : "";
  return `${t}-A ${spec.chain}${spec.options.map((o) => ` ${o}`).join("")}${ns}`;
}

export interface RuleCount {
  /** The rules that carry every option, as listed, with the packets each counted. */
  matching: { rule: string; packets: number }[];
}

/** The rules of `iptables -S CHAIN -v` output that carry every option of the spec. */
export function countRules(spec: RuleSpec, listing: string): RuleCount {
  const matching: RuleCount["matching"] = [];
  for (const line of listing.split("\n")) {
    const words = ruleWords(line);
    if (words[0] !== "-A" || words[1] !== spec.chain) continue;
    const groups = optionGroups(words.slice(2));
    const counter = groups.find((g) => /^-c \d+ \d+$/.test(g));
    const packets = counter ? Number(counter.split(" ")[1]) : 0;
    const rest = groups.filter((g) => g !== counter);
    if (spec.options.every((o) => rest.includes(o)))
      matching.push({ rule: `-A ${spec.chain}${rest.map((g) => ` ${g}`).join("")}`, packets });
  }
  return { matching };
}

/** Why the check fails, or "" when a matching rule counted a packet. */
export function ruleCountWhy(spec: RuleSpec, listing: string, exit: number): string {
  if (exit !== 0) return `\`${ruleCountLine(spec)}\` exited ${exit}`;
  const { matching } = countRules(spec, listing);
  if (matching.length === 0)
    return `no rule of ${spec.table} ${spec.chain} carries ${spec.options.join(" ") || "anything"}`;
  if (matching.some((m) => m.packets > 0)) return "";
  const which = matching.map((m) => `\`${m.rule}\``).join(", ");
  return (
    `${which} counted no packet: the packets this rule is for never reached it ` +
    `(a rule above it decided them first, or they took another path)`
  );
}
