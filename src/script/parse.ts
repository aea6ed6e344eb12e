// Lab script parsing: split words as a POSIX shell would (quotes, backslashes), refuse
// everything a shell would do beyond running one program, resolve namespace prefixes.
import { parse as shellParse } from "shell-quote";
import { ScriptError } from "./errors.js";
import { isNetnsName, isProcSysPath, isProgram, refuseArgs } from "./supported.js";
import type { LabCommand, LabComment, LabScript } from "./types.js";

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

/** Parses a whole script; every bad line is reported, nothing is run. */
export function parseScript(text: string, file: string): ParseOutcome {
  const commands: LabCommand[] = [];
  const comments: LabComment[] = [];
  const errors: ScriptError[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const t = raw.trim();
    if (t.startsWith("#")) comments.push({ line: i + 1, text: t.replace(/^#+ ?/, "") });
    try {
      const cmd = parseLine(raw, i + 1, file);
      if (cmd) commands.push(cmd);
    } catch (e) {
      if (e instanceof ScriptError) errors.push(e);
      else throw e;
    }
  });
  return { script: { file, commands, comments }, errors };
}

/** Parses one line; null for blank and comment lines. Throws ScriptError. */
export function parseLine(raw: string, line: number, file = "<script>"): LabCommand | null {
  const trimmed = raw.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return null;
  const fail = (reason: string, hint?: string): never => {
    throw new ScriptError(file, line, reason, hint);
  };
  if (/[`]/.test(stripSingleQuoted(trimmed))) fail("command substitution (`...`) is not supported");
  if (/\$\(/.test(stripSingleQuoted(trimmed)))
    fail("command substitution ($(...)) is not supported");

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
  const text = trimmed;
  const last = tokens[tokens.length - 1];
  if (last !== undefined && typeof last === "object" && "op" in last && last.op === "&") {
    background = true;
    tokens = tokens.slice(0, -1);
  }

  const words: string[] = [];
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
      fail(OPERATOR_REASONS[t.op] ?? `'${t.op}' is not supported`);
    }
    fail("unsupported shell syntax");
  }
  if (words.length === 0) fail("no command on this line");

  const { program, args, netns } = resolvePrefixes(words, fail);
  if (!isProgram(program)) {
    fail(
      `unknown command "${program}"`,
      "supported: ip, bridge, sysctl, echo > /proc/sys/net/..., cat /proc/sys/net/..., iptables, iptables-save, iptables-restore, conntrack, ping, nc, sleep",
    );
  }
  const refusal = refuseArgs(program as Parameters<typeof refuseArgs>[0], args, background);
  if (refusal) fail(refusal);

  if (redirect !== undefined) {
    if (program !== "echo") fail("the one redirection understood is 'echo VALUE > /proc/sys/...'");
    if (!isProcSysPath(redirect))
      fail(`echo may only write /proc/sys/net/... files, not "${redirect}"`);
    if (netns !== undefined) {
      fail(
        `the shell opens "${redirect}" before the prefix runs, so this would write the root namespace's value, not ${netns}'s`,
        `use: ip netns exec ${netns} sysctl -w ${redirect.slice("/proc/sys/".length).replaceAll("/", ".")}=VALUE`,
      );
    }
  }
  if (background && !["nc", "ping"].includes(program)) {
    fail(`only nc and ping can run in the background ('&'), not ${program}`);
  }

  const cmd: LabCommand = { line, text, argv: words, background, program, args };
  if (redirect !== undefined) cmd.redirect = redirect;
  if (netns !== undefined) cmd.netns = netns;
  return cmd;
}

function resolvePrefixes(
  words: string[],
  fail: (reason: string, hint?: string) => never,
): { program: string; args: string[]; netns: string | undefined } {
  let rest = words;
  let netns: string | undefined;
  for (;;) {
    const [w0, w1, w2, w3] = rest;
    if (w0 === "ip" && (w1 === "netns" || w1 === "net" || w1 === "netn") && w2 === "exec") {
      if (w3 === undefined) fail("ip netns exec needs a namespace and a command");
      if (!isNetnsName(w3!)) fail(`invalid namespace name "${w3}"`);
      if (rest.length < 5) fail(`ip netns exec ${w3} needs a command to run`);
      netns = w3;
      rest = rest.slice(4);
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
      rest = rest.slice(2);
      continue;
    }
    break;
  }
  const [program, ...args] = rest;
  return { program: program!, args, netns };
}

/** Removes '...' spans so checks for $( and backticks ignore quoted text. */
function stripSingleQuoted(s: string): string {
  return s.replace(/'[^']*'/g, "''");
}

function hasUnclosedQuote(s: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote === null && c === "\\") {
      i++;
      continue;
    }
    if (quote === '"' && c === "\\") {
      i++;
      continue;
    }
    if (quote === null && (c === "'" || c === '"')) quote = c;
    else if (quote !== null && c === quote) quote = null;
  }
  return quote !== null;
}
