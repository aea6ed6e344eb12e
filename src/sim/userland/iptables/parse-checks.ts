// The checks do_parse makes once the whole command line is read (xshared.c): the
// extensions' final checks, a command given, addresses parsed, options legal for the
// command, -i/-o possible in the chain.
import { paramProblem, type ErrorSource } from "./errors.js";
import { parseAddrList } from "./addr.js";
import { CMD, ILLEGAL, OPT, OPT_CHARS } from "./cmdline.js";
import { x6Fcheck, type ParseEnv } from "./ext/framework.js";
import type { ExtInstance, ParseMode, ParsedCommand } from "./parse.js";

export function finishParse(
  p: ParsedCommand,
  mode: ParseMode,
  st: { invert: boolean; srcText?: string; dstText?: string; optindLeft: boolean },
): void {
  const src = mode.src;
  if (p.table === "nat" && (p.policy === "DROP" || p.jumpto === "DROP"))
    paramProblem(
      src,
      '\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n',
    );
  for (const m of p.matches) finalCheck(m, src);
  if (p.target) finalCheck(p.target, src);
  if (st.optindLeft) paramProblem(src, "unknown arguments found on commandline");
  if (!p.command) paramProblem(src, "no command specified");
  if (st.invert) paramProblem(src, "nothing appropriate following !");

  const ruleCmd = CMD.REPLACE | CMD.INSERT | CMD.DELETE | CMD.APPEND | CMD.CHECK;
  const sText = st.srcText ?? (p.command & ruleCmd ? "0.0.0.0/0" : undefined);
  const dText = st.dstText ?? (p.command & ruleCmd ? "0.0.0.0/0" : undefined);
  if (sText !== undefined) p.src = parseAddrList(src, sText);
  if (dText !== undefined) p.dst = parseAddrList(src, dText);
  if ((p.src.length > 1 || p.dst.length > 1) && (p.invSrc || p.invDst))
    paramProblem(src, "! not allowed with multiple source or destination IP addresses");
  if (p.command === CMD.REPLACE && (p.src.length !== 1 || p.dst.length !== 1))
    paramProblem(src, "Replacement rule does not specify a unique address");

  // generic_opt_check
  for (let i = 0; i < OPT_CHARS.length; i++) {
    if (!(p.options & (1 << i))) continue;
    let legal = 0;
    for (const [bit, row] of ILLEGAL) {
      if (!(p.command & bit)) continue;
      if (row[i] !== "x") legal = 1;
      else if (legal === 0) legal = -1;
    }
    if (legal === -1) paramProblem(src, `Illegal option \`-${OPT_CHARS[i]}' with this command`);
  }

  if (p.chain !== undefined && p.chain.length >= 29)
    paramProblem(src, `chain name \`${p.chain}' too long (must be under 29 chars)`);
  const withRule = CMD.APPEND | CMD.DELETE | CMD.DELETE_NUM | CMD.CHECK | CMD.INSERT | CMD.REPLACE;
  if (p.command & withRule) {
    if ((p.chain === "PREROUTING" || p.chain === "INPUT") && p.options & OPT.VIANAMEOUT)
      paramProblem(src, `Can't use -o with ${p.chain}\n`);
    if ((p.chain === "POSTROUTING" || p.chain === "OUTPUT") && p.options & OPT.VIANAMEIN)
      paramProblem(src, `Can't use -i with ${p.chain}\n`);
  }
}

/** xtables_option_mfcall / tfcall: the extension's own final check, then the generic one. */
function finalCheck(inst: ExtInstance, src: ErrorSource): void {
  const env: ParseEnv = { src, proto: () => undefined, nextArg: () => undefined };
  inst.ext.final?.(inst.data, inst.xflags, env);
  if (inst.ext.x6) x6Fcheck(inst.ext, inst.xflags, src);
}
