// The project's lint rules (issue #15): typescript-eslint's recommended set, with the exceptions
// below said and why. `npm run lint` runs in `npm test`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", ".wrangler/**", "node_modules/**", "load/bare/**", "**/*.d.mts"] },
  // A disable comment that no longer disables anything is an error: the list below stays true.
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    rules: {
      // Objects are typed (api-server/objects/). `any` is left only at the JSON boundaries, each with
      // an eslint-disable comment: KubeObject (an object of any kind, api-server/types.ts), a request
      // body before validation and defaulting (validation/helpers.ts, defaults/util.ts), an API reply
      // to the kubelet (node/api-client.ts) and the live feed's objects (classroom/live-protocol.ts).
      "@typescript-eslint/no-explicit-any": "error",
      // `_name` marks a parameter kept for the signature's sake.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      // A `let` read by a closure made before its one assignment (a stream's callbacks) stays `let`.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      "no-duplicate-imports": ["error", { allowSeparateTypeImports: true }],
    },
  },
  {
    // Tests and benches read API replies and build hostile inputs: JSON of any shape.
    files: ["test/**", "bench/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.{js,mjs}"],
    languageOptions: { globals: { console: "readonly", process: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", performance: "readonly", fetch: "readonly", AbortController: "readonly", AbortSignal: "readonly", Buffer: "readonly", WebSocket: "readonly", TextDecoder: "readonly", TextEncoder: "readonly" } },
  },
);
