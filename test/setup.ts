// Runs before every test file, isolated or not (a module's top-level hooks would run for
// the first file that imports it only, when files share a worker).
import { afterAll } from "vitest";
import { removeTempDirs } from "./temp-dir.js";

afterAll(removeTempDirs);
