// Lint keeps the code's layers apart and free of import cycles, and every promise awaited (the
// models are asynchronous: a query not awaited is a write out of order); it checks nothing of style.
//   routes → models → lib and data (app/lib/db.server.ts, db/schema.ts)
// Components are rendered in the browser too, so they never import server modules.
// Why these rules and how to change them: docs/decisions/0015-layers-enforced-by-lint.md.
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/** Imports of server-only modules (`x.server`, `x.server.ts`), whatever the path. */
const serverModule = { regex: "\\.server(\\.tsx?)?$", message: "Server-only module: this file is also bundled for the browser." };
const dataLayer = { regex: "^(drizzle-orm(/.*)?|better-sqlite3)$", message: "The data layer is reached through app/models." };

// app/lib modules that stand at the routes' edge (sessions, guards, list filters, the
// scheduler, turning the models' refusals into responses, the JSON API's operations) and so may
// call models; every other lib module sits below the models.
const libAtTheEdge = [
  "app/lib/api.server.ts",
  "app/lib/api/**",
  "app/lib/action-filters.server.ts",
  "app/lib/action-views.server.ts",
  "app/lib/guards.server.ts",
  "app/lib/http.server.ts",
  "app/lib/oidc.server.ts",
  "app/lib/scheduler.server.ts",
  "app/lib/session.server.ts",
];

export default tseslint.config(
  { ignores: ["build/**", "public/build/**", "node_modules/**", "test-results/**", "playwright-report/**", ".cache/**", "data/**", "tests/e2e/.data/**", "tests/e2e/.auth/**", "tests/e2e/screenshots/**"] },
  {
    files: ["**/*.{ts,tsx,js,mjs}"],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: "latest",
      sourceType: "module",
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { "import-x": importX, "@typescript-eslint": tseslint.plugin },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "./tsconfig.json" })],
      "import-x/extensions": [".ts", ".tsx", ".js"],
    },
    rules: {
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: ["./app/lib/db.server.ts", "./app/lib/db-port.server.ts", "./app/lib/db-sqlite.server.ts", "./app/lib/db-postgres.server.ts"],
              from: ["./app/models", "./app/routes", "./app/components"],
              message: "The database module is the lowest layer: it never imports app code above it.",
            },
            { target: ["./app/models", "./app/lib", "./app/components"], from: "./app/routes", message: "Nothing imports a route module." },
            {
              target: "./app/models",
              from: "./app/components",
              except: ["./email"],
              message: "Models return data; only email templates, which models render, are imported from components.",
            },
            {
              target: ["./app/routes", "./app/components"],
              from: ["./app/lib/db.server.ts", "./app/lib/db-port.server.ts", "./app/lib/db-sqlite.server.ts", "./app/lib/db-postgres.server.ts", "./db"],
              message: "Routes and components reach the data through app/models.",
            },
          ],
        },
      ],
    },
  },
  {
    // A promise nobody awaits is a query run out of order or an error nobody sees.
    files: ["app/**/*.{ts,tsx}", "db/**/*.ts", "tests/**/*.{ts,tsx}"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: ["app/components/**/*.{ts,tsx}", "app/routes/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [dataLayer] }] },
  },
  {
    files: ["app/components/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [serverModule, dataLayer] }] },
  },
  {
    // Modules without `.server` are bundled for the browser as well.
    files: ["app/models/**/*.{ts,tsx}", "app/lib/**/*.{ts,tsx}"],
    ignores: ["app/**/*.server.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", { patterns: [serverModule] }] },
  },
  {
    files: ["app/lib/**/*.server.{ts,tsx}"],
    ignores: libAtTheEdge,
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "(^~/|/)models(/|$)", message: "app/lib sits below the models: a model may call lib, not the other way." }] },
      ],
    },
  },
);
