import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Unit and Durable Object tests run inside workerd, the runtime that serves production.
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
  test: {
    include: ["test/unit/**/*.test.ts"],
    benchmark: { include: ["bench/**/*.bench.ts"] },
  },
});
