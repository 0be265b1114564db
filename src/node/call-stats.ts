// What a node's kubelet costs the control plane: its API calls counted by verb and resource, as
// kube-apiserver's apiserver_request_total{verb,resource,subresource} counts them (and as the
// kubelet's own rest_client_requests_total would). In memory, bounded: a few keys per node.

/** Distinct verb+resource keys kept; anything past them is counted under "other". */
export const MAX_CALL_KEYS = 32;

/** "GET pods", "PUT pods/status", "PATCH leases": the verb and resource[/subresource] of a path. */
export function callKey(method: string, path: string): string {
  const parts = path.split("?")[0].split("/").filter(Boolean);
  // /api/v1/... or /apis/<group>/<version>/...
  let rest = parts[0] === "api" ? parts.slice(2) : parts.slice(3);
  if (rest[0] === "namespaces" && rest.length >= 3) rest = rest.slice(2);
  const resource = rest[0] ?? "";
  const sub = rest[2];
  const list = rest.length === 1;
  const verb = method === "GET" ? (list ? "LIST" : "GET") : method;
  return `${verb} ${resource}${sub ? `/${sub}` : ""}`;
}

export class CallStats {
  private readonly counts = new Map<string, number>();
  batches = 0;

  record(method: string, path: string): void {
    let key = callKey(method, path);
    if (!this.counts.has(key) && this.counts.size >= MAX_CALL_KEYS) key = "other";
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): { batches: number; calls: Record<string, number>; total: number } {
    const calls = Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
    return { batches: this.batches, calls, total: [...this.counts.values()].reduce((a, b) => a + b, 0) };
  }

  reset(): void {
    this.counts.clear();
    this.batches = 0;
  }
}
