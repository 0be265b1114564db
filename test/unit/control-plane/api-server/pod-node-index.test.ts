// Pods by node (registry/pod-node-index.ts): a kubelet's LIST with fieldSelector=spec.nodeName reads
// through the index and returns exactly what a scan of every pod returns, across binding, deletion,
// an etcd restore and a pod that tries to mislead the index.
import { describe, expect, it } from "vitest";
import { withSql } from "../../helpers";
import { Etcd } from "../../../../src/control-plane/etcd/store";
import { Registry } from "../../../../src/control-plane/api-server/registry/store";
import { findResource } from "../../../../src/control-plane/api-server/resources";
import { parseFieldSelector } from "../../../../src/control-plane/api-server/selectors";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";

const pods = findResource("", "v1", "pods")!;
const namespaces = findResource("", "v1", "namespaces")!;
const ctx = () => ({ user: { username: "admin", groups: ["system:masters"] }, now: new Date("2026-12-06T08:00:00Z") });
const pod = (name: string, nodeName?: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "v1", kind: "Pod", metadata: { name, annotations },
  spec: { nodeName, containers: [{ name: "c", image: "nginx:1.27" }] },
});

function names(reg: Registry, node: string, ns?: string, scan = false): string[] {
  const fieldSelector = parseFieldSelector(`spec.nodeName=${node}`);
  // A limit makes the registry page through a scan instead of the index: the reference.
  return reg.list(pods, ns, scan ? { fieldSelector, limit: 1_000_000 } : { fieldSelector }).items.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
}

describe("pods by node", () => {
  it("lists a node's pods as a scan would, through binding, deletion, restore and a misleading annotation", async () => {
    await withSql((sql) => {
      const etcd = new Etcd(sql);
      const reg = new Registry(etcd);
      for (const ns of ["default", "other"]) reg.create(namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, ctx());
      const same = (node: string, ns?: string) => expect(names(reg, node, ns)).toEqual(names(reg, node, ns, true));

      for (let i = 0; i < 30; i++) reg.create(pods, i % 3 === 0 ? "other" : "default", pod(`p${i}`, `node-${i % 4}`), ctx());
      reg.create(pods, "default", pod("pending"), ctx());
      // An annotation written to look like the field: the index must read spec.nodeName.
      reg.create(pods, "default", pod("liar", "node-1", { nodeName: "node-2", x: '"nodeName":"node-3"' }), ctx());
      for (const n of ["node-0", "node-1", "node-2", "node-3", "node-9"]) { same(n); same(n, "default"); same(n, "other"); }
      expect(names(reg, "node-1")).toContain("default/liar");
      expect(names(reg, "node-2")).not.toContain("default/liar");
      expect(names(reg, "node-0", "other").every((n) => n.startsWith("other/"))).toBe(true);

      // Bound later (the scheduler's binding), then written again (a status update), then deleted.
      reg.guaranteedUpdate(pods, "default", "pending", ctx(), (cur) => ({ ...cur, spec: { ...cur.spec, nodeName: "node-3" } }));
      expect(names(reg, "node-3")).toContain("default/pending");
      reg.guaranteedUpdate(pods, "default", "pending", ctx(), (cur) => ({ ...cur, status: { phase: "Running" } }));
      same("node-3");
      reg.delete(pods, "default", "p1", ctx(), { gracePeriodSeconds: 0 });
      expect(names(reg, "node-1")).not.toContain("default/p1");
      same("node-1");

      // A restore rewrites everything behind the index's back: it is built again.
      const snap = etcd.snapshot();
      reg.create(pods, "default", pod("after-snapshot", "node-2"), ctx());
      expect(names(reg, "node-2")).toContain("default/after-snapshot");
      etcd.restore(snap);
      expect(names(reg, "node-2")).not.toContain("default/after-snapshot");
      for (const n of ["node-0", "node-1", "node-2", "node-3"]) same(n);
      // Bounded by the pods that exist.
      expect(reg.podsByNode.size()).toBe(reg.list(pods, undefined).items.filter((p) => p.spec.nodeName).length);
    });
  });
});
