import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Unit and Durable Object tests run inside workerd, the runtime that serves production.
export default defineConfig({
  plugins: [cloudflareTest({
    wrangler: { configPath: "./wrangler.toml" },
    // The hostile-student property test reads its run count and seed from here (HOSTILE_RUNS=5000 for the long run).
    miniflare: { bindings: { HOSTILE_RUNS: process.env.HOSTILE_RUNS ?? "", HOSTILE_SEED: process.env.HOSTILE_SEED ?? "", HOSTILE_TRACE: process.env.HOSTILE_TRACE ?? "", HOSTILE_ONLY: process.env.HOSTILE_ONLY ?? "" } },
  })],
  test: {
    include: ["test/unit/**/*.test.ts"],
    // Whole-cluster tests run many simulated minutes; on a 2-core CI machine 5 s is too tight.
    testTimeout: 30_000,
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
