import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyMergePatch, applyStrategicMergePatch, PatchError } from "../../../../../src/control-plane/api-server/patch";
import type { KubeObject } from "../../../../../src/control-plane/api-server/types";

const deployment = (containers: unknown[], extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", labels: { app: "web" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: "web" } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers, ...extra } },
  },
});
const podSpec = (o: KubeObject) => o.spec.template.spec;
const names = (list: { name: string }[]) => list.map((c) => c.name);

function fails(fn: () => unknown, code: number, message?: string | RegExp) {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PatchError);
    expect((e as PatchError).code).toBe(code);
    if (message) expect((e as PatchError).message).toMatch(message);
    return;
  }
  throw new Error("expected failure");
}

describe("strategic merge patch: what kubectl sends", () => {
  it("client-side apply: $setElementOrder with the changed container and the new annotation", () => {
    const live = deployment([{ name: "nginx", image: "nginx:1.24", imagePullPolicy: "IfNotPresent", ports: [{ containerPort: 80, protocol: "TCP" }] }]);
    const lastApplied = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}';
    const out = applyStrategicMergePatch(live, {
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": lastApplied } },
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "nginx" }], containers: [{ image: "nginx:1.25", name: "nginx" }] } } },
    });
    expect(out.metadata.annotations).toEqual({ "kubectl.kubernetes.io/last-applied-configuration": lastApplied });
    expect(podSpec(out).containers).toEqual([
      { name: "nginx", image: "nginx:1.25", imagePullPolicy: "IfNotPresent", ports: [{ containerPort: 80, protocol: "TCP" }] },
    ]);
    expect(out.spec.replicas).toBe(2);
    expect(Object.keys(podSpec(out))).toEqual(["containers"]); // no directive keys leak into the object
  });

  it("client-side apply removing a container: $patch delete plus $setElementOrder", () => {
    const live = deployment([{ name: "a", image: "a" }, { name: "b", image: "b" }, { name: "c", image: "c" }]);
    const out = applyStrategicMergePatch(live, {
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "a" }, { name: "c" }], containers: [{ $patch: "delete", name: "b" }] } } },
    });
    expect(podSpec(out).containers).toEqual([{ name: "a", image: "a" }, { name: "c", image: "c" }]);
  });

  it("kubectl set image merges the container by name", () => {
    const live = deployment([{ name: "nginx", image: "nginx:1.24" }, { name: "sidecar", image: "busybox" }]);
    const out = applyStrategicMergePatch(live, { spec: { template: { spec: { containers: [{ image: "nginx:1.25", name: "nginx" }] } } } });
    expect(podSpec(out).containers).toEqual([{ name: "nginx", image: "nginx:1.25" }, { name: "sidecar", image: "busybox" }]);
  });

  it("kubectl rollout restart adds the restartedAt template annotation", () => {
    const live = deployment([{ name: "nginx", image: "nginx" }]);
    const out = applyStrategicMergePatch(live, {
      spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z" } } } },
    });
    expect(out.spec.template.metadata).toEqual({
      labels: { app: "web" },
      annotations: { "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z" },
    });
  });

  it("kubectl cordon / uncordon", () => {
    const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: { podCIDR: "10.0.0.0/24" } };
    const cordoned = applyStrategicMergePatch(node, { spec: { unschedulable: true } });
    expect(cordoned.spec).toEqual({ podCIDR: "10.0.0.0/24", unschedulable: true });
    expect(applyStrategicMergePatch(cordoned, { spec: { unschedulable: null } }).spec).toEqual({ podCIDR: "10.0.0.0/24" });
  });

  it("client-side apply switching to Recreate: $retainKeys on spec.strategy", () => {
    const live = deployment([{ name: "nginx", image: "nginx" }]);
    const out = applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" } } });
    expect(out.spec.strategy).toEqual({ type: "Recreate" });
    // The docs example: $retainKeys without the explicit null clears rollingUpdate as well.
    expect(applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } }).spec.strategy).toEqual({ type: "Recreate" });
  });
});

describe("strategic merge patch: merge keys", () => {
  it("prepends a container that is new to the list (kubectl patch docs: patch-demo-ctr-2 lands first)", () => {
    const live = deployment([{ name: "patch-demo-ctr", image: "nginx" }]);
    const out = applyStrategicMergePatch(live, { spec: { template: { spec: { containers: [{ name: "patch-demo-ctr-2", image: "redis" }] } } } });
    expect(names(podSpec(out).containers)).toEqual(["patch-demo-ctr-2", "patch-demo-ctr"]);
  });

  it("replaces tolerations whole (kubectl patch docs), as lists without a patch strategy", () => {
    const live = deployment([{ name: "c", image: "i" }], { tolerations: [{ effect: "NoSchedule", key: "dedicated", value: "test-team" }] });
    const out = applyStrategicMergePatch(live, { spec: { template: { spec: { tolerations: [{ effect: "NoSchedule", key: "disktype", value: "ssd" }] } } } });
    expect(podSpec(out).tolerations).toEqual([{ effect: "NoSchedule", key: "disktype", value: "ssd" }]);
  });

  it("merges env by name, ports by containerPort, volumeMounts by mountPath; replaces args, command and envFrom", () => {
    const live = deployment([
      {
        name: "app",
        image: "app",
        args: ["--a"],
        command: ["/bin/app"],
        envFrom: [{ configMapRef: { name: "one" } }],
        env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
        ports: [{ containerPort: 80, protocol: "TCP", name: "http" }],
        volumeMounts: [{ mountPath: "/data", name: "data" }],
        volumeDevices: [{ devicePath: "/dev/xvda", name: "blk" }],
      },
    ]);
    const out = applyStrategicMergePatch(live, {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "app",
                args: ["--b"],
                command: ["/bin/other"],
                envFrom: [{ secretRef: { name: "two" } }],
                env: [{ name: "B", value: "3" }, { name: "A", $patch: "delete" }],
                ports: [{ containerPort: 80, name: "web" }, { containerPort: 443 }],
                volumeMounts: [{ mountPath: "/data", readOnly: true }],
                volumeDevices: [{ devicePath: "/dev/xvdb", name: "blk2" }],
              },
            ],
          },
        },
      },
    });
    const c = podSpec(out).containers[0];
    expect(c.args).toEqual(["--b"]);
    expect(c.command).toEqual(["/bin/other"]);
    expect(c.envFrom).toEqual([{ secretRef: { name: "two" } }]);
    expect(c.env).toEqual([{ name: "B", value: "3" }]);
    expect(c.ports).toEqual([{ containerPort: 80, protocol: "TCP", name: "web" }, { containerPort: 443 }]);
    expect(c.volumeMounts).toEqual([{ mountPath: "/data", name: "data", readOnly: true }]);
    expect(c.volumeDevices).toEqual([{ devicePath: "/dev/xvdb", name: "blk2" }, { devicePath: "/dev/xvda", name: "blk" }]);
  });

  it("merges volumes, imagePullSecrets and hostAliases by their keys, and initContainers by name", () => {
    const live = deployment([{ name: "c", image: "i" }], {
      volumes: [{ name: "data", emptyDir: {} }],
      imagePullSecrets: [{ name: "reg1" }],
      hostAliases: [{ ip: "10.0.0.1", hostnames: ["a"] }],
      initContainers: [{ name: "init", image: "busybox" }],
    });
    const out = applyStrategicMergePatch(live, {
      spec: {
        template: {
          spec: {
            volumes: [{ name: "data", $retainKeys: ["configMap", "name"], configMap: { name: "cfg" } }],
            imagePullSecrets: [{ name: "reg2" }],
            hostAliases: [{ ip: "10.0.0.1", hostnames: ["b"] }],
            initContainers: [{ name: "init", image: "busybox:1.36" }],
          },
        },
      },
    });
    const s = podSpec(out);
    expect(s.volumes).toEqual([{ name: "data", configMap: { name: "cfg" } }]); // retainKeys dropped emptyDir
    expect(s.imagePullSecrets).toEqual([{ name: "reg2" }, { name: "reg1" }]);
    expect(s.hostAliases).toEqual([{ ip: "10.0.0.1", hostnames: ["b"] }]);
    expect(s.initContainers).toEqual([{ name: "init", image: "busybox:1.36" }]);
  });

  it("merges Service ports by port", () => {
    const svc: KubeObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { selector: { app: "web", tier: "fe" }, ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }] },
    };
    const out = applyStrategicMergePatch(svc, { spec: { selector: { tier: null }, ports: [{ port: 80, targetPort: 9090 }, { port: 443, targetPort: 8443 }] } });
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 9090, protocol: "TCP" }, { port: 443, targetPort: 8443 }]);
    expect(out.spec.selector).toEqual({ app: "web" });
  });

  it("merges status.conditions by type in every kind", () => {
    const cond = (type: string, status: string) => ({ type, status });
    for (const [apiVersion, kind] of [["v1", "Pod"], ["apps/v1", "Deployment"], ["v1", "Node"], ["example.com/v1", "Widget"]]) {
      const obj: KubeObject = { apiVersion, kind, metadata: { name: "x" }, status: { conditions: [cond("Ready", "False"), cond("Other", "True")] } };
      const out = applyStrategicMergePatch(obj, { status: { conditions: [cond("Ready", "True")] } });
      expect(out.status.conditions).toEqual([cond("Ready", "True"), cond("Other", "True")]);
    }
  });

  it("merges ownerReferences by uid and finalizers as a set", () => {
    const obj: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", finalizers: ["a", "b"], ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "p", uid: "u1" }] },
    };
    const out = applyStrategicMergePatch(obj, {
      metadata: { finalizers: ["b", "c"], ownerReferences: [{ uid: "u1", controller: true }, { apiVersion: "v1", kind: "Pod", name: "q", uid: "u2" }] },
    });
    expect(out.metadata.finalizers).toEqual(["a", "b", "c"]);
    expect(out.metadata.ownerReferences).toEqual([
      { apiVersion: "v1", kind: "Pod", name: "p", uid: "u1", controller: true },
      { apiVersion: "v1", kind: "Pod", name: "q", uid: "u2" },
    ]);
    // A value new to a primitive set lands first, like new map items.
    expect(applyStrategicMergePatch(obj, { metadata: { finalizers: ["z"] } }).metadata.finalizers).toEqual(["z", "a", "b"]);
  });

  it("replaces Node taints whole (no patch strategy) and merges podCIDRs as a set", () => {
    const node: KubeObject = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n" },
      spec: { taints: [{ key: "a", effect: "NoSchedule" }], podCIDRs: ["10.0.0.0/24"] },
    };
    const out = applyStrategicMergePatch(node, { spec: { taints: [{ key: "b", effect: "NoExecute" }], podCIDRs: ["fd00::/64"] } });
    expect(out.spec.taints).toEqual([{ key: "b", effect: "NoExecute" }]);
    expect(out.spec.podCIDRs).toEqual(["fd00::/64", "10.0.0.0/24"]);
  });

  it("finds the pod spec under each workload kind", () => {
    const tmpl = { spec: { containers: [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }] } };
    const patch = { spec: { containers: [{ name: "b", image: "b:2" }] } };
    const want = [{ name: "a", image: "a:1" }, { name: "b", image: "b:2" }];
    const cases: [string, string, (t: unknown) => unknown, (p: unknown) => Record<string, unknown>, (o: KubeObject) => unknown][] = [
      ["v1", "Pod", (t) => (t as { spec: unknown }).spec, (p) => p as Record<string, unknown>, (o) => o.spec.containers],
      ...(["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"].map((k) => [
        "apps/v1",
        k,
        (t: unknown) => ({ template: t }),
        (p: unknown) => ({ spec: { template: p } }),
        (o: KubeObject) => o.spec.template.spec.containers,
      ]) as never[]),
      ["batch/v1", "Job", (t) => ({ template: t }), (p) => ({ spec: { template: p } }), (o) => o.spec.template.spec.containers],
      [
        "batch/v1",
        "CronJob",
        (t) => ({ jobTemplate: { spec: { template: t } } }),
        (p) => ({ spec: { jobTemplate: { spec: { template: p } } } }),
        (o) => o.spec.jobTemplate.spec.template.spec.containers,
      ],
    ];
    for (const [apiVersion, kind, wrap, wrapPatch, read] of cases) {
      const spec = kind === "Pod" ? tmpl.spec : wrap(tmpl);
      const obj: KubeObject = { apiVersion, kind, metadata: { name: "x" }, spec };
      expect(read(applyStrategicMergePatch(obj, kind === "Pod" ? (patch as Record<string, unknown>) : wrapPatch(patch)))).toEqual(want);
    }
  });

  it("replaces lists whole for unknown kinds but still honours directives", () => {
    const obj: KubeObject = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { items: [{ name: "a" }], cfg: { x: 1, y: 2 } } };
    const out = applyStrategicMergePatch(obj, { spec: { items: [{ name: "b" }], cfg: { $patch: "replace", z: 3 } } });
    expect(out.spec).toEqual({ items: [{ name: "b" }], cfg: { z: 3 } });
    expect(applyStrategicMergePatch(obj, { spec: { cfg: { $patch: "delete" } } }).spec.cfg).toEqual({});
  });
});

describe("strategic merge patch: directives", () => {
  const live = deployment([{ name: "a", image: "a" }, { name: "b", image: "b" }, { name: "c", image: "c" }]);

  it("$setElementOrder reorders merged and server-only items", () => {
    const out = applyStrategicMergePatch(live, {
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "a" }, { name: "c" }, { name: "b" }], containers: [{ name: "c", image: "c2" }] } } },
    });
    expect(podSpec(out).containers).toEqual([{ name: "a", image: "a" }, { name: "c", image: "c2" }, { name: "b", image: "b" }]);
    const partial = applyStrategicMergePatch(live, { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "c" }, { name: "a" }] } } } });
    // Server-only b sorts before c by live position (1 < 2), so it goes first: [b, c, a], as the Go code does.
    expect(names(podSpec(partial).containers)).toEqual(["b", "c", "a"]);
    const added = applyStrategicMergePatch(live, {
      spec: {
        template: {
          spec: { "$setElementOrder/containers": [{ name: "a" }, { name: "b" }, { name: "c" }, { name: "d" }], containers: [{ name: "d", image: "d" }] },
        },
      },
    });
    expect(names(podSpec(added).containers)).toEqual(["a", "b", "c", "d"]);
  });

  it("$setElementOrder and $deleteFromPrimitiveList on finalizers", () => {
    const obj: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", finalizers: ["a", "b", "x"] } };
    const ordered = applyStrategicMergePatch(obj, { metadata: { "$setElementOrder/finalizers": ["b", "c", "a"], finalizers: ["c"] } });
    expect(ordered.metadata.finalizers).toEqual(["b", "c", "a", "x"]);
    const deleted = applyStrategicMergePatch(obj, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a", "x"] } });
    expect(deleted.metadata.finalizers).toEqual(["b"]);
    const both = applyStrategicMergePatch(obj, {
      metadata: { "$setElementOrder/finalizers": ["b", "c"], "$deleteFromPrimitiveList/finalizers": ["a"], finalizers: ["c"] },
    });
    expect(both.metadata.finalizers).toEqual(["b", "c", "x"]);
  });

  it("$patch: replace on a list item replaces the whole list", () => {
    const out = applyStrategicMergePatch(live, { spec: { template: { spec: { containers: [{ $patch: "replace" }, { name: "z", image: "z" }] } } } });
    expect(podSpec(out).containers).toEqual([{ name: "z", image: "z" }]);
    const emptied = applyStrategicMergePatch(live, { spec: { template: { spec: { containers: [{ $patch: "replace" }] } } } });
    expect(podSpec(emptied).containers).toEqual([]);
  });

  it("$patch: replace and delete on maps", () => {
    const out = applyStrategicMergePatch(live, { metadata: { labels: { $patch: "replace", team: "x" } } });
    expect(out.metadata.labels).toEqual({ team: "x" });
    expect(applyStrategicMergePatch(live, { spec: { strategy: { $patch: "delete" } } }).spec.strategy).toEqual({});
    // A replace at the top level keeps only what the patch says.
    expect(applyStrategicMergePatch(live, { $patch: "replace", apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } })).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
    });
  });

  it("deletes all duplicate entries matching a $patch delete item (k8s test case)", () => {
    const obj: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", ownerReferences: [{ uid: "1" }, { uid: "1" }, { uid: "2", name: "a" }, { uid: "3" }, { uid: "3" }] as never },
    };
    const out = applyStrategicMergePatch(obj, { metadata: { ownerReferences: [{ uid: "1", $patch: "delete" }, { uid: "3", $patch: "delete" }] } });
    expect(out.metadata.ownerReferences).toEqual([{ uid: "2", name: "a" }]);
  });

  it("answers malformed directives with the apiserver's messages (422 where it would say 500: never a 5xx for bad input)", () => {
    fails(() => applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: "type" } } }), 400, "invalid patch format of retainKeys");
    fails(() => applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: { maxSurge: 1 } } } }), 422, "patch content doesn't match retainKeys list");
    fails(() => applyStrategicMergePatch(live, { spec: { template: { spec: { "$setElementOrder/containers": "a" } } } }), 400, "invalid patch format of setElementOrder list");
    fails(() => applyStrategicMergePatch(live, { metadata: { "$deleteFromPrimitiveList/finalizers": "a" } }), 400, "invalid patch format of primitive list");
    fails(() => applyStrategicMergePatch(live, { spec: { template: { spec: { containers: [{ image: "x" }] } } } }), 422, "does not contain declared merge key: name");
    fails(() => applyStrategicMergePatch(live, { spec: { template: { spec: { containers: [{ $patch: "merge" }] } } } }), 422, "merging lists cannot yet be specified");
    fails(() => applyStrategicMergePatch(live, { metadata: { labels: { $patch: "merge" } } }), 422, "Unknown patch type: merge");
    fails(
      () =>
        applyStrategicMergePatch(live, {
          spec: { template: { spec: { "$setElementOrder/containers": [{ name: "a" }], containers: [{ name: "b", image: "b2" }] } } },
        }),
      422,
      /doesn't match \$setElementOrder list/,
    );
    fails(() => applyStrategicMergePatch(live, [] as never), 400);
  });
});

describe("strategic merge patch: properties", () => {
  const key = fc.constantFrom("a", "b", "c", "labels", "spec", "x-y");
  const { value: noListValue } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.dictionary(key, tie("value"), { maxKeys: 3 })),
  }));
  const { value: patchValue } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, fc.integer(), fc.constant(null), fc.string({ maxLength: 4 }), fc.dictionary(key, tie("value"), { maxKeys: 3 })),
  }));
  const obj = (body: Record<string, unknown>): KubeObject => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, ...body });

  it("never mutates the original or the patch", () => {
    const live = deployment([{ name: "a", image: "a" }, { name: "b", image: "b" }]);
    const patch = {
      metadata: { labels: { app: null, x: "y" } },
      spec: {
        strategy: { $retainKeys: ["type"], type: "Recreate" },
        template: { spec: { "$setElementOrder/containers": [{ name: "b" }, { name: "a" }], containers: [{ name: "a", $patch: "delete" }, { name: "b", image: "b2" }] } },
      },
    };
    const [l0, p0] = [structuredClone(live), structuredClone(patch)];
    const out = applyStrategicMergePatch(live, patch);
    expect(podSpec(out).containers).toEqual([{ name: "b", image: "b2" }]);
    expect(live).toEqual(l0);
    expect(patch).toEqual(p0);
  });

  it("an empty patch returns an equal object, without mutating the inputs", () => {
    const withLists = fc.dictionary(key, fc.oneof(noListValue, fc.array(fc.dictionary(fc.constantFrom("name", "v"), fc.string({ maxLength: 2 })), { maxLength: 3 })));
    fc.assert(
      fc.property(withLists, (body) => {
        const o = deployment([{ name: "a", image: "a" }], body);
        const before = structuredClone(o);
        const out = applyStrategicMergePatch(o, {});
        expect(out).toEqual(o);
        expect(out).not.toBe(o);
        expect(o).toEqual(before);
      }),
    );
  });

  it("on documents without lists or directives it agrees with JSON merge patch", () => {
    fc.assert(
      fc.property(fc.dictionary(key, noListValue, { maxKeys: 4 }), fc.dictionary(key, patchValue, { maxKeys: 4 }), (body, patch) => {
        const o = obj(body);
        expect(applyStrategicMergePatch(o, patch)).toEqual(applyMergePatch(o, patch));
      }),
    );
  });

  it("merging the same containers twice is idempotent and keeps every name once", () => {
    const container = fc.record({ name: fc.constantFrom("a", "b", "c", "d"), image: fc.constantFrom("x", "y") });
    fc.assert(
      fc.property(fc.uniqueArray(container, { selector: (c) => c.name, maxLength: 4 }), fc.uniqueArray(container, { selector: (c) => c.name, maxLength: 4 }), (live, patch) => {
        const p = { spec: { template: { spec: { containers: patch } } } };
        const once = applyStrategicMergePatch(deployment(live), p);
        expect(applyStrategicMergePatch(once, p)).toEqual(once);
        const got = names(podSpec(once).containers).sort();
        expect(got).toEqual([...new Set([...live, ...patch].map((c) => c.name))].sort());
      }),
    );
  });
});
