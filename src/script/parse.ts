// Lab script parsing: split words as a POSIX shell would (quotes, backslashes), refuse
// everything a shell would do beyond running one program, resolve namespace prefixes,
// check the program against the registry (programs/registry.ts).
import { parse as shellParse, quote } from "shell-quote";
import { dockerdOrderErrors } from "./dockerd-order.js";
import { ScriptError } from "./errors.js";
import { expandedCommand, expansionOf, type Expander } from "./expand.js";
import { isNetnsName, isProcSysPath } from "./names.js";
import { stripPrompt, stripSudo, stripSudoText } from "./pasted.js";
import { backgroundPrograms, programSpec, supportedHint } from "./programs/registry.js";
import { hasSubstitution, hasUnclosedQuote, stripSingleQuoted } from "./quotes.js";
import { sourceLines } from "./source-lines.js";
import { findSubstitutions } from "./substitute.js";
import type { LabCommand, LabScript, SubstitutionSpan } from "./types.js";

type Token = ReturnType<typeof shellParse>[number];

const OPERATOR_REASONS: Record<string, string> = {
  "|": "pipes are not supported: one command per line",
  "||": "'||' is not supported: one command per line",
  "&&": "'&&' is not supported: one command per line",
  ";": "';' is not supported: one command per line",
  ";;": "';;' is not supported",
  "(": "subshells are not supported",
  ")": "subshells are not supported",
  "<": "input redirection is not supported",
  "<(": "process substitution is not supported",
  ">>": "appending ('>>') is not supported; the one redirection is 'echo VALUE > /proc/sys/...'",
  ">&": "redirecting file descriptors is not supported",
  "<&": "redirecting file descriptors is not supported",
  "|&": "pipes are not supported: one command per line",
};

export interface ParseOutcome {
  script: LabScript;
  errors: ScriptError[];
}

export interface ParseOptions {
  /** Expands lines into several commands (expand.ts); without one each line is itself. */
  expand?: Expander;
}

/** Parses a whole script; every bad line is reported, nothing is run. */
export function parseScript(text: string, file: string, opts: ParseOptions = {}): ParseOutcome {
  const commands: LabCommand[] = [];
  const { lines, comments, errors } = sourceLines(text, file);
  for (const src of lines) {
    try {
      const texts = expansionOf(src, file, opts.expand);
      if (texts === undefined || opts.expand === undefined) {
        const cmd = parseLine(src.text, src.line, file);
        if (cmd) commands.push(cmd);
        continue;
      }
      const by = opts.expand;
      texts.forEach((t, i) => {
        const cmd = expandedCommand(src, by, i + 1, texts.length, () =>
          parseLine(t, src.line, file),
        );
        if (cmd) commands.push(cmd);
      });
    } catch (e) {
      if (e instanceof ScriptError) errors.push(e);
      else throw e;
    }
  }
  errors.push(...dockerdOrderErrors(commands, file));
  errors.sort((a, b) => a.line - b.line);
  return { script: { file, commands, comments }, errors };
}

/** Parses one line; null for blank and comment lines. Throws ScriptError. */
export function parseLine(raw: string, line: number, file = "<script>"): LabCommand | null {
  const written = raw.trim();
  if (written === "" || written.startsWith("#")) return null;
  const trimmed = stripPrompt(written);
  const fail = (reason: string, hint?: string): never => {
    throw new ScriptError(file, line, reason, hint);
  };
  if (/[`]/.test(stripSingleQuoted(trimmed))) fail("command substitution (`...`) is not supported");
  const spans = findSubstitutions(trimmed);
  if (typeof spans === "string") return fail(spans);
  if (spans.length > 0) return withSubstitutions(trimmed, written, spans, line, file, fail);
  if (hasSubstitution(trimmed)) fail("command substitution ($(...)) is not supported");

  let variable: string | undefined;
  let tokens: Token[];
  try {
    tokens = shellParse(trimmed, (name: string) => {
      variable ??= name;
      return "";
    });
  } catch (e) {
    return fail(`cannot split the line into words: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (variable !== undefined) fail(`variables are not supported ($${variable})`);
  if (hasUnclosedQuote(trimmed)) fail("unterminated quote");

  let background = false;
  let text = trimmed;
  const last = tokens[tokens.length - 1];
  if (last !== undefined && typeof last === "object" && "op" in last && last.op === "&") {
    background = true;
    tokens = tokens.slice(0, -1);
  }

  let words: string[] = [];
  let redirect: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (typeof t === "string") {
      words.push(t);
      continue;
    }
    if ("comment" in t) break;
    if ("op" in t) {
      if (t.op === "glob") {
        fail(`wildcards are not supported (${(t as { pattern: string }).pattern})`);
      }
      if (t.op === ">") {
        const target = tokens[i + 1];
        if (typeof target !== "string") fail("'>' needs a file name");
        if (redirect !== undefined) fail("only one redirection per line");
        redirect = target as string;
        i++;
        continue;
      }
      if (t.op === "&") fail("'&' is only allowed at the end of a line (a background job)");
      if (t.op === "<" && words.includes("iptables-restore")) {
        // The shell would feed the file; packetwalk reads the one named as an argument.
        const fix = stripSudo(
          tokens.filter((x): x is string => typeof x === "string"),
          fail,
        );
        fail(
          OPERATOR_REASONS["<"]!,
          `write \`${quote(fix)}\`: packetwalk reads the file beside the script and feeds it to iptables-restore`,
        );
      }
      fail(OPERATOR_REASONS[t.op] ?? `'${t.op}' is not supported`);
    }
    fail("unsupported shell syntax");
  }
  if (words.length === 0) fail("no command on this line");
  if (words[0] === "sudo") {
    words = stripSudo(words, fail);
    text = stripSudoText(text);
  }

  const { program, args, netns, pid } = resolvePrefixes(words, fail);
  const spec = programSpec(program);
  if (!spec) return fail(`unknown command "${program}"`, supportedHint());
  const refusal = spec.check?.(args, background);
  if (refusal) fail(refusal);

  if (redirect !== undefined) {
    if (!spec.redirect) fail("the one redirection understood is 'echo VALUE > /proc/sys/...'");
    if (!isProcSysPath(redirect))
      fail(`echo may only write /proc/sys/net/... files, not "${redirect}"`);
    if (pid !== undefined) fail(`the shell opens "${redirect}" before nsenter runs`);
    if (netns !== undefined) {
      fail(
        `the shell opens "${redirect}" before the prefix runs, so this would write the root namespace's value, not ${netns}'s`,
        `use: ip netns exec ${netns} sysctl -w ${redirect.slice("/proc/sys/".length).replaceAll("/", ".")}=VALUE`,
      );
    }
  }
  if (background && !spec.background) {
    fail(
      `only ${backgroundPrograms().join(" and ")} can run in the background ('&'), not ${program}`,
    );
  }

  const provenance = { line, text: written, step: 1, of: 1 };
  const cmd: LabCommand = { line, text, argv: words, background, program, args, provenance };
  if (redirect !== undefined) cmd.redirect = redirect;
  if (netns !== undefined) cmd.netns = netns;
  if (pid !== undefined) cmd.netnsOfPid = pid;
  return cmd;
}

/**
 * A line with `$(...)`: each inner command parsed, and the line checked with a PID in each
 * span's place (`1`, the one every sandbox has); run-substituted.ts finishes it.
 */
function withSubstitutions(
  trimmed: string,
  written: string,
  spans: SubstitutionSpan[],
  line: number,
  file: string,
  fail: (reason: string, hint?: string) => never,
): LabCommand {
  const inner = spans.map((s) => {
    const c = s.inner === "" ? null : parseLine(s.inner, line, file);
    if (c === null) return fail("$() needs a command");
    if (c.background) return fail("a $(...) cannot run in the background");
    return c;
  });
  let shape = "";
  let at = 0;
  for (const s of spans) {
    shape += `${trimmed.slice(at, s.start)}1`;
    at = s.end;
  }
  const cmd = parseLine(shape + trimmed.slice(at), line, file);
  if (cmd === null) return fail("no command on this line");
  const text = trimmed.startsWith("sudo ") ? stripSudoText(trimmed) : trimmed;
  return {
    ...cmd,
    text,
    provenance: { ...cmd.provenance, text: written },
    substitution: { text: trimmed, spans, inner, file },
  };
}

/** `nsenter` with a target process: `-t PID -n`, `--target PID --net`, either order. */
function nsenterTarget(rest: string[]): { pid: string; used: number } | undefined {
  let pid: string | undefined;
  let net = false;
  let i = 1;
  for (; i < rest.length && rest[i]!.startsWith("-"); i++) {
    const w = rest[i]!;
    if (w === "-n" || w === "--net") net = true;
    else if ((w === "-t" || w === "--target") && i + 1 < rest.length) pid = rest[++i]!;
    else if (w.startsWith("--target=")) pid = w.slice("--target=".length);
    else return undefined;
  }
  return pid !== undefined && net ? { pid, used: i } : undefined;
}

function resolvePrefixes(
  words: string[],
  fail: (reason: string, hint?: string) => never,
): { program: string; args: string[]; netns: string | undefined; pid?: number } {
  let rest = words;
  let netns: string | undefined;
  let pid: number | undefined;
  for (;;) {
    const [w0, w1, w2, w3] = rest;
    if (w0 === "ip" && (w1 === "netns" || w1 === "net" || w1 === "netn") && w2 === "exec") {
      if (w3 === undefined) fail("ip netns exec needs a namespace and a command");
      if (!isNetnsName(w3!)) fail(`invalid namespace name "${w3}"`);
      if (rest.length < 5) fail(`ip netns exec ${w3} needs a command to run`);
      netns = w3;
      pid = undefined;
      rest = rest.slice(4);
      continue;
    }
    if (w0 === "nsenter" && !(w1 ?? "").startsWith("--net=")) {
      const t = nsenterTarget(rest);
      if (t === undefined) {
        fail(
          `nsenter is supported only as "nsenter --net=/run/netns/NS COMMAND..." or "nsenter -t PID -n COMMAND..."`,
          "other namespaces (mount, pid, ...) are outside the lab",
        );
      }
      if (!/^\d+$/.test(t!.pid)) fail(`nsenter -t: "${t!.pid}" is not a PID`);
      if (rest.length <= t!.used) fail(`nsenter -t PID -n needs a command to run`);
      pid = Number(t!.pid);
      netns = undefined;
      rest = rest.slice(t!.used);
      continue;
    }
    if (w0 === "nsenter") {
      const m = /^--net=(?:\/var)?\/run\/netns\/(.+)$/.exec(w1 ?? "");
      if (!m) {
        fail(
          `nsenter is supported only as "nsenter --net=/run/netns/NS COMMAND..."`,
          "other namespaces (processes, the machine's own) are outside the lab",
        );
      }
      const name = m![1]!;
      if (!isNetnsName(name)) fail(`invalid namespace name "${name}"`);
      if (rest.length < 3) fail(`nsenter --net=... needs a command to run`);
      netns = name;
      pid = undefined;
      rest = rest.slice(2);
      continue;
    }
    break;
  }
  const [program, ...args] = rest;
  return { program: program!, args, netns, ...(pid !== undefined ? { pid } : {}) };
}
