// ESLint for every JavaScript file of the project; `./atlas test` runs it like ruff and fails on
// any problem (src/atlas/testing/jslint.py). Pinned in package.json / package-lock.json and
// installed into node_modules/ by the set-up (src/atlas/provision/jstools.py).
//
//   site-src/assets/js/   the browser code: ES modules (the theme loads them as type="module");
//                         pyworker.js is a module Web Worker
//   **/*.mjs              Node scripts: the set-up's Pyodide helpers and the tests' Node driver
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    // Not ours (vendored, built, installed) or not source.
    ignores: [
      "site-src/assets/vendor/**",
      "site-src/assets/wheels/**",
      "site/**",
      "site.*/**",
      "node_modules/**",
      ".venv/**",
      ".state/**",
      "test-artifacts/**",
    ],
  },
  js.configs.recommended,
  {
    files: ["site-src/assets/js/**/*.js"],
    languageOptions: { sourceType: "module", globals: globals.browser },
  },
  {
    files: ["site-src/assets/js/pyworker.js"],
    languageOptions: { globals: globals.worker },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
  {
    // One style: ES modules with const/let, strict equality, no stray globals.
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
      "no-shadow": "error",
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      "no-use-before-define": ["error", { functions: false, classes: true, variables: true }],
      "object-shorthand": ["error", "always"],
      "prefer-template": "off",
      curly: ["error", "multi-line"],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
];
