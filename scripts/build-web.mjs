#!/usr/bin/env node
// Builds the web client: web/src (Preact + TypeScript) bundled by esbuild into dist/web, next to
// the static files of web/public. wrangler serves dist/web as the Worker's assets; wrangler.toml's
// [build] runs this before `wrangler dev` and `wrangler deploy`, so the bundle is never stale.
import { build } from "esbuild";
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist/web");

// Written in place (no clean first): a running `wrangler dev` keeps serving the previous files
// until the new ones land, instead of finding an empty folder mid-build.
mkdirSync(OUT, { recursive: true });
cpSync(join(ROOT, "web/public"), OUT, { recursive: true });
const result = await build({
  entryPoints: [join(ROOT, "web/src/main.tsx")],
  bundle: true,
  outfile: join(OUT, "app.js"),
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: true,
  sourcemap: true,
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`web: dist/web/app.js ${(bytes / 1024).toFixed(0)} KiB`);
