// Reading an exercise file (Markdown: front matter, `lab` blocks for the starting world,
// `check` blocks; docs/exercises.md). The check blocks, the lab lines and the front
// matter's YAML subset are the lessons' own (src/lessons), so a check means the same in both.
import { checksOf, LessonError, type Block } from "../lessons/parse.js";
import { parseYaml, YamlError, type YamlValue } from "../lessons/yaml-lite.js";
import type { Expander } from "../script/expand.js";
import { parseScript } from "../script/parse.js";
import type { Exercise } from "./format.js";

const FRONT_KEYS = ["id", "title", "lesson", "kind", "goal", "hints"];

export interface ExerciseParseOutcome {
  exercise: Exercise;
  errors: LessonError[];
}

export function parseExercise(
  text: string,
  file: string,
  opts: { expand?: Expander } = {},
): ExerciseParseOutcome {
  const errors: LessonError[] = [];
  const fail = (line: number, field: string, reason: string): void => {
    errors.push(new LessonError(file, line, undefined, field, reason));
  };
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let front: Record<string, YamlValue> = {};
  let bodyStart = 0;
  const end =
    lines[0]?.trim() === "---" ? lines.findIndex((l, i) => i > 0 && l.trim() === "---") : -1;
  if (end < 0) fail(1, "front matter", "an exercise starts with a `---` front matter block");
  else {
    try {
      const v = parseYaml(lines.slice(1, end).join("\n"));
      if (typeof v === "object" && !Array.isArray(v)) front = v;
      else fail(2, "front matter", "must be a map of `key: value` lines");
    } catch (e) {
      if (!(e instanceof YamlError)) throw e;
      fail(e.line + 2, "front matter", e.reason);
    }
    bodyStart = end + 1;
  }
  for (const key of Object.keys(front))
    if (!FRONT_KEYS.includes(key))
      fail(1, `front matter: ${key}`, `unknown field (known: ${FRONT_KEYS.join(", ")})`);
  const str = (key: string): string => {
    const v = front[key];
    if (typeof v === "string" && v.trim() !== "") return v.trim();
    fail(1, `front matter: ${key}`, v === undefined ? "missing" : "must be a text");
    return "";
  };
  const id = str("id");
  if (id && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id))
    fail(1, "front matter: id", `"${id}" must be lowercase words joined by "-"`);
  const kind = str("kind");
  if (kind && kind !== "build" && kind !== "fix")
    fail(1, "front matter: kind", `"${kind}" must be build or fix`);
  const hintsV = front.hints;
  const hints =
    Array.isArray(hintsV) && hintsV.length > 0 && hintsV.every((h) => typeof h === "string")
      ? (hintsV as string[]).map((h) => h.trim())
      : [];
  if (hints.length === 0) fail(1, "front matter: hints", "must be a list of texts (`- ...` lines)");
  const exercise: Exercise = {
    file,
    id,
    title: str("title"),
    lesson: str("lesson"),
    kind: kind === "fix" ? "fix" : "build",
    goal: str("goal"),
    hints,
    text: "",
    start: [],
    checks: [],
  };

  const prose: string[] = [];
  for (let i = bodyStart; i < lines.length; i++) {
    const fence = /^(`{3,})\s*(.*)$/.exec(lines[i]!);
    if (!fence) {
      if (!/^#\s/.test(lines[i]!)) prose.push(lines[i]!);
      continue;
    }
    const close = lines.findIndex((x, j) => j > i && x.trim() === fence[1]);
    if (close < 0) {
      fail(i + 1, "block", "fenced block is never closed");
      break;
    }
    const kindOf = fence[2]!.trim().split(/\s+/)[0] ?? "";
    const block: Block = {
      kind: kindOf,
      args: [],
      line: i + 2,
      body: lines.slice(i + 1, close).join("\n"),
    };
    if (kindOf === "lab") {
      // Padding keeps each command's line number the file's.
      const { script, errors: es } = parseScript(
        "\n".repeat(block.line - 1) + block.body,
        file,
        opts,
      );
      for (const e of es) fail(e.line, "lab", e.reason + (e.hint ? ` (${e.hint})` : ""));
      exercise.start.push(...script.commands);
    } else if (kindOf === "check")
      exercise.checks.push(
        ...checksOf(block, file, (field, reason, line = block.line) => fail(line, field, reason)),
      );
    else prose.push(...lines.slice(i, close + 1));
    i = close;
  }
  exercise.text = prose
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (exercise.checks.length === 0)
    fail(bodyStart + 1, "check", "an exercise needs at least one `check` block");
  errors.sort((a, b) => a.line - b.line);
  return { exercise, errors };
}
