#!/usr/bin/env node
// Entry point: the CLI compiled to dist/ (built by `npm ci` through the prepare script).
// dist/app holds the same code bundled into a few files (`npm run bundle`, part of the
// build), which starts about twice as fast as some 200 modules; it is used only when it
// is at least as new as the compiled files (a bare `tsc` leaves it stale).
import { statSync } from "node:fs";
import { URL } from "node:url";

const mtime = (path) => {
  try {
    return statSync(new URL(path, import.meta.url)).mtimeMs;
  } catch {
    return -1;
  }
};
const bundled = mtime("../dist/app/entry.js") >= mtime("../dist/cli/entry.js");
await import(bundled ? "../dist/app/entry.js" : "../dist/cli/entry.js");
