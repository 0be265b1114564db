// The node's API client: replies as objects or as unparsed text (parsed on the node's thread), and
// its call counters by verb and resource, bounded.
import { describe, expect, it } from "vitest";
import { ApiClient, type ApiCall, type ControlPlane } from "../../../../src/node/api-client";
import { CallStats, callKey, MAX_CALL_KEYS } from "../../../../src/node/call-stats";
import { MAX_HINTED_NODES, PodsDirty } from "../../../../src/node/sync-hints";

describe("kubelet: API client", () => {
  it("takes replies as objects or as text, and counts each call by verb and resource", async () => {
    const plane: ControlPlane = {
      apiBatch: async (_token: string, calls: ApiCall[]) => calls.map((c, i) => (i % 2 === 0 ? { status: 200, text: JSON.stringify({ path: c.path }) } : { status: 201, body: { path: c.path } })),
    };
    const stats = new CallStats();
    const api = new ApiClient(plane, "t", stats);
    const replies = await api.batch([
      { method: "GET", path: "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1" },
      { method: "PUT", path: "/api/v1/namespaces/default/pods/web/status", body: {} },
      { method: "PATCH", path: "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1", body: {} },
    ]);
    expect(replies).toEqual([
      { status: 200, body: { path: "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1" } },
      { status: 201, body: { path: "/api/v1/namespaces/default/pods/web/status" } },
      { status: 200, body: { path: "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1" } },
    ]);
    expect(stats.snapshot()).toEqual({ batches: 1, calls: { "LIST pods": 1, "PATCH leases": 1, "PUT pods/status": 1 }, total: 3 });
    expect(await api.batch([])).toEqual([]);
    expect(stats.snapshot().batches).toBe(1);
  });

  it("names calls as the API server's request metrics do", () => {
    expect(callKey("GET", "/api/v1/namespaces/default/pods/web")).toBe("GET pods");
    expect(callKey("PUT", "/api/v1/nodes/node-1/status")).toBe("PUT nodes/status");
    expect(callKey("POST", "/api/v1/namespaces/default/events")).toBe("POST events");
    expect(callKey("GET", "/apis/discovery.k8s.io/v1/endpointslices")).toBe("LIST endpointslices");
  });

  it("keeps at most MAX_CALL_KEYS keys, then counts under other", () => {
    const stats = new CallStats();
    for (let i = 0; i < MAX_CALL_KEYS + 10; i++) stats.record("GET", `/api/v1/thing${i}`);
    const snap = stats.snapshot();
    expect(Object.keys(snap.calls)).toHaveLength(MAX_CALL_KEYS + 1);
    expect(snap.calls.other).toBe(10);
    expect(snap.total).toBe(MAX_CALL_KEYS + 10);
    stats.reset();
    expect(stats.snapshot().total).toBe(0);
  });
});

describe("kubelet: sync hints (which kubelets have news)", () => {
  it("a node lists at its first sync, then only after a change; a failed sync keeps the news", () => {
    const h = new PodsDirty();
    expect(h.take("node-1")).toEqual({ podsChanged: true }); // first sync since the classroom started
    expect(h.take("node-1")).toEqual({ podsChanged: false });
    h.mark("node-1");
    const hint = h.take("node-1");
    expect(hint).toEqual({ podsChanged: true });
    h.failed("node-1", hint);
    expect(h.take("node-1")).toEqual({ podsChanged: true });
    expect(h.take("node-1")).toEqual({ podsChanged: false });
    h.forget("node-1");
    expect(h.take("node-1")).toEqual({ podsChanged: true });
  });

  it("is bounded: past MAX_HINTED_NODES names it forgets everything, and every node lists again", () => {
    const h = new PodsDirty();
    expect(h.take("node-1").podsChanged).toBe(true);
    for (let i = 0; i < MAX_HINTED_NODES + 10; i++) h.mark(`ghost-${i}`);
    expect(h.size).toBeLessThanOrEqual(MAX_HINTED_NODES);
    expect(h.take("node-1").podsChanged).toBe(true);
  });
});
