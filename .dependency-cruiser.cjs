// What may import what (docs/DESIGN.md, "Layout"). `npm run lint` checks it, in CI too.
// The areas form a directed graph without cycles, so no cycle between areas can appear
// without breaking one of these rules. Everything above src/real and src/cli is
// browser-safe: no node: modules (the simulator also runs in a web page).
/** @type {import('dependency-cruiser').IConfiguration} */
// An area's folder and its file of the same name (src/backend/ and src/backend.ts); a
// pattern that starts with ^ is taken as it is.
const area = (name) => (name.startsWith("^") ? name : `^src/${name}(/|\\.ts$)`);
const BROWSER_SAFE = [
  "backend",
  "script",
  "sim",
  "walk",
  "compare",
  "lessons",
  "exercises",
  "web",
  "diagram",
];
const forbid = (from, to, comment) => ({
  name: `${from}-boundary`,
  comment,
  severity: "error",
  from: { path: area(from) },
  to: { path: to.map(area) },
});

module.exports = {
  forbidden: [
    forbid(
      "web",
      ["real", "cli"],
      "the web runner is what a page loads: no processes, no terminal",
    ),
    forbid(
      "backend",
      ["^src/script/(?!types\\.ts$)", "sim", "real", "walk", "compare", "web", "cli"],
      "the backend contract is types only: it names lab commands and nothing else",
    ),
    forbid(
      "script",
      ["backend", "sim", "real", "walk", "compare", "web", "cli"],
      "parsing and expanding lab scripts knows no backend",
    ),
    forbid(
      "sim",
      ["real", "walk", "compare", "web", "cli"],
      "the simulator stands alone beside the kernel backend",
    ),
    forbid(
      "real",
      ["sim", "walk", "compare", "web", "cli"],
      "the kernel backend knows nothing of the simulator or of what is built on both",
    ),
    forbid(
      "compare",
      ["sim", "real", "walk", "web", "cli"],
      "comparison works on results and snapshots, from either backend",
    ),
    forbid(
      "lessons",
      ["sim", "real", "web", "cli"],
      "lessons run on the Backend interface; snapshots and terminals belong to their adapters",
    ),
    forbid(
      "exercises",
      ["sim", "real", "web", "cli"],
      "exercises run on the Backend interface, as lessons do; files and terminals are the CLI's",
    ),
    forbid(
      "walk",
      ["sim", "real", "web", "cli"],
      "walks read the backends' trace() accounts, never a backend's insides",
    ),
    forbid(
      "diagram",
      ["sim", "real", "compare", "web", "cli", "render-node"],
      "diagrams are drawn from inspect() and the walk, never from a backend's insides",
    ),
    forbid(
      "render-node",
      ["sim", "real", "walk", "compare", "web", "cli"],
      "the renderer turns Mermaid text into pictures, and knows nothing else",
    ),
    {
      name: "render-node-only-from-cli",
      comment: "the renderer needs Node and a browser: only the command line uses it",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(cli|render-node)/" },
      to: { path: "^src/render-node/" },
    },
    {
      name: "userland-through-netlink",
      comment:
        "programs and the Docker daemon reach the kernel only through its netlink-like API (src/sim/kernel/netlink/index.ts), as real tools and dockerd do",
      severity: "error",
      from: { path: "^src/sim/(userland|docker)/" },
      to: { path: "^src/sim/kernel/", pathNot: "^src/sim/kernel/netlink/index\\.ts$" },
    },
    {
      name: "docker-runs-the-programs",
      comment:
        "the simulated dockerd runs the lab programs (its lab lines, docker exec): they never know it; src/sim/programs.ts joins the two",
      severity: "error",
      from: { path: "^src/sim/userland/" },
      to: { path: "^src/sim/docker/" },
    },
    {
      name: "browser-safe-no-node",
      comment: "src/backend, script, sim, walk, compare, web and diagram must run in a browser",
      severity: "error",
      from: { path: `^src/(${BROWSER_SAFE.join("|")})(/|\\.ts$)` },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "no-circular",
      comment: "import cycles make areas inseparable",
      severity: "error",
      from: { path: "^src/" },
      // A cycle made only of type imports costs nothing at run time.
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "kernel-core-stands-alone",
      comment:
        "the simulated kernel's core reaches drivers and subsystems only through what they register (core/modules.ts, kernel/boot.ts), never by import, types included",
      severity: "error",
      from: { path: "^src/sim/kernel/core/" },
      to: { path: "^src/sim/kernel/(?!core/)" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".js"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
