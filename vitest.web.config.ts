import { defineConfig } from "vitest/config";

// The web client's pure logic (no DOM), in Node: fast, and apart from the Workers pool.
export default defineConfig({
  test: { include: ["test/web/**/*.test.ts"] },
});
