// The netfilter map: the five IPv4 hooks with the tables registered on each, in priority
// order, drawn from NF_HOOK_STEPS, the very table the simulator's hook code runs
// (src/backend/nf-hooks.ts), so the picture cannot drift from the code. The routed path
// is drawn in solid lines; the bridge path (br_netfilter, for frames a bridge forwards
// when bridge-nf-call-iptables is on) in dotted ones. A walk's packets light up the
// steps they passed; a drop is red.
import { NF_HOOKS, NF_HOOK_STEPS, type NfHookName, type NfHookStep } from "../backend/nf-hooks.js";
import { label } from "./mermaid-text.js";

/** What a walk did at one (hook, step): passed it, or was dropped there. */
export type NfMarks = Map<string, "passed" | "dropped">;

export function nfMarkKey(hook: string, step: string): string {
  return `${hook}/${step}`;
}

function stepLabel(hook: NfHookName, step: NfHookStep): string {
  if (step === "nat")
    return hook === "PREROUTING" || hook === "OUTPUT" ? "nat (DNAT)" : "nat (SNAT)";
  if (step === "confirm") return "conntrack confirm";
  return step;
}

const hookId = (hook: NfHookName): string => `hook_${hook}`;

/**
 * One node per hook listing its steps top to bottom (a map of 25 boxes side by side is
 * too wide to read on a page); a step the walk passed is marked ▶, one that dropped it ✖.
 */
export function netfilterMap(marks: NfMarks = new Map(), title?: string): string {
  const out: string[] = ["flowchart LR"];
  if (title) out.push(`  %% ${title.replace(/[\r\n]+/g, " ")}`);
  const passed: string[] = [];
  const dropped: string[] = [];
  for (const hook of NF_HOOKS) {
    const lines: string[] = [hook];
    let state: "passed" | "dropped" | undefined;
    for (const step of NF_HOOK_STEPS[hook]) {
      const m = marks.get(nfMarkKey(hook, step));
      const mark = m === "dropped" ? "✖ " : m === "passed" ? "▶ " : "";
      lines.push(mark + stepLabel(hook, step));
      if (m === "dropped") state = "dropped";
      else if (m === "passed" && state === undefined) state = "passed";
    }
    out.push(`  ${hookId(hook)}["${lines.map(label).join("<br/>")}"]`);
    if (state === "dropped") dropped.push(hookId(hook));
    else if (state === "passed") passed.push(hookId(hook));
  }
  const [pre, inp, fwd, outp, post] = NF_HOOKS.map(hookId) as [
    string,
    string,
    string,
    string,
    string,
  ];
  // The routed path (net/ipv4: ip_rcv, ip_forward, ip_local_deliver, ip_output).
  out.push(`  wire_in(["packet in"]) --> ${pre}`);
  out.push(`  ${pre} --> route_in{"routing"}`);
  out.push(`  route_in -->|"for this host"| ${inp}`);
  out.push(`  route_in -->|"forward"| ${fwd}`);
  out.push(`  ${inp} --> local_proc(["local process"])`);
  out.push(`  local_proc --> route_out{"routing"}`);
  out.push(`  route_out --> ${outp}`);
  out.push(`  ${outp} --> ${post}`);
  out.push(`  ${fwd} --> ${post}`);
  out.push(`  ${post} --> wire_out(["packet out"])`);
  // The bridge path (net/bridge/br_netfilter_hooks.c), with bridge-nf-call-iptables on:
  // PREROUTING before the bridge decides, FORWARD and POSTROUTING for a frame it forwards;
  // a frame for the host goes up to INPUT without PREROUTING again (ip_sabotage_in).
  out.push(`  port_in(["frame in on a bridge port"]) -.-> ${pre}`);
  out.push(`  ${pre} -.-> bridge_fwd{"bridge"}`);
  out.push(`  bridge_fwd -.->|"another port"| ${fwd}`);
  out.push(`  bridge_fwd -.->|"up to the host"| ${inp}`);
  out.push(`  ${post} -.-> port_out(["frame out of a bridge port"])`);
  out.push("  classDef passed fill:#fff3c4,stroke:#d08a00,stroke-width:3px");
  out.push("  classDef dropped fill:#ffd6d6,stroke:#cc0000,stroke-width:3px");
  if (passed.length > 0) out.push(`  class ${passed.join(",")} passed`);
  if (dropped.length > 0) out.push(`  class ${dropped.join(",")} dropped`);
  return out.join("\n") + "\n";
}
