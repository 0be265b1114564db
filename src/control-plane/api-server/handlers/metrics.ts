// metrics.k8s.io/v1beta1, what metrics-server serves and `kubectl top` reads: current cpu and
// memory use of each node and pod, as the kubelets measure it (simulated here).
import { jsonResponse } from "../codec";
import { NODES, PODS } from "../resources";
import { errors } from "../status";
import type { KubeObject } from "../types";
import type { ReqCtx } from "./context";
import { selectorsFrom } from "./rest";

export interface NodeUsageReport {
  node: string;
  cpuMillis: number;
  memoryBytes: number;
  pods: { namespace: string; name: string; containers: { name: string; cpuMillis: number; memoryBytes: number }[] }[];
}

export type MetricsSource = () => Promise<NodeUsageReport[]>;

const WINDOW = "20.05s"; // metrics-server's default resolution window, as it reports it
const cpu = (m: number) => `${Math.round(m * 1_000_000)}n`;
const mem = (b: number) => `${Math.round(b / 1024)}Ki`;

export async function serveMetrics(c: ReqCtx, source: MetricsSource | undefined): Promise<Response> {
  if (c.info.verb !== "get" && c.info.verb !== "list") throw errors.methodNotAllowed();
  const reports = source ? await source() : [];
  const ts = c.now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const { labelSelector } = selectorsFrom(c);
  let items: KubeObject[];
  if (c.r.plural === "nodes") {
    const nodes = c.registry.list(NODES, undefined).items;
    const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
    items = reports.filter((r) => byName.has(r.node)).map((r) => ({
      kind: "NodeMetrics", apiVersion: "metrics.k8s.io/v1beta1",
      metadata: { name: r.node, creationTimestamp: ts, labels: byName.get(r.node)!.metadata.labels ?? {} },
      timestamp: ts, window: WINDOW, usage: { cpu: cpu(r.cpuMillis), memory: mem(r.memoryBytes) },
    }));
  } else {
    const pods = c.registry.list(PODS, c.info.namespace).items;
    const byKey = new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
    items = reports.flatMap((r) => r.pods).filter((p) => byKey.has(`${p.namespace}/${p.name}`)).map((p) => ({
      kind: "PodMetrics", apiVersion: "metrics.k8s.io/v1beta1",
      metadata: { name: p.name, namespace: p.namespace, creationTimestamp: ts, labels: byKey.get(`${p.namespace}/${p.name}`)!.metadata.labels ?? {} },
      timestamp: ts, window: WINDOW, containers: p.containers.map((x) => ({ name: x.name, usage: { cpu: cpu(x.cpuMillis), memory: mem(x.memoryBytes) } })),
    }));
  }
  if (labelSelector) items = items.filter((i) => labelSelector.matches(i.metadata.labels));
  if (c.info.name) {
    const one = items.find((i) => i.metadata.name === c.info.name);
    if (!one) throw errors.notFound({ plural: c.r.plural, group: "metrics.k8s.io" }, c.info.name);
    return jsonResponse(one);
  }
  items.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  return jsonResponse({ kind: c.r.plural === "nodes" ? "NodeMetricsList" : "PodMetricsList", apiVersion: "metrics.k8s.io/v1beta1", metadata: {}, items });
}
