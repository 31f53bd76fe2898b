// Lint rules: recommended JavaScript and TypeScript checks, plus the layers of DESIGN.md section 2.
// Layers are checked on import paths with eslint's own no-restricted-imports, one pattern set per
// folder. Flat config replaces a rule's options per matching block instead of merging them, so each
// folder's block lists every restriction that applies to it.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

// Each pattern is matched against the import path as written (relative paths included).
const onlyTheContract = {
  regex: "(^|/)host(/(?!contract(\\.ts)?$).*)?$",
  message: "Module code reaches the host only through host/contract.ts.",
};
const noRoutes = {
  regex: "(^|/)routes(/|$)",
  message: "Routes call services and models, never the other way round.",
};
const noExpress = {
  regex: "^express($|/|-)",
  message: "Services and models know nothing of HTTP: throw domain errors and let the routes answer.",
};
const noServices = {
  regex: "(^|/)services(/|$)",
  message: "Models hold data; services use them, not the other way round.",
};
const noModule = {
  regex: "(^|/)module(/|$)",
  message: "The host reaches modules only through the loader, by the path in their manifest.",
};

const onlyTheApi = {
  regex: "(^|/)module/(?!api(\\.ts)?$)",
  message: "An integrating module uses the livechat module only through module/api.ts.",
};

const restrict = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

const moduleCode = ["module/**/*.{ts,tsx}", "test/fixtures/**/*.{ts,tsx}"];

export default defineConfig(
  { ignores: ["node_modules/**", "var/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // Leaving out a field by destructuring it into a rest object is how a record is copied without it.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
    },
  },
  {
    files: ["test/**/*.ts"],
    // chai asserts with property getters (`expect(list).to.be.empty`), which read as unused expressions.
    rules: { "@typescript-eslint/no-unused-expressions": "off" },
  },
  {
    files: ["host/loader/**/*.{ts,tsx}"],
    // The loader requires modules and their migrations by the paths their manifests give, at run time.
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  { files: moduleCode, rules: { "@typescript-eslint/no-explicit-any": "error", ...restrict(onlyTheContract) } },
  { files: ["test/fixtures/**/*.{ts,tsx}"], rules: restrict(onlyTheContract, onlyTheApi) },
  { files: ["module/services/**/*.{ts,tsx}"], rules: restrict(onlyTheContract, noRoutes, noExpress) },
  { files: ["module/models/**/*.{ts,tsx}"], rules: restrict(onlyTheContract, noRoutes, noServices, noExpress) },
  { files: ["host/**/*.{ts,tsx}"], rules: restrict(noModule) },
);
