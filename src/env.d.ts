// The Worker's bindings (wrangler.toml), declared once for the Worker and both Durable Objects,
// the way `wrangler types` declares them. A declaration file, so it can name the two classes
// without importing them: the bindings sit above every layer, as wrangler.toml does.
interface Env {
  /** One object per classroom: its control plane (src/classroom/classroom-object.ts). */
  CLASSROOM: DurableObjectNamespace<import("./classroom/classroom-object").ClassroomObject>;
  /** One object per worker node: its kubelet, kube-proxy and container runtime (src/node/node-object.ts). */
  NODE: DurableObjectNamespace<import("./node/node-object").NodeObject>;
  /** The web client's files (dist/web, built by scripts/build-web.mjs). */
  ASSETS: Fetcher;
}
