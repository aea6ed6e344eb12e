// diagrams/ must hold what the code draws now (npm run diagrams:check, in the test suite
// so CI runs it): the Mermaid text is compared, which is deterministic.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  allDiagrams,
  docWalkItems,
  lessonItems,
  staleFiles,
} from "../../src/cli/build-diagrams.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe("diagrams/", () => {
  it("finds every lesson's steps and the walks the docs show", () => {
    const lessons = lessonItems(ROOT);
    expect(lessons.map((l) => l.script)).toContain("lessons/01-namespaces-veth-bridge.md");
    expect(lessons.find((l) => l.name === "03-veth-pairs-step-02")?.title).toContain("step 2");
    expect(docWalkItems(ROOT).map((w) => w.name)).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `six-walks-${n}`),
    );
  });

  it("is up to date (run npm run diagrams when this fails)", async () => {
    const files = await allDiagrams(ROOT);
    expect(staleFiles(join(ROOT, "diagrams"), files)).toEqual([]);
  });
});
