// The iptables command line (xshared.c do_parse, 1.8.9): commands and options read in
// order with getopt_long, extensions loaded by -m, -j and implicitly by -p when one of
// their options appears, then the checks iptables makes before it touches the ruleset.
import type { AddrMask } from "./addr.js";
import { CMD, INVERTIBLE, OPT, ORIGINAL_OPTS, SHORTS, cmd2char, opt2char } from "./cmdline.js";
import { paramProblem, badArgument, notModelled, XtablesExit, type ErrorSource } from "./errors.js";
import {
  MATCHES,
  PLAIN_TARGETS,
  SHIPPED_MATCHES,
  SHIPPED_TARGETS,
  TARGETS,
  isTargetName,
} from "./ext/index.js";
import { canonicalEntry, x6Precheck, type AnyExt, type ParseEnv } from "./ext/framework.js";
import { Getopt, type LongOpt } from "./getopt.js";
import { checkInterface } from "./iface.js";
import { finishParse } from "./parse-checks.js";
import { parseProtocol, protoName } from "./proto.js";
import { VERSION_TAG } from "./version.js";

/** One loaded extension instance on the command line. */
export interface ExtInstance {
  ext: AnyExt;
  data: unknown;
  xflags: Set<number>;
  /** A later -m of the same match took over its options. */
  completed: boolean;
}

export interface ParsedCommand {
  command: number;
  table: string;
  chain?: string;
  newName?: string;
  policy?: string;
  rulenum: number;
  options: number;
  verbose: number;
  proto?: { num: number; invert: boolean };
  src: AddrMask[];
  dst: AddrMask[];
  invSrc: boolean;
  invDst: boolean;
  inIface?: { name: string; invert: boolean };
  outIface?: { name: string; invert: boolean };
  matches: ExtInstance[];
  target?: ExtInstance;
  /** -j/-g name when it is not an extension target: a verdict or a chain. */
  jumpto?: string;
  goto: boolean;
  counters?: { packets: number; bytes: number };
  /** -V printed the version (iptables exits 0 at once). */
  version?: string;
  /** iptables-restore: a -6 line is ignored. */
  ignored?: boolean;
}

export interface ParseMode {
  src: ErrorSource;
  /** Parsing a line of iptables-restore. */
  restore: boolean;
}

/** xt_parse_target. */
function checkTargetName(src: ErrorSource, name: string): string {
  if (name.length < 1) paramProblem(src, "Invalid target name (too short)");
  if (name.length >= 29) paramProblem(src, `Invalid target name \`${name}' (28 chars max)`);
  if (/\s/.test(name)) paramProblem(src, `Invalid target name \`${name}'`);
  return name;
}

/** assert_valid_chain_name (for -N). */
function checkChainName(src: ErrorSource, name: string): void {
  if (name.length >= 29)
    paramProblem(src, `chain name \`${name}' too long (must be under 29 chars)`);
  if (name.startsWith("-") || name.startsWith("!"))
    paramProblem(src, `chain name not allowed to start with \`${name[0]}'`);
  if (isTargetName(name)) paramProblem(src, "chain name may not clash with target name");
  if (/\s/.test(name)) paramProblem(src, `Invalid chain name \`${name}'`);
}

function parseRulenumber(src: ErrorSource, s: string): number {
  const n = /^\s*\+?\d+$/.test(s) ? Number(s.trim()) : NaN;
  if (!(n >= 1 && n <= 0x7fffffff)) paramProblem(src, `Invalid rule number \`${s}'`);
  return n;
}

export function parseCommand(argv: string[], mode: ParseMode): ParsedCommand {
  const src = mode.src;
  const g = new Getopt([mode.src.prog, ...argv], SHORTS);
  const p: ParsedCommand = {
    command: 0,
    table: "filter",
    rulenum: 0,
    options: 0,
    verbose: 0,
    src: [],
    dst: [],
    invSrc: false,
    invDst: false,
    matches: [],
    goto: false,
  };
  let longs: LongOpt[] = [...ORIGINAL_OPTS];
  const loaded = new Set<string>();
  let invert = false;
  let tableSet = false;
  let protoUsed = false;
  let protoText: string | undefined;
  let srcText: string | undefined;
  let dstText: string | undefined;

  const env: ParseEnv = {
    src,
    proto: () => p.proto,
    nextArg: () => (g.hasArg() ? g.argv[g.optind++] : undefined),
  };

  const addCommand = (bit: number, others: number): void => {
    if (invert) paramProblem(src, "unexpected '!' flag");
    if (p.command & ~others)
      paramProblem(src, `Cannot use -${cmd2char(bit)} with -${cmd2char(p.command & ~others)}`);
    p.command |= bit;
  };
  const setOption = (bit: number): void => {
    if (p.options & bit) paramProblem(src, `multiple -${opt2char(bit)} flags not allowed`);
    p.options |= bit;
    if (invert && !(INVERTIBLE & bit)) paramProblem(src, `cannot have ! before -${opt2char(bit)}`);
  };
  const optionalChain = (arg: string | null): string | undefined =>
    arg ?? (g.hasArg() ? g.argv[g.optind++] : undefined);

  const load = (ext: AnyExt): ExtInstance => {
    const key = `${ext.kind}:${ext.name}`;
    if (!loaded.has(key)) {
      loaded.add(key);
      longs = [
        ...longs,
        ...ext.options.map((o) => ({ name: o.name, hasArg: o.hasArg, val: `${key}:${o.id}` })),
      ];
    }
    return { ext, data: ext.init(), xflags: new Set(), completed: false };
  };
  const addMatch = (ext: AnyExt): void => {
    for (const m of p.matches) if (m.ext === ext) m.completed = true;
    p.matches.push(load(ext));
  };
  const callExt = (inst: ExtInstance, id: number, arg: string | null): void => {
    const c = {
      id,
      entry: canonicalEntry(inst.ext.options, id),
      arg: arg ?? undefined,
      invert,
      env,
    };
    if (inst.ext.x6) x6Precheck(inst.ext, c, inst.xflags);
    inst.ext.parse(inst.data, c);
    inst.xflags.add(id);
  };

  for (;;) {
    const r = g.next(longs);
    if (!r) break;
    if (r.kind === "arg") {
      if (r.arg === "!") {
        if (invert) paramProblem(src, "multiple consecutive ! not allowed");
        invert = true;
        continue;
      }
      badArgument(src, `Bad argument \`${r.arg}'\n`);
    }
    if (r.kind === "opt" && !r.val.includes(":")) {
      const arg = r.arg;
      switch (r.val) {
        case "A":
          addCommand(CMD.APPEND, 0);
          p.chain = arg!;
          break;
        case "C":
          addCommand(CMD.CHECK, 0);
          p.chain = arg!;
          break;
        case "D":
          addCommand(CMD.DELETE, 0);
          p.chain = arg!;
          if (g.hasArg()) {
            p.rulenum = parseRulenumber(src, g.argv[g.optind++]!);
            p.command = CMD.DELETE_NUM;
          }
          break;
        case "R":
          addCommand(CMD.REPLACE, 0);
          p.chain = arg!;
          if (!g.hasArg()) paramProblem(src, "-R requires a rule number");
          p.rulenum = parseRulenumber(src, g.argv[g.optind++]!);
          break;
        case "I":
          addCommand(CMD.INSERT, 0);
          p.chain = arg!;
          p.rulenum = g.hasArg() ? parseRulenumber(src, g.argv[g.optind++]!) : 1;
          break;
        case "L":
        case "S":
          addCommand(r.val === "L" ? CMD.LIST : CMD.LIST_RULES, CMD.ZERO | CMD.ZERO_NUM);
          p.chain = optionalChain(arg) ?? p.chain;
          if (g.hasArg()) p.rulenum = parseRulenumber(src, g.argv[g.optind++]!);
          break;
        case "F":
          addCommand(CMD.FLUSH, 0);
          p.chain = optionalChain(arg) ?? p.chain;
          break;
        case "Z":
          addCommand(CMD.ZERO, CMD.LIST | CMD.LIST_RULES);
          p.chain = optionalChain(arg) ?? p.chain;
          if (g.hasArg()) {
            p.rulenum = parseRulenumber(src, g.argv[g.optind++]!);
            p.command = CMD.ZERO_NUM;
          }
          break;
        case "N":
          checkChainName(src, arg!);
          addCommand(CMD.NEW_CHAIN, 0);
          p.chain = arg!;
          break;
        case "X":
          addCommand(CMD.DELETE_CHAIN, 0);
          p.chain = optionalChain(arg) ?? p.chain;
          break;
        case "E":
          addCommand(CMD.RENAME_CHAIN, 0);
          p.chain = arg!;
          if (!g.hasArg()) paramProblem(src, "-E requires old-chain-name and new-chain-name");
          p.newName = g.argv[g.optind++]!;
          break;
        case "P":
          addCommand(CMD.SET_POLICY, 0);
          p.chain = arg!;
          if (!g.hasArg()) paramProblem(src, "-P requires a chain and a policy");
          p.policy = g.argv[g.optind++]!;
          break;
        case "h":
          notModelled(src, "the help text (-h)");
          break;
        case "p": {
          setOption(OPT.PROTOCOL);
          protoText = arg!.toLowerCase();
          const num = parseProtocol(src, protoText);
          if (num === 0 && invert) paramProblem(src, "rule would never match protocol");
          p.proto = { num, invert };
          break;
        }
        case "s":
          setOption(OPT.SOURCE);
          p.invSrc = invert;
          srcText = arg!;
          break;
        case "d":
          setOption(OPT.DESTINATION);
          p.invDst = invert;
          dstText = arg!;
          break;
        case "g":
          setOption(OPT.JUMP);
          p.goto = true;
          p.jumpto = checkTargetName(src, arg!);
          break;
        case "j": {
          setOption(OPT.JUMP);
          const name = checkTargetName(src, arg!);
          const ext = TARGETS[name];
          if (ext) p.target = load(ext);
          else if (SHIPPED_TARGETS.includes(name) && !PLAIN_TARGETS.includes(name))
            notModelled(src, `the ${name} target`);
          else p.jumpto = name;
          break;
        }
        case "i":
        case "o": {
          if (arg === "") paramProblem(src, "Empty interface is likely to be undesired");
          setOption(r.val === "i" ? OPT.VIANAMEIN : OPT.VIANAMEOUT);
          checkInterface(src, arg!);
          const iface = { name: arg!, invert };
          if (r.val === "i") p.inIface = iface;
          else p.outIface = iface;
          break;
        }
        case "f":
          notModelled(src, "fragment matching (-f)");
          break;
        case "v":
          if (!p.verbose) setOption(OPT.VERBOSE);
          p.verbose++;
          break;
        case "m": {
          if (invert) paramProblem(src, "unexpected ! flag before --match");
          const ext = MATCHES[arg!];
          if (!ext) {
            if (SHIPPED_MATCHES.includes(arg!)) notModelled(src, `the ${arg} match`);
            paramProblem(src, `Couldn't load match \`${arg}':No such file or directory\n`);
          }
          addMatch(ext);
          break;
        }
        case "n":
          setOption(OPT.NUMERIC);
          break;
        case "t":
          if (invert) paramProblem(src, "unexpected ! flag before --table");
          if (mode.restore && tableSet)
            paramProblem(src, `The -t option cannot be used in ${src.prog}.\n`);
          p.table = arg!;
          tableSet = true;
          break;
        case "x":
          setOption(OPT.EXPANDED);
          break;
        case "V":
          p.version = `${src.prog} ${VERSION_TAG}\n`;
          return p;
        case "w":
          if (mode.restore) paramProblem(src, "You cannot use `-w' from iptables-restore");
          if (arg === null && g.hasArg()) g.optind++;
          break;
        case "W":
          notModelled(src, "--wait-interval");
          break;
        case "0":
          setOption(OPT.LINENUMBERS);
          break;
        case "M":
          break;
        case "b":
          paramProblem(src, "bpfilter support was disabled during build");
          break;
        case "c": {
          setOption(OPT.COUNTERS);
          const pcnt = arg!;
          const comma = pcnt.indexOf(",", 1);
          let bcnt: string | undefined = comma >= 0 ? pcnt.slice(comma + 1) : undefined;
          if (bcnt === undefined && g.hasArg()) bcnt = g.argv[g.optind++];
          if (bcnt === undefined) paramProblem(src, "-c requires packet and byte counter");
          const pn = /^\s*\+?(\d+)/.exec(pcnt);
          if (!pn) paramProblem(src, "-c packet counter not numeric");
          const bn = /^\s*\+?(\d+)/.exec(bcnt);
          if (!bn) paramProblem(src, "-c byte counter not numeric");
          p.counters = { packets: Number(pn[1]), bytes: Number(bn[1]) };
          break;
        }
        case "4":
          break;
        case "6":
          if (mode.restore) {
            p.ignored = true;
            return p;
          }
          throw new XtablesExit(
            2,
            `Try \`${src.prog} -h' or '${src.prog} --help' for more information.\n`,
          );
      }
      invert = false;
      continue;
    }
    // command_default: a loaded target's or match's option, or load the -p match.
    if (r.kind === "opt") {
      const [kind, name, idText] = r.val.split(":") as [string, string, string];
      const id = Number(idText);
      if (kind === "target" && p.target?.ext.name === name) callExt(p.target, id, r.arg);
      else {
        const inst = p.matches.find((m) => !m.completed && m.ext.name === name);
        if (inst) callExt(inst, id, r.arg);
      }
      invert = false;
      continue;
    }
    if (protoText !== undefined && !protoUsed) {
      protoUsed = true;
      const num = parseProtocol(src, protoText);
      const name = /^\d+$/.test(protoText) ? protoName(num, false) : protoText;
      const ext = name !== undefined ? MATCHES[name] : undefined;
      if (ext) {
        addMatch(ext);
        g.optind--;
        continue;
      }
      if (name !== undefined && SHIPPED_MATCHES.includes(name))
        notModelled(src, `the ${name} match`);
    }
    if (r.kind === "missing") paramProblem(src, `option "${g.previous()}" requires an argument`);
    paramProblem(src, `unknown option "${r.optopt ? `-${r.optopt}` : g.previous()}"`);
  }

  finishParse(p, mode, { invert, srcText, dstText, optindLeft: g.optind < g.argv.length });
  return p;
}
