// The code's shape, checked in `npm test` (issue #15): no source file over 400 lines, no import
// cycle between files (type-only imports excepted: they vanish at compile time), and no import from
// a lower layer of the architecture to a higher one. The layers are the map a student learns:
// etcd, then the API server, then what talks to it (scheduler, node), then the controller
// managers, then the classroom that hosts them all, then the Worker's HTTP API (src/api/: its
// routes, one sub-app per area), then the Worker's entry point.
//   node scripts/check-structure.mjs        exits 1 with one line per finding
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const MAX_LINES = 400;
const TREES = ["src", "web/src"];

/** Layer of each component of src/ (a file's component: its first folder, or two under control-plane/). */
const LAYERS = {
  "control-plane/etcd": 0,
  "control-plane/api-server": 1,
  "control-plane": 1, // control-plane/faults.ts: the guard every component uses
  "control-plane/scheduler": 2,
  node: 2,
  "control-plane/controller-manager": 3,
  "control-plane/cloud-controller-manager": 4,
  classroom: 5,
  api: 6,
  "index.ts": 7,
};

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Relative imports that stay at run time: `import type` and `export type` are left out. */
function valueImports(file, text) {
  const out = [];
  const re = /^(?:import|export)\s+(type\s+)?(?:[^;]*?\s+from\s+)?"(\.[^"]+)"/gms;
  for (const m of text.matchAll(re)) {
    if (m[1]) continue;
    const base = normalize(join(dirname(file), m[2]));
    const target = [`${base}.ts`, `${base}.tsx`, join(base, "index.ts"), base].find((c) => existsSync(c) && statSync(c).isFile());
    if (target) out.push(target);
  }
  return out;
}

function componentOf(file) {
  const parts = relative(join(ROOT, "src"), file).split(sep);
  if (parts.length === 1) return parts[0];
  if (parts[0] === "control-plane") return parts.length > 2 ? `control-plane/${parts[1]}` : "control-plane";
  return parts[0];
}

const findings = [];
const graph = new Map();
for (const tree of TREES) {
  for (const file of files(join(ROOT, tree))) {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_LINES) findings.push(`${relative(ROOT, file)}: ${lines} lines (at most ${MAX_LINES})`);
    graph.set(file, valueImports(file, text));
    if (tree !== "src") continue;
    const from = componentOf(file);
    for (const m of text.matchAll(/^(?:import|export)\s+(?:type\s+)?(?:[^;]*?\s+from\s+)?"(\.[^"]+)"/gms)) {
      const target = normalize(join(dirname(file), m[1]));
      if (!target.startsWith(join(ROOT, "src") + sep)) continue;
      const to = componentOf(`${target}.ts`);
      if (from === to) continue;
      if (LAYERS[from] === undefined || LAYERS[to] === undefined) findings.push(`${relative(ROOT, file)}: component ${LAYERS[from] === undefined ? from : to} has no layer in scripts/check-structure.mjs`);
      else if (LAYERS[to] > LAYERS[from] || (LAYERS[to] === LAYERS[from] && from !== to)) findings.push(`${relative(ROOT, file)}: ${from} imports ${m[1]} of ${to}, a layer above or beside it`);
    }
  }
}

// Cycles: Tarjan's strongly connected components over the value imports.
let index = 0;
const idx = new Map(), low = new Map(), stack = [], on = new Set();
function connect(v) {
  idx.set(v, index); low.set(v, index); index++;
  stack.push(v); on.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) { connect(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) !== idx.get(v)) return;
  const scc = [];
  let w;
  do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
  if (scc.length > 1) findings.push(`import cycle: ${scc.map((f) => relative(ROOT, f)).sort().join(" <-> ")}`);
}
for (const v of graph.keys()) if (!idx.has(v)) connect(v);

if (findings.length) {
  for (const f of findings) console.error(f);
  console.error(`check-structure: ${findings.length} finding(s)`);
  process.exit(1);
}
console.log(`check-structure: ${graph.size} files, none over ${MAX_LINES} lines, no import cycle, no import against the layers`);
