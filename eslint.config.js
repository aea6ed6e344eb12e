// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "diagrams/", "coverage/", ".puppeteerrc.cjs"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // src/script sits below the backends and must run in a browser too (DESIGN.md, "The
    // next cut"): the simulator keys its programs by the registry's names, never the reverse.
    files: ["src/script/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*"], message: "src/script is browser-safe: no node: imports" },
            {
              group: ["**/sim/**", "**/real/**", "**/cli/**", "**/walk/**", "**/compare/**"],
              message: "src/script imports nothing from the layers above it",
            },
          ],
        },
      ],
    },
  },
);
