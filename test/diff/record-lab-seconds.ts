// Records how long each differential lab took, from vitest JSON reports, into
// lab-seconds.json: labs.test.ts starts the longest labs first, so the last minutes of the
// concurrent run are not one long lab alone. Usage (after a run with --reporter=json):
//   npx tsx test/diff/record-lab-seconds.ts .vitest-report.json [MORE.json...]
// Several reports: each lab keeps its longest time.
import { readFileSync, writeFileSync } from "node:fs";
import { LAB_SECONDS_FILE } from "./lab-order.js";

interface Report {
  testResults: { name: string; assertionResults: { title: string; duration?: number }[] }[];
}

const seconds: Record<string, number> = {};
for (const path of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(path, "utf8")) as Report;
  for (const file of report.testResults.filter((f) => f.name.endsWith("/labs.test.ts")))
    for (const t of file.assertionResults)
      if (t.title.endsWith(".lab") && t.duration !== undefined)
        seconds[t.title] = Math.max(seconds[t.title] ?? 0, Math.round(t.duration / 100) / 10);
}
if (Object.keys(seconds).length === 0) {
  console.error("no lab durations in the reports given (run vitest with --reporter=json)");
  process.exit(1);
}
const sorted = Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(LAB_SECONDS_FILE, JSON.stringify(sorted, null, 2) + "\n");
console.log(`${Object.keys(sorted).length} labs recorded in ${LAB_SECONDS_FILE}`);
