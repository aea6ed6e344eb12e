// Lesson files: what the parser reads from them, and errors that name file, step and field.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseLesson, SEEDS } from "../../src/lessons/parse.js";
import { parseYaml } from "../../src/lessons/yaml-lite.js";

const FRONT = `---
id: tiny
title: A tiny lesson
title.zh: 一个小课
lang: en
goals:
  - learn one thing
references:
  - "003: step 1"
---
`;

const lesson = (body: string, front = FRONT): ReturnType<typeof parseLesson> =>
  parseLesson(front + body, "tiny.md", { seeds: SEEDS });

describe("parseLesson", () => {
  it("reads front matter, steps, blocks and translations", () => {
    const { lesson: l, errors } = lesson(`
# A tiny lesson

Intro text.

## Make a namespace

A namespace.

\`\`\`lab
ip netns add a
\`\`\`

\`\`\`narration zh
## 建一个命名空间
一个命名空间。
\`\`\`

\`\`\`predict
question: Will it answer?
question.zh: 会回答吗？
choices: [yes, no]
answer: no
explain: |
  No route.
  None at all.
\`\`\`

\`\`\`walk
ip netns exec a ping -c1 -W1 10.0.0.1
\`\`\`

\`\`\`diagram
topology
\`\`\`

\`\`\`check
- blocked: ip netns exec a ping -c1 -W1 10.0.0.1
- run: ip netns list
  exit: 0
  contains: [a]
\`\`\`
`);
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(l.id).toBe("tiny");
    expect(l.title).toEqual({ en: "A tiny lesson", zh: "一个小课" });
    expect(l.references).toEqual([{ seed: "003", where: "step 1" }]);
    expect(l.intro.en).toBe("Intro text.");
    const s = l.steps[0]!;
    expect(s.title).toEqual({ en: "Make a namespace", zh: "建一个命名空间" });
    expect(s.narration).toEqual({ en: "A namespace.", zh: "一个命名空间。" });
    expect(s.commands.map((c) => [c.text, c.line])).toEqual([["ip netns add a", 21]]);
    expect(s.prediction).toEqual({
      question: { en: "Will it answer?", zh: "会回答吗？" },
      choices: [{ en: "yes" }, { en: "no" }],
      answer: "no",
      explain: { en: "No route.\nNone at all." },
    });
    expect(s.walk?.text).toBe("ip netns exec a ping -c1 -W1 10.0.0.1");
    expect(s.diagram).toBe("topology");
    expect(s.checks.map((c) => c.expect)).toEqual([
      { kind: "blocked" },
      { kind: "run", exit: 0, contains: ["a"], lacks: [] },
    ]);
  });

  it("names file, line, step and field in every error", () => {
    const { errors } = lesson(
      `
## One

Text.

\`\`\`lab
ip netns add a
frobnicate now
\`\`\`

\`\`\`predict
question: Which?
choices: [yes, no]
answer: maybe
\`\`\`

\`\`\`walk
ip route
\`\`\`

\`\`\`check
- reaches: ip route
- run: ip route
\`\`\`
`,
      FRONT.replace("id: tiny", "id: Tiny Lesson").replace('"003: step 1"', '"009: nowhere"'),
    );
    const messages = errors.map((e) => e.message);
    expect(messages).toEqual([
      'tiny.md:1: front matter: id: "Tiny Lesson" must be lowercase words joined by "-"',
      "tiny.md:1: front matter: references: no article 009 (known: 000, 001, 002, 003, 004)",
      expect.stringMatching(/^tiny\.md:18: step 1: lab: unknown command/),
      "tiny.md:22: step 1: predict.explain: missing: say why the answer is right",
      'tiny.md:22: step 1: predict.answer: "maybe" is not one of the choices',
      "tiny.md:28: step 1: walk: `ip route` is not a probe: a ping or nc -z line",
      "tiny.md:32: step 1: check 1.reaches: `ip route` is not a probe: a ping or nc -z line",
      "tiny.md:33: step 1: check 2: run: needs exit, contains or lacks to check",
    ]);
    expect(errors[2]).toMatchObject({ file: "tiny.md", step: "step 1", field: "lab" });
  });

  it("refuses a file without front matter or steps, and unknown fields", () => {
    expect(parseLesson("# x\n", "x.md").errors.map((e) => e.message)).toEqual([
      "x.md:1: front matter: a lesson starts with a `---` front matter block",
      "x.md:1: front matter: id: missing",
      "x.md:1: front matter: title: missing",
      "x.md:1: front matter: goals: missing",
      "x.md:1: front matter: references: missing",
      "x.md:1: steps: no steps: a step starts with `## `",
    ]);
    const { errors } = lesson(
      "## S\n\nText.\n\n```check\n- reaches: ping -c1 10.0.0.1\n  exit: 0\n```\n",
      FRONT + "",
    );
    expect(errors.map((e) => e.message)).toEqual([
      "tiny.md:16: step 1: check 1: exit, contains and lacks go with run:, not reaches:",
    ]);
  });
});

describe("a lesson's blocks are one script", () => {
  it("refuses a dockerd line in a later step after docker lines in an earlier one", () => {
    const { errors } = lesson(`
## Start

Text.

\`\`\`lab
docker run -d --name web alpine
\`\`\`

## Later

Text.

\`\`\`lab
ip link set lo up
dockerd --userland-proxy=false
\`\`\`
`);
    expect(errors.map((e) => e.message)).toEqual([
      "tiny.md:26: step 2: lab: dockerd must come before the first docker line (line 17 starts the daemon with dockerd's defaults) (move this line above line 17)",
    ]);
  });

  it("refuses a docker line the simulator does not model, naming line and step", () => {
    const { errors } = lesson(
      "## A\n\nText.\n\n```lab\ndocker run -d --name web alpine\ndocker logs web\n```\n",
    );
    expect(errors.map((e) => e.message)).toEqual([
      "tiny.md:17: step 1: lab: docker logs is not simulated (run the script with --kernel: the real dockerd in the sandbox runs it)",
    ]);
  });

  it("reports a problem within one block once, and lets dockerd first in an earlier step pass", () => {
    const ok = lesson(
      "## A\n\nText.\n\n```lab\ndockerd --iptables=false\n```\n\n## B\n\nText.\n\n```lab\ndocker run -d --name web alpine\n```\n",
    );
    expect(ok.errors).toEqual([]);
    const { errors } = lesson(
      "## A\n\nText.\n\n```lab\ndocker ps\ndockerd --iptables=false\n```\n\n## B\n\nText.\n\n```check\n- run: dockerd --icc=false\n  exit: 0\n```\n",
    );
    expect(errors.map((e) => e.message)).toEqual([
      "tiny.md:17: step 1: lab: dockerd must come before the first docker line (line 16 starts the daemon with dockerd's defaults) (move this line above line 16)",
      "tiny.md:25: step 2: lab: a second dockerd line (line 17 started the daemon already) (put all of the daemon's flags on one dockerd line)",
    ]);
  });
});

describe("parseYaml (the subset lessons use)", () => {
  it("reads maps, lists, lists of maps, quotes and block scalars", () => {
    expect(
      parseYaml(`a: one
b: "two: \\"2\\""
c: 'it''s'
d:
  - x
  - k: v
    j: w
e: >
  folded
  text

  para
f: [p, "q, r"]
`),
    ).toEqual({
      a: "one",
      b: 'two: "2"',
      c: "it's",
      d: ["x", { k: "v", j: "w" }],
      e: "folded text\n\npara\n",
      f: ["p", "q, r"],
    });
  });

  it("says which line is wrong", () => {
    expect(() => parseYaml("a: 1\nnot a pair\n")).toThrow(/expected `key: value`/);
    expect(() => parseYaml("a: 1\na: 2\n")).toThrow(/a is given twice/);
  });
});

describe("docs/lessons.md", () => {
  it("its example lesson is a valid lesson", () => {
    const doc = readFileSync("docs/lessons.md", "utf8");
    const example = /````markdown\n([\s\S]*?)\n````/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const { lesson: l, errors } = parseLesson(example!, "example.md", { seeds: SEEDS });
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(l.references).toHaveLength(1);
    expect(l.title.zh).toBe("veth 对");
    expect(l.steps[0]!.narration.zh).toBe("步骤的中文讲解。");
    expect(l.steps[0]!.checks).toHaveLength(3);
  });
});
