import { describe, expect, it } from "vitest";
import { Etcd } from "../../src/control-plane/etcd/store";
import { recordEvent } from "../../src/control-plane/api-server/events";
import { Registry } from "../../src/control-plane/api-server/registry/store";
import { findResource } from "../../src/control-plane/api-server/resources";
import { withSql } from "./helpers";

const admin = { username: "t", groups: ["system:masters"] };

describe("event recorder", () => {
  it("records an Event about an object and counts repeats on it", () =>
    withSql((sql) => {
      const reg = new Registry(new Etcd(sql));
      const t0 = new Date("2026-11-21T10:00:00Z");
      reg.create(findResource("", "v1", "namespaces")!, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, { user: admin, now: t0 });
      const pod = reg.create(findResource("", "v1", "pods")!, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "nginx" }] } }, { user: admin, now: t0 });
      const first = recordEvent(reg, { regarding: pod, reason: "BackOff", message: "Back-off restarting failed container", type: "Warning", component: "kubelet", host: "node-1", now: t0 })!;
      expect(first).toMatchObject({ reason: "BackOff", type: "Warning", count: 1, involvedObject: { kind: "Pod", name: "web", uid: pod.metadata.uid }, source: { component: "kubelet", host: "node-1" } });
      expect(first.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
      const again = recordEvent(reg, { regarding: pod, reason: "BackOff", message: "Back-off restarting failed container", type: "Warning", component: "kubelet", host: "node-1", now: new Date("2026-11-21T10:01:00Z") })!;
      expect(again.metadata.name).toBe(first.metadata.name);
      expect(again).toMatchObject({ count: 2, firstTimestamp: "2026-11-21T10:00:00Z", lastTimestamp: "2026-11-21T10:01:00Z" });
      recordEvent(reg, { regarding: pod, reason: "Pulled", message: "Successfully pulled image", component: "kubelet", host: "node-1", now: t0 });
      expect(reg.list(findResource("", "v1", "events")!, "default").items).toHaveLength(2);
    }));
});
