// How the control plane reaches into the data plane: container logs and metrics from a node's
// kubelet, and requests routed through a node's kube-proxy. All by RPC to the node objects.
import type { LogRequest } from "../control-plane/api-server/handlers/context";
import type { NodeUsageReport } from "../control-plane/api-server/handlers/metrics";
import type { Registry } from "../control-plane/api-server/registry/store";
import { PODS } from "../control-plane/api-server/resources";
import { errors } from "../control-plane/api-server/status";
import type { KubeObject } from "../control-plane/api-server/types";
import type { RouteResult } from "../node/kube-proxy";
import type { NodeObject } from "../node/node-object";
import type { NodeFleet } from "./fleet/fleet";

export interface ProxyInput {
  from?: { pod?: { namespace?: string; name: string }; node?: string; ip?: string };
  to: { service?: { namespace: string; name: string; port?: number | string }; clusterIP?: string; port?: number; nodePort?: number; externalIP?: string; node?: string };
}

export class DataPlane {
  constructor(
    private readonly fleet: NodeFleet,
    private readonly reg: Registry,
    private readonly node: (name: string) => DurableObjectStub<NodeObject>,
    private readonly now: () => number,
  ) {}

  async podLogs(req: LogRequest, pod: KubeObject): Promise<Response | string> {
    const node = pod.spec?.nodeName;
    if (!node || !this.fleet.get(node)) return "";
    const res = await this.node(node).logs({ ...req, uid: pod.metadata.uid!, container: req.container ?? "", previous: req.previous, timestamps: req.timestamps, follow: req.follow, now: this.now() });
    if ("error" in res) {
      return new Response(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: res.error, reason: "BadRequest", code: 400 }), { status: 400, headers: { "Content-Type": "application/json" } });
    }
    if ("stream" in res) return new Response(res.stream, { headers: { "Content-Type": "text/plain", "Content-Encoding": "identity" } });
    return res.text;
  }

  async metrics(): Promise<NodeUsageReport[]> {
    const now = this.now();
    const out: NodeUsageReport[] = [];
    // metrics-server cannot scrape a partitioned kubelet either.
    for (const name of this.fleet.list().filter((m) => m.state === "running").map((m) => m.name)) {
      const u = await this.node(name).metrics(now);
      if (u) out.push({ node: name, cpuMillis: u.node.cpuMillis, memoryBytes: u.node.memoryBytes, pods: u.pods });
    }
    return out;
  }

  /**
   * As a pod, a node or an outside client would: through the kube-proxy of the node it enters by.
   * What the network does to it (refused, timed out) is the answer; a sender that is not there is
   * the request refused.
   */
  async proxyRequest(input: ProxyInput): Promise<RouteResult> {
    const reg = this.reg;
    const now = this.now();
    let node: string | undefined;
    let from: { kind: "pod" | "node" | "external"; ip: string };
    if (input.from?.pod) {
      const p = reg.tryGet(PODS, input.from.pod.namespace ?? "default", input.from.pod.name);
      if (!p) throw errors.badRequest(`pod "${input.from.pod.name}" not found`);
      if (!p.spec?.nodeName || !p.status?.podIP) throw errors.conflictMessage(`pod "${input.from.pod.name}" is not running yet`);
      node = p.spec.nodeName;
      from = { kind: "pod", ip: p.status.podIP };
    } else if (input.from?.node) {
      node = input.from.node;
      from = { kind: "node", ip: this.fleet.get(node)?.config.internalIP ?? "" };
    } else {
      node = input.to.node ?? this.fleet.running()[0];
      from = { kind: "external", ip: input.from?.ip ?? "203.0.113.10" };
    }
    if (!node || !this.fleet.running().includes(node)) throw errors.badRequest(`node "${node ?? ""}" is not running`);
    const { node: _n, ...to } = input.to;
    return this.node(node).proxy({ from, to, now });
  }
}
