// Reading a lesson file (Markdown: YAML front matter, `## ` steps, fenced blocks; see
// docs/lessons.md) into a Lesson, and validating it. Every problem is reported, each
// naming the file, the line, the step and the field, and nothing is run.
import { ScriptError } from "../script/errors.js";
import type { Expander } from "../script/expand.js";
import { parseLine, parseScript } from "../script/parse.js";
import type { LabCommand } from "../script/types.js";
import { isProbe } from "../walk/probe.js";
import { lessonOrderProblems } from "./lesson-order.js";
import { parseRuleSpec, ruleCountLine } from "./rule-count.js";
import type { Check, Expectation, Lesson, Prediction, Step } from "./format.js";
import { parseYaml, YamlError, type YamlValue } from "./yaml-lite.js";

export class LessonError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    /** "step 3" or undefined for the lesson's front matter. */
    readonly step: string | undefined,
    /** The field at fault: "front matter: goals", "predict.answer", "lab". */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${step ? `${step}: ` : ""}${field}: ${reason}`);
    this.name = "LessonError";
  }
}

export interface LessonParseOptions {
  /** Expands lab lines (the docker vocabulary, once it exists). */
  expand?: Expander;
  /** The article numbers references may name (DIGEST.md); unchecked when absent. */
  seeds?: readonly string[];
}

export interface LessonParseOutcome {
  lesson: Lesson;
  errors: LessonError[];
}

/** The source articles of /work/shared/seeds/DIGEST.md. */
export const SEEDS = ["000", "001", "002", "003", "004"] as const;

const FRONT_KEYS = ["id", "title", "lang", "goals", "references"];
const PREDICT_KEYS = ["question", "choices", "answer", "explain"];
const BLOCKS = ["lab", "predict", "walk", "diagram", "check", "narration"];
const LANG = /^[a-z]{2,3}(-[A-Za-z0-9]+)?$/;

export interface Block {
  kind: string;
  /** The info string's words after the kind (`narration zh` -> ["zh"]). */
  args: string[];
  /** Line (1-based) of the first line inside the block. */
  line: number;
  body: string;
}

interface RawStep {
  line: number;
  title: string;
  prose: string[];
  blocks: Block[];
}

export function parseLesson(
  text: string,
  file: string,
  opts: LessonParseOptions = {},
): LessonParseOutcome {
  const errors: LessonError[] = [];
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const fail = (line: number, step: string | undefined, field: string, reason: string): void => {
    errors.push(new LessonError(file, line, step, field, reason));
  };

  // ---- front matter ----
  let bodyStart = 0;
  let front: Record<string, YamlValue> = {};
  if (lines[0]?.trim() === "---") {
    const end = lines.findIndex((l, i) => i > 0 && l.trim() === "---");
    if (end < 0) fail(1, undefined, "front matter", "no closing `---` line");
    else {
      try {
        const v = parseYaml(lines.slice(1, end).join("\n"));
        if (typeof v === "object" && !Array.isArray(v)) front = v;
        else fail(2, undefined, "front matter", "must be a map of `key: value` lines");
      } catch (e) {
        if (!(e instanceof YamlError)) throw e;
        fail(e.line + 2, undefined, "front matter", e.reason);
      }
      bodyStart = end + 1;
    }
  } else fail(1, undefined, "front matter", "a lesson starts with a `---` front matter block");

  const lesson = frontMatter(front, file, opts, (field, reason) =>
    fail(1, undefined, `front matter: ${field}`, reason),
  );

  // ---- body: intro, then `## ` steps, each with prose and fenced blocks ----
  const intro: string[] = [];
  const raw: RawStep[] = [];
  for (let i = bodyStart; i < lines.length; i++) {
    const l = lines[i]!;
    const fence = /^(`{3,})\s*(.*)$/.exec(l);
    const where = raw[raw.length - 1];
    if (fence) {
      const close = lines.findIndex((x, j) => j > i && x.trim() === fence[1]);
      if (close < 0) {
        fail(i + 1, where && `step ${raw.length}`, "block", "fenced block is never closed");
        break;
      }
      const words = fence[2]!.trim().split(/\s+/).filter(Boolean);
      const kind = words[0] ?? "";
      const body = lines.slice(i + 1, close).join("\n");
      if (BLOCKS.includes(kind)) {
        if (!where)
          fail(i + 1, undefined, kind, "a block belongs to a step: put it after a `## ` heading");
        else where.blocks.push({ kind, args: words.slice(1), line: i + 2, body });
      } else {
        // Any other fenced block is part of the narration, shown as it is.
        (where ? where.prose : intro).push(...lines.slice(i, close + 1));
      }
      i = close;
      continue;
    }
    const heading = /^##\s+(.*)$/.exec(l);
    if (heading) {
      raw.push({ line: i + 1, title: heading[1]!.trim(), prose: [], blocks: [] });
      continue;
    }
    // The `# ` title is for GitHub's rendering; the front matter's title is the lesson's.
    if (/^#\s/.test(l) && !where) continue;
    (where ? where.prose : intro).push(l);
  }
  lesson.intro = { [lesson.lang]: paragraphs(intro) };
  if (raw.length === 0)
    fail(bodyStart + 1, undefined, "steps", "no steps: a step starts with `## `");
  lesson.steps = raw.map((r, i) => stepOf(r, i + 1, lesson, file, opts, fail));
  // Across blocks: what one block's parse already reported is not repeated.
  const seen = new Set(errors.map((e) => e.line));
  for (const p of lessonOrderProblems(lesson.steps, file))
    if (!seen.has(p.line)) fail(p.line, p.step, "lab", p.reason);
  errors.sort((a, b) => a.line - b.line);
  return { lesson, errors };
}

function frontMatter(
  front: Record<string, YamlValue>,
  file: string,
  opts: LessonParseOptions,
  fail: (field: string, reason: string) => void,
): Lesson {
  for (const key of Object.keys(front)) {
    const [base, lang] = key.split(".");
    if (!FRONT_KEYS.includes(base!) || (lang !== undefined && !LANG.test(lang)))
      fail(key, `unknown field (known: ${FRONT_KEYS.join(", ")}, and TITLE.LANG translations)`);
  }
  const str = (key: string): string => {
    const v = front[key];
    if (typeof v === "string" && v.trim() !== "") return v.trim();
    fail(key, v === undefined ? "missing" : "must be a text");
    return "";
  };
  const id = str("id");
  if (id && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id))
    fail("id", `"${id}" must be lowercase words joined by "-"`);
  const lang = front.lang === undefined ? "en" : str("lang");
  if (lang && !LANG.test(lang)) fail("lang", `"${lang}" is not a language code like en or zh`);
  const title: Record<string, string> = { [lang]: str("title") };
  const goals: Record<string, string>[] = [];
  const strList = (key: string): string[] | undefined => {
    const v = front[key];
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string"))
      return v as string[];
    fail(key, v === undefined ? "missing" : "must be a list of texts (`- ...` lines)");
    return undefined;
  };
  for (const g of strList("goals") ?? []) goals.push({ [lang]: g });
  const references = (strList("references") ?? []).flatMap((r) => {
    const m = /^(\d{3})\b[\s:,-]*(.*)$/.exec(r);
    if (!m) {
      fail(
        "references",
        `"${r}" must start with the article's number in DIGEST.md ("003: step 2")`,
      );
      return [];
    }
    if (opts.seeds && !opts.seeds.includes(m[1]!))
      fail("references", `no article ${m[1]} (known: ${opts.seeds.join(", ")})`);
    return [{ seed: m[1]!, where: m[2]!.trim() }];
  });
  // Translations: title.zh, goals.zh.
  for (const [key, v] of Object.entries(front)) {
    const [base, tl] = key.split(".");
    if (!tl) continue;
    if (base === "title" && typeof v === "string") title[tl] = v.trim();
    else if (base === "goals" && Array.isArray(v) && v.length === goals.length)
      v.forEach((g, i) => {
        if (typeof g === "string") goals[i] = { ...goals[i]!, [tl]: g };
      });
    else if (base === "title" || base === "goals")
      fail(key, base === "goals" ? "must list as many goals as `goals`" : "must be a text");
  }
  return { file, id, lang, title, goals, references, intro: {}, steps: [] };
}

function stepOf(
  r: RawStep,
  number: number,
  lesson: Lesson,
  file: string,
  opts: LessonParseOptions,
  fail: (line: number, step: string | undefined, field: string, reason: string) => void,
): Step {
  const name = `step ${number}`;
  const title: Record<string, string> = { [lesson.lang]: r.title };
  const narration: Record<string, string> = { [lesson.lang]: paragraphs(r.prose) };
  if (narration[lesson.lang] === "")
    fail(r.line, name, "narration", "a step says what it does: write some text under its heading");
  const step: Step = { number, line: r.line, title, narration, commands: [], checks: [] };
  const once = new Set<string>();
  for (const b of r.blocks) {
    const bfail = (field: string, reason: string, line = b.line): void =>
      fail(line, name, field, reason);
    if (b.kind !== "lab" && b.kind !== "narration") {
      if (once.has(b.kind)) bfail(b.kind, `a step has at most one \`${b.kind}\` block`, b.line - 1);
      once.add(b.kind);
    }
    switch (b.kind) {
      case "lab": {
        // Padding keeps each command's line number the lesson file's.
        const { script, errors } = parseScript("\n".repeat(b.line - 1) + b.body, file, opts);
        for (const e of errors)
          fail(e.line, name, "lab", e.reason + (e.hint ? ` (${e.hint})` : ""));
        step.commands.push(...script.commands);
        break;
      }
      case "narration": {
        const tl = b.args[0];
        if (!tl || !LANG.test(tl)) {
          bfail("narration", "say the language: ```narration zh", b.line - 1);
          break;
        }
        const [first, ...rest] = b.body.split("\n");
        const h = /^##\s+(.*)$/.exec(first ?? "");
        if (h) title[tl] = h[1]!.trim();
        narration[tl] = paragraphs(h ? rest : b.body.split("\n"));
        break;
      }
      case "walk": {
        const cmds = commandLines(b, file, bfail);
        if (cmds.length !== 1) bfail("walk", "holds exactly one probe line");
        else if (!isProbe(cmds[0]!))
          bfail("walk", `\`${cmds[0]!.text}\` is not a probe: a ping or nc -z line`);
        else step.walk = cmds[0]!;
        break;
      }
      case "diagram": {
        const d = b.body.trim();
        if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(d))
          bfail("diagram", "names one diagram: lowercase words joined by -");
        else step.diagram = d;
        break;
      }
      case "predict": {
        const p = predictionOf(b, lesson.lang, bfail);
        if (p) step.prediction = p;
        break;
      }
      case "check":
        step.checks = checksOf(b, file, bfail);
        break;
    }
  }
  if (step.prediction && !step.walk && step.checks.length === 0)
    fail(r.line, name, "predict", "a prediction needs a walk or checks to reveal the answer");
  return step;
}

/** The block's body as YAML, or undefined after reporting why not. */
function yamlOf(
  b: Block,
  bfail: (field: string, reason: string, line?: number) => void,
): YamlValue | undefined {
  try {
    return parseYaml(b.body);
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    bfail(b.kind, e.reason, b.line + e.line);
    return undefined;
  }
}

function predictionOf(
  b: Block,
  lang: string,
  bfail: (field: string, reason: string, line?: number) => void,
): Prediction | undefined {
  const v = yamlOf(b, bfail);
  if (v === undefined) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) {
    bfail("predict", "must be `key: value` lines: question, choices, answer, explain");
    return undefined;
  }
  const text = (key: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      const [base, tl] = k.split(".");
      if (base !== key) continue;
      if (typeof x !== "string" || x.trim() === "") bfail(`predict.${k}`, "must be a text");
      else out[tl ?? lang] = x.trim();
    }
    return out;
  };
  for (const k of Object.keys(v)) {
    const [base, tl] = k.split(".");
    if (!PREDICT_KEYS.includes(base!) || (tl !== undefined && !LANG.test(tl)))
      bfail(`predict.${k}`, `unknown field (known: ${PREDICT_KEYS.join(", ")})`);
  }
  const question = text("question");
  const explain = text("explain");
  if (!question[lang]) bfail("predict.question", "missing");
  if (!explain[lang]) bfail("predict.explain", "missing: say why the answer is right");
  const answer = v.answer;
  if (typeof answer !== "string" || answer.trim() === "") {
    bfail("predict.answer", "missing");
    return undefined;
  }
  let choices: Record<string, string>[] | undefined;
  for (const [k, x] of Object.entries(v)) {
    const [base, tl] = k.split(".");
    if (base !== "choices") continue;
    if (!Array.isArray(x) || x.length < 2 || !x.every((c) => typeof c === "string")) {
      bfail(`predict.${k}`, "must list at least two texts");
      continue;
    }
    if (tl === undefined) choices = x.map((c) => ({ [lang]: (c as string).trim() }));
  }
  for (const [k, x] of Object.entries(v)) {
    const [base, tl] = k.split(".");
    if (base !== "choices" || tl === undefined || !Array.isArray(x)) continue;
    if (!choices || x.length !== choices.length)
      bfail(`predict.${k}`, "must list as many choices as `choices`");
    else x.forEach((c, i) => (choices![i] = { ...choices![i]!, [tl]: String(c).trim() }));
  }
  if (choices && !choices.some((c) => c[lang] === answer.trim()))
    bfail("predict.answer", `"${answer.trim()}" is not one of the choices`);
  return {
    question,
    ...(choices ? { choices } : {}),
    answer: answer.trim(),
    explain,
  };
}

export function checksOf(
  b: Block,
  file: string,
  bfail: (field: string, reason: string, line?: number) => void,
): Check[] {
  const v = yamlOf(b, bfail);
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length === 0) {
    bfail("check", "must be a list: `- reaches: PROBE`, `- blocked: PROBE`, `- run: LINE`");
    return [];
  }
  // Lines of the items, for errors and provenance: each item starts with `- ` at the top level.
  const itemLines = b.body.split("\n").flatMap((l, i) => (/^- /.test(l) ? [b.line + i] : []));
  const out: Check[] = [];
  v.forEach((item, i) => {
    const line = itemLines[i] ?? b.line;
    const field = `check ${i + 1}`;
    if (typeof item !== "object" || Array.isArray(item)) {
      bfail(
        field,
        "must be `reaches: PROBE`, `blocked: PROBE` or `run: LINE` (with exit, contains, lacks)",
        line,
      );
      return;
    }
    const kinds = ["reaches", "blocked", "run", "counts"].filter((k) => k in item);
    if (kinds.length !== 1) {
      bfail(field, "give exactly one of reaches, blocked, run, counts", line);
      return;
    }
    const kind = kinds[0] as Expectation["kind"];
    for (const k of Object.keys(item))
      if (!["reaches", "blocked", "run", "counts", "exit", "contains", "lacks"].includes(k))
        bfail(
          `${field}.${k}`,
          "unknown field (known: reaches, blocked, run, counts, exit, contains, lacks)",
          line,
        );
    const text = item[kind];
    if (kind === "counts") {
      if (typeof text !== "string" || text.trim() === "") {
        bfail(`${field}.counts`, "must be a rule as `iptables -S` prints it", line);
        return;
      }
      if (Object.keys(item).length > 1)
        bfail(field, "exit, contains and lacks go with run:, not counts:", line);
      const rule = parseRuleSpec(text);
      if (typeof rule === "string") {
        bfail(`${field}.counts`, rule, line);
        return;
      }
      const cmd = parseLine(ruleCountLine(rule), line, file);
      if (cmd) out.push({ line, command: cmd, expect: { kind: "counts", rule } });
      return;
    }
    if (typeof text !== "string" || text.trim() === "") {
      bfail(`${field}.${kind}`, "must be a lab line", line);
      return;
    }
    let cmd: LabCommand | null = null;
    try {
      cmd = parseLine(text.trim(), line, file);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      bfail(`${field}.${kind}`, e.reason, line);
      return;
    }
    if (!cmd) {
      bfail(`${field}.${kind}`, "must be a lab line", line);
      return;
    }
    if (kind !== "run") {
      if (!isProbe(cmd))
        bfail(`${field}.${kind}`, `\`${cmd.text}\` is not a probe: a ping or nc -z line`, line);
      if ("exit" in item || "contains" in item || "lacks" in item)
        bfail(field, `exit, contains and lacks go with run:, not ${kind}:`, line);
      out.push({ line, command: cmd, expect: { kind } });
      return;
    }
    const texts = (k: string): string[] => {
      const x = item[k];
      if (x === undefined) return [];
      if (typeof x === "string") return [x];
      if (Array.isArray(x) && x.every((s) => typeof s === "string")) return x as string[];
      bfail(`${field}.${k}`, "must be a text or a list of texts", line);
      return [];
    };
    let exit: number | undefined;
    if (item.exit !== undefined) {
      exit = Number(item.exit);
      if (typeof item.exit !== "string" || !/^\d+$/.test(item.exit)) {
        bfail(`${field}.exit`, "must be a number", line);
        exit = undefined;
      }
    }
    const expect: Expectation = {
      kind: "run",
      ...(exit === undefined ? {} : { exit }),
      contains: texts("contains"),
      lacks: texts("lacks"),
    };
    if (expect.exit === undefined && expect.contains.length === 0 && expect.lacks.length === 0)
      bfail(field, "run: needs exit, contains or lacks to check", line);
    out.push({ line, command: cmd, expect });
  });
  return out;
}

function commandLines(
  b: Block,
  file: string,
  bfail: (field: string, reason: string, line?: number) => void,
): LabCommand[] {
  const out: LabCommand[] = [];
  b.body.split("\n").forEach((l, i) => {
    try {
      const c = parseLine(l, b.line + i, file);
      if (c) out.push(c);
    } catch (e) {
      if (!(e instanceof ScriptError)) throw e;
      bfail(b.kind, e.reason, b.line + i);
    }
  });
  return out;
}

/** Prose lines as paragraphs: trimmed at both ends, runs of blank lines made one. */
function paragraphs(lines: readonly string[]): string {
  return lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
