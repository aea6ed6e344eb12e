// Where a lesson step's picture is: `npm run diagrams` draws diagrams/lessons/<file>-step-NN
// for every step whose topology differs from the step before; `learn` shows the latest
// one drawn at or before the step (a step that changed nothing shows the picture it
// inherits), with a text rendering of the world as it is now.
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Topology } from "../backend/topology.js";
import { createdOrder } from "../diagram/created-order.js";
import { topologyText } from "../diagram/topology-text.js";
import type { Lesson, Step } from "../lessons/format.js";

/** The package's root (two levels above src/cli and dist/cli alike). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A step's picture's name under diagrams/lessons/, without extension. */
export function lessonDiagramName(lessonFile: string, step: number): string {
  return `${basename(lessonFile).replace(/\.md$/, "")}-step-${String(step).padStart(2, "0")}`;
}

/** The absolute path of diagrams/lessons/...svg of the step, or of the last step before it drawn. */
export function lessonDiagramPath(
  lesson: Lesson,
  step: Step,
  root = PACKAGE_ROOT,
): string | undefined {
  for (let n = step.number; n >= 1; n--) {
    const rel = join("diagrams", "lessons", `${lessonDiagramName(lesson.file, n)}.svg`);
    if (existsSync(join(root, rel))) return join(root, rel);
  }
  return undefined;
}

/** What `learn` shows for a step's `diagram` block (only "topology" is drawn). */
export function lessonDiagram(
  lesson: Lesson,
  step: Step,
  name: string,
  topology: Topology | undefined,
  root = PACKAGE_ROOT,
): { path?: string; text?: string } | undefined {
  if (name !== "topology") return undefined;
  const path = lessonDiagramPath(lesson, step, root);
  const order = createdOrder(lesson.steps.flatMap((s) => s.commands));
  return {
    ...(path ? { path } : {}),
    ...(topology ? { text: topologyText(topology, order) } : {}),
  };
}
