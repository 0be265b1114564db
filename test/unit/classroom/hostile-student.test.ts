// One hostile student against a shared classroom, as a property: whatever sequence of abusive
// operations ana runs (drawn by fast-check from the catalogue below), bia's 3-replica Deployment
// and its Service stay converged, the scheduler places a replacement pod, every node stays Ready,
// and nothing ana sends gets a 5xx. Classrooms are shared by many sequences, so abuse piles up
// as it would in a real lesson. `HOSTILE_RUNS=5000 npm run test:hostile` is the long run.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type Classroom, client, joinAs, kubeclassApi, newClassroom } from "../api-helpers";

const RUNS = Number((env as { HOSTILE_RUNS?: string }).HOSTILE_RUNS) || 200;
const RUNS_PER_CLASSROOM = 25;
/** HOSTILE_ONLY="shell bomb,endless logs": only those kinds (to chase one finding). */
const ONLY_LIST = ((env as { HOSTILE_ONLY?: string }).HOSTILE_ONLY ?? "").split(",").map((k) => k.trim()).filter(Boolean);
const ONLY = ONLY_LIST.length > 0 ? ONLY_LIST : undefined;
const VICTIM_NS = "student-bia";
const OWN_NS = "student-ana";
const SHELL_BOMB = "A=xxxxxxxx; for i in $(seq 40); do A=$A$A; done; sleep 1";

type Client = ReturnType<typeof client>;
interface World { cls: Classroom; ana: Client; bia: Client; admin: Client; stub: any; open: Response[]; nodePort: number }
interface Op { kind: string; run(w: World): Promise<number[]> }

// ---- the catalogue ---------------------------------------------------------------------------

const names = fc.constantFrom("a", "b", "c", "web");
const podOf = (name: string, command?: string[], extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: "web" } },
  spec: { containers: [{ name: "c", image: "busybox", command, resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } } }], ...extra },
});
/** {"a":{"a":…}} `levels` deep: past what a body may nest. */
const nested = (levels: number): unknown => {
  let v: unknown = "x";
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};
const statuses = async (...rs: Promise<{ status: number }>[]) => (await Promise.all(rs)).map((r) => r.status);

const badMetadata = fc.constantFrom<Record<string, unknown>>(
  { ownerReferences: "x" }, { ownerReferences: [1] }, { ownerReferences: [{}] }, { ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "x", uid: 5 }] },
  { finalizers: [123] }, { finalizers: "x" }, { finalizers: ["not a/valid/finalizer"] }, { labels: { a: { b: 1 } } }, { labels: "x" },
  { annotations: 5 }, { annotations: { a: null } }, { managedFields: "x" }, { managedFields: [{ manager: {} }] }, { name: 123 },
  { generateName: {} }, { namespace: ["x"] }, { uid: { a: 1 } }, { resourceVersion: 12 }, { creationTimestamp: "yesterday" },
  { deletionTimestamp: "2020-01-01T00:00:00Z" }, { labels: { ["x".repeat(300)]: "y" } },
);

const ops: fc.Arbitrary<Op>[] = [
  fc.tuple(names, badMetadata, fc.boolean()).map(([name, meta, patch]): Op => ({
    kind: "malformed metadata",
    run: async ({ ana }) => patch
      ? statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, podOf(name)), ana.patch(`/api/v1/namespaces/${OWN_NS}/pods/${name}`, { metadata: meta }, "application/merge-patch+json"))
      : statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...meta } })),
  })),
  fc.constantFrom(100 * 1024, 1024 * 1024, 1600 * 1024, 3600 * 1024).map((size): Op => ({
    kind: "huge object",
    run: async ({ ana }) => statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "big-" }, data: { k: "x".repeat(size) } })),
  })),
  fc.integer({ min: 1, max: 6 }).map((n): Op => ({
    kind: "configmap rewrites",
    run: async ({ ana }) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await ana.put(`/api/v1/namespaces/${OWN_NS}/configmaps/churn`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "churn" }, data: { k: `${i}`.repeat(400 * 1024) } })).status);
      out.push((await ana.post(`/api/v1/namespaces/${OWN_NS}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "churn" }, data: { k: "0" } })).status);
      return out;
    },
  })),
  fc.constantFrom("own pod", "victim pod", "job", "deployment", "node").map((target): Op => ({
    kind: "status write",
    run: async ({ ana }) => {
      const running = { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], podIP: "10.244.9.9" } };
      switch (target) {
        case "own pod": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, podOf("fake", ["sleep", "3600"], { nodeName: "nowhere" })), ana.patch(`/api/v1/namespaces/${OWN_NS}/pods/fake/status`, running, "application/merge-patch+json"));
        case "victim pod": return statuses(ana.patch(`/api/v1/namespaces/${VICTIM_NS}/pods/anything/status`, running, "application/merge-patch+json"));
        case "job": return statuses(
          ana.post(`/apis/batch/v1/namespaces/${OWN_NS}/jobs`, { apiVersion: "batch/v1", kind: "Job", metadata: { name: "idx" }, spec: { completions: 5, parallelism: 1, completionMode: "Indexed", template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["sleep", "5"], resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } } } }),
          ana.patch(`/apis/batch/v1/namespaces/${OWN_NS}/jobs/idx/status`, { status: { completedIndexes: "0-99999999999", succeeded: 99999999999 } }, "application/merge-patch+json"));
        case "deployment": return statuses(ana.patch(`/apis/apps/v1/namespaces/${VICTIM_NS}/deployments/web/status`, { status: { readyReplicas: 0 } }, "application/merge-patch+json"));
        default: return statuses(ana.patch("/api/v1/nodes/node-1/status", { status: { conditions: [{ type: "Ready", status: "False" }] } }, "application/merge-patch+json"));
      }
    },
  })),
  fc.constantFrom("system-node-critical", "system-cluster-critical", "does-not-exist").map((pc): Op => ({
    kind: "priority",
    run: async ({ ana }) => statuses(
      ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, podOf(`prio-${pc.length}`, ["sleep", "3600"], { priorityClassName: pc })),
      ana.post("/apis/scheduling.k8s.io/v1/priorityclasses", { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "mine" }, value: 1_000_000_000 }),
    ),
  })),
  fc.tuple(fc.integer({ min: 1, max: 300 }), fc.boolean()).map(([n, steal]): Op => ({
    kind: "node ports",
    run: async ({ ana, nodePort }) => statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/services`, {
      apiVersion: "v1", kind: "Service", metadata: { generateName: "ports-" },
      spec: { type: "NodePort", selector: { app: "web" }, ports: Array.from({ length: n }, (_, i) => ({ name: `p${i}`, port: 1000 + i, ...(steal && i === 0 ? { nodePort } : {}) })) },
    })),
  })),
  fc.constantFrom("service", "replicaset", "empty selector", "bad query").map((how): Op => ({
    kind: "selector abuse",
    run: async ({ ana }) => {
      const tpl = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } };
      switch (how) {
        case "service": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/services`, { apiVersion: "v1", kind: "Service", metadata: { name: "steal" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } }));
        case "replicaset": return statuses(ana.post(`/apis/apps/v1/namespaces/${OWN_NS}/replicasets`, { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "adopt" }, spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: tpl } }));
        case "empty selector": return statuses(ana.post(`/apis/apps/v1/namespaces/${OWN_NS}/deployments`, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "all" }, spec: { replicas: 1, selector: {}, template: tpl } }));
        default: return statuses(ana.get(`/api/v1/pods?labelSelector=${encodeURIComponent("a in (b,,")}`), ana.get(`/api/v1/pods?fieldSelector=${encodeURIComponent("spec.nodeName=x,,=")}`));
      }
    },
  })),
  fc.constantFrom("own", "all", "old revision").map((scope): Op => ({
    kind: "watch that never reads",
    run: async (w) => {
      const path = scope === "own" ? `/api/v1/namespaces/${OWN_NS}/pods?watch=true` : scope === "all" ? "/api/v1/pods?watch=true" : "/api/v1/configmaps?watch=true&resourceVersion=1";
      const res = await w.ana.call("GET", path);
      w.open.push(res); // never read until the test ends
      return [res.status];
    },
  })),
  fc.constantFrom(64, 4096).map((width): Op => ({
    kind: "endless logs",
    run: async (w) => {
      const out = await statuses(w.ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, podOf(`chatty-${width}`, ["sh", "-c", `while true; do echo ${"y".repeat(width)}; done`])));
      const res = await w.ana.call("GET", `/api/v1/namespaces/${OWN_NS}/pods/chatty-${width}/log?follow=true`);
      w.open.push(res);
      return [...out, res.status];
    },
  })),
  fc.constantFrom("pod", "deployment", "daemonset").chain((kind) => fc.constantFrom(SHELL_BOMB, "for i in $(seq 1000000000); do :; done", "while true; do A=$A$A$A; done", "while :; do :; done").map((script): Op => ({
    kind: "shell bomb",
    run: async ({ ana }) => {
      const tpl = { metadata: { labels: { bomb: kind } }, spec: { containers: [{ name: "c", image: "busybox", command: ["sh", "-c", script], resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } } }] } };
      if (kind === "pod") return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { generateName: "bomb-" }, spec: tpl.spec }));
      const spec = { selector: { matchLabels: { bomb: kind } }, template: tpl, ...(kind === "deployment" ? { replicas: 3 } : {}) };
      return statuses(ana.post(`/apis/apps/v1/namespaces/${OWN_NS}/${kind}s`, { apiVersion: "apps/v1", kind: kind === "deployment" ? "Deployment" : "DaemonSet", metadata: { name: `bomb-${kind}` }, spec }));
    },
  }))),
  fc.constantFrom("pod", "deployment", "service", "namespace", "node", "collection", "events").map((what): Op => ({
    kind: "delete others' objects",
    run: async ({ ana }) => {
      switch (what) {
        case "pod": return statuses(ana.del(`/api/v1/namespaces/${VICTIM_NS}/pods/web`));
        case "deployment": return statuses(ana.del(`/apis/apps/v1/namespaces/${VICTIM_NS}/deployments/web`));
        case "service": return statuses(ana.del(`/api/v1/namespaces/${VICTIM_NS}/services/web`));
        case "namespace": return statuses(ana.del(`/api/v1/namespaces/${VICTIM_NS}`), ana.del(`/api/v1/namespaces/${OWN_NS}`));
        case "node": return statuses(ana.del("/api/v1/nodes/node-1"), ana.patch("/api/v1/nodes/node-2", { spec: { unschedulable: true } }, "application/merge-patch+json"));
        case "collection": return statuses(ana.del(`/api/v1/namespaces/${VICTIM_NS}/pods`), ana.del("/api/v1/pods"));
        default: return statuses(ana.post(`/api/v1/namespaces/${VICTIM_NS}/events`, { apiVersion: "v1", kind: "Event", metadata: { generateName: "x-" }, involvedObject: { kind: "Pod", namespace: VICTIM_NS, name: "web" }, reason: "Preempted", message: "fake" }));
      }
    },
  })),
  fc.tuple(names, fc.integer({ min: 1, max: 8 })).map(([name, n]): Op => ({
    kind: "create/delete races",
    run: async ({ ana }) => {
      const calls: Promise<{ status: number }>[] = [];
      for (let i = 0; i < n; i++) {
        calls.push(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, podOf(`race-${name}`, ["sleep", "3600"])));
        calls.push(ana.del(`/api/v1/namespaces/${OWN_NS}/pods/race-${name}`, { gracePeriodSeconds: i % 2 === 0 ? 0 : 30 }));
      }
      return statuses(...calls);
    },
  })),
  fc.constantFrom(50, 1000, 100_000).map((replicas): Op => ({
    kind: "huge replica count",
    run: async ({ ana }) => statuses(ana.post(`/apis/apps/v1/namespaces/${OWN_NS}/deployments`, {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `many-${replicas}` },
      spec: { replicas, selector: { matchLabels: { many: "x" } }, template: { metadata: { labels: { many: "x" } }, spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } } },
    })),
  })),
  fc.constantFrom("indexed", "cron", "hpa").map((what): Op => ({
    kind: "controller abuse",
    run: async ({ ana }) => {
      const tpl = { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "exit 1"], resources: { requests: { cpu: "10m", memory: "16Mi" } } }] } };
      if (what === "indexed") return statuses(ana.post(`/apis/batch/v1/namespaces/${OWN_NS}/jobs`, { apiVersion: "batch/v1", kind: "Job", metadata: { generateName: "huge-" }, spec: { completions: 100_000, parallelism: 100_000, completionMode: "Indexed", backoffLimitPerIndex: 1_000_000, template: tpl } }));
      if (what === "cron") return statuses(ana.post(`/apis/batch/v1/namespaces/${OWN_NS}/cronjobs`, { apiVersion: "batch/v1", kind: "CronJob", metadata: { generateName: "every-" }, spec: { schedule: "* * * * *", successfulJobsHistoryLimit: 1_000_000, failedJobsHistoryLimit: 1_000_000, jobTemplate: { spec: { template: tpl } } } }));
      return statuses(ana.post(`/apis/autoscaling/v2/namespaces/${OWN_NS}/horizontalpodautoscalers`, { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { generateName: "hpa-" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 1_000_000 } }));
    },
  })),
  fc.constantFrom("binding", "nodeName", "lease", "endpoints", "node create").map((what): Op => ({
    kind: "bypass the control plane",
    run: async ({ ana }) => {
      switch (what) {
        case "binding": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, podOf("bindme", ["sleep", "3600"])), ana.post(`/api/v1/namespaces/${OWN_NS}/pods/bindme/binding`, { apiVersion: "v1", kind: "Binding", metadata: { name: "bindme" }, target: { apiVersion: "v1", kind: "Node", name: "node-1" } }));
        case "nodeName": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, { ...podOf("pinned", ["sleep", "3600"], { nodeName: "node-1" }), spec: { nodeName: "node-1", containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "64", memory: "1Ti" } } }] } }));
        case "lease": return statuses(ana.put("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1", { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "node-1" }, spec: { holderIdentity: "ana", renewTime: "2000-01-01T00:00:00.000000Z" } }));
        case "endpoints": return statuses(
          ana.post(`/api/v1/namespaces/${VICTIM_NS}/endpoints`, { apiVersion: "v1", kind: "Endpoints", metadata: { name: "web" }, subsets: [] }),
          ana.post(`/apis/discovery.k8s.io/v1/namespaces/${VICTIM_NS}/endpointslices`, { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { generateName: "web-", labels: { "kubernetes.io/service-name": "web" } }, addressType: "IPv4", endpoints: [{ addresses: ["1.2.3.4"] }] }));
        default: return statuses(ana.post("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "evil" } }));
      }
    },
  })),
  fc.constantFrom("json patch", "strategic", "protobuf", "not json", "apply yaml", "deep json", "deep yaml", "deep patch", "deep apply", "deepening patch").map((how): Op => ({
    kind: "malformed bodies",
    run: async ({ ana }) => {
      const p = `/api/v1/namespaces/${OWN_NS}/pods/a`;
      switch (how) {
        case "deep json": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "deep" }, x: nested(8000) }));
        case "deep yaml": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/configmaps`, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx: ${JSON.stringify(nested(3000))}\n`, { "content-type": "application/yaml" }));
        case "deep patch": return statuses(ana.patch(p, { metadata: { labels: nested(5000) } }, "application/merge-patch+json"), ana.patch(p, { spec: nested(5000) }, "application/strategic-merge-patch+json"));
        case "deep apply": return statuses(ana.patch(`${p}?fieldManager=x`, { apiVersion: "v1", kind: "Pod", metadata: { name: "a" }, x: nested(5000) }, "application/apply-patch+yaml"));
        case "deepening patch": return statuses(
          ana.post(`/api/v1/namespaces/${OWN_NS}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "grow" }, x: nested(300) }),
          ana.patch(`/api/v1/namespaces/${OWN_NS}/configmaps/grow`, Array.from({ length: 30 }, () => ({ op: "copy", from: "/x", path: "/x" + "/a".repeat(299) })), "application/json-patch+json"));
        case "json patch": return statuses(ana.patch(p, [{ op: "add", path: "/metadata/labels/x", value: {} }, { op: "move", from: "/spec", path: "/spec/containers/0" }], "application/json-patch+json"));
        case "strategic": return statuses(ana.patch(p, { spec: { containers: [{ $patch: "replace" }, { name: null }] }, $setElementOrder: 5 }, "application/strategic-merge-patch+json"));
        case "protobuf": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]), { "content-type": "application/vnd.kubernetes.protobuf" }));
        case "not json": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, "{\"apiVersion\": \"v1\", \"kind\": ", { "content-type": "application/json" }));
        default: return statuses(ana.patch(`${p}?fieldManager=x`, "a: [b\n c: :", "application/apply-patch+yaml"));
      }
    },
  })),
  fc.constantFrom("containers object", "containers null", "init number", "template containers", "selector object", "selector values", "huge grace", "huge termination grace").map((what): Op => ({
    kind: "malformed specs",
    run: async ({ ana }) => {
      const sel = (matchExpressions: unknown) => ({ matchLabels: { app: "m" }, matchExpressions });
      const deploy = (selector: unknown, spec: unknown = { containers: [{ name: "c", image: "nginx" }] }) =>
        ana.post(`/apis/apps/v1/namespaces/${OWN_NS}/deployments`, { apiVersion: "apps/v1", kind: "Deployment", metadata: { generateName: "bad-" }, spec: { replicas: 1, selector, template: { metadata: { labels: { app: "m" } }, spec } } });
      switch (what) {
        case "containers object": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, { ...podOf("typed"), spec: { containers: {} } }));
        case "containers null": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, { ...podOf("typed"), spec: { containers: [null] } }));
        case "init number": return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, { ...podOf("typed"), spec: { ...podOf("typed").spec, initContainers: 5 } }));
        case "template containers": return statuses(deploy(sel([]), { containers: 5 }), ana.patch(`/apis/apps/v1/namespaces/${VICTIM_NS}/deployments/web`, { spec: { template: { spec: { containers: {} } } } }, "application/merge-patch+json"));
        case "selector object": return statuses(deploy(sel({})), deploy(sel(5)));
        case "selector values": return statuses(deploy(sel([{ key: "a", operator: "Exists", values: 5 }])), ana.get(`/apis/apps/v1/namespaces/${OWN_NS}/deployments`, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" }));
        case "huge grace": return statuses(
          ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, podOf("grace", ["sleep", "3600"], { nodeName: "nowhere" })),
          ana.del(`/api/v1/namespaces/${OWN_NS}/pods/grace?gracePeriodSeconds=9999999999999`));
        default: return statuses(
          ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, podOf("tgps", ["sleep", "3600"], { nodeName: "nowhere", terminationGracePeriodSeconds: 9_000_000_000_000 })),
          ana.del(`/api/v1/namespaces/${OWN_NS}/pods/tgps`));
      }
    },
  })),
  fc.constantFrom(50, 51, 1000).map((n): Op => ({
    kind: "wide pods",
    run: async ({ ana }) => {
      const containers = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: "busybox", command: ["sleep", "3600"], resources: { requests: { cpu: "1m", memory: "1Mi" } } }));
      return statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { generateName: `wide-${n}-` }, spec: { containers } }));
    },
  })),
  fc.integer({ min: 1, max: 2 }).map((n): Op => ({
    kind: "cpu hogs",
    run: async ({ ana }) => {
      // Exec probes that each run a script to the end of its step budget (every 3 s: the kubelet's
      // cpu per sync is covered by node-budgets.test.ts; here, that hogs disturb nobody).
      const probe = { exec: { command: ["sh", "-c", "for i in $(seq 1000); do for j in $(seq 1000); do :; done; done"] }, periodSeconds: 3, timeoutSeconds: 1, failureThreshold: 1_000_000 };
      const c = (name: string) => ({ name, image: "busybox", command: ["sh", "-c", "yes > /dev/null"], livenessProbe: probe, readinessProbe: probe, resources: { requests: { cpu: "10m", memory: "16Mi" } } });
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(...(await statuses(ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, { apiVersion: "v1", kind: "Pod", metadata: { generateName: "hog-" }, spec: { containers: [c("a"), c("b")] } }))));
      return out;
    },
  })),
  fc.integer({ min: 2, max: 8 }).map((n): Op => ({
    kind: "interrupted log follows",
    run: async (w) => {
      const out = await statuses(w.ana.post(`/api/v1/namespaces/${OWN_NS}/pods`, podOf("quiet", ["sleep", "36000"])));
      for (let i = 0; i < n; i++) {
        const res = await w.ana.call("GET", `/api/v1/namespaces/${OWN_NS}/pods/quiet/log?follow=true`);
        out.push(res.status);
        await res.body?.cancel(); // the student's Ctrl-C
      }
      return out;
    },
  })),
  fc.constantFrom("/api/v1/namespaces/%ff/pods", "/api/v1/namespaces/student-ana/pods/a%zz", "/apis/%C0%AE", "/api/v1/namespaces/student-bia/configmaps/%ff%fe").map((path): Op => ({
    kind: "odd paths",
    run: async ({ ana }) => statuses(ana.get(path)),
  })),
];

// ---- the classroom and what must hold ---------------------------------------------------------

async function newWorld(): Promise<World> {
  const cls = await newClassroom("hostile", 3);
  const admin = client(cls);
  const ns = (env as any).CLASSROOM;
  const stub = ns.get(ns.idFromName(cls.id));
  await stub.setClock({ paused: true });
  // As an instructor of a real class would: a share of the cluster per student (so a student's
  // pods must declare requests, as on any cluster with a cpu/memory quota).
  expect((await kubeclassApi(cls, "PUT", "/quota", { pods: "20", cpu: "1", memory: "2Gi" })).status).toBe(200);
  const ana = client(cls, (await joinAs(cls, "ana")).body.token);
  const bia = client(cls, (await joinAs(cls, "bia")).body.token);
  const tpl = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.25", ports: [{ containerPort: 80 }], resources: { requests: { cpu: "100m", memory: "64Mi" } }, readinessProbe: { httpGet: { path: "/", port: 80 } } }] } };
  expect((await bia.post(`/apis/apps/v1/namespaces/${VICTIM_NS}/deployments`, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: tpl } })).status).toBe(201);
  const svc = await bia.post(`/api/v1/namespaces/${VICTIM_NS}/services`, { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80 }] } });
  expect(svc.status).toBe(201);
  await stub.advance(60_000);
  const w: World = { cls, ana, bia, admin, stub, open: [], nodePort: svc.body.spec.ports[0].nodePort };
  expect(await disruptions(w)).toEqual([]);
  return w;
}

/** What is wrong with the classroom for everyone else; [] when all is well. */
async function disruptions(w: World): Promise<string[]> {
  const out: string[] = [];
  const nodes = (await w.admin.get("/api/v1/nodes")).body.items as any[];
  for (const n of nodes) {
    const ready = n.status?.conditions?.find((c: any) => c.type === "Ready")?.status;
    if (ready !== "True") out.push(`node ${n.metadata.name} Ready=${ready}`);
  }
  if (nodes.length !== 3) out.push(`${nodes.length} nodes`);
  const dep = (await w.admin.get(`/apis/apps/v1/namespaces/${VICTIM_NS}/deployments/web`)).body;
  if (dep?.status?.readyReplicas !== 3 || dep?.status?.updatedReplicas !== 3) out.push(`bia's Deployment ${JSON.stringify(dep?.status ?? dep)}`);
  const pods = ((await w.admin.get(`/api/v1/namespaces/${VICTIM_NS}/pods?labelSelector=app%3Dweb`)).body.items as any[]).filter((p) => !p.metadata.deletionTimestamp);
  const running = pods.filter((p) => p.status?.phase === "Running" && p.spec?.nodeName);
  if (running.length !== 3) out.push(`bia's pods: ${pods.map((p) => `${p.metadata.name}=${p.status?.phase}@${p.spec?.nodeName}`).join(", ")}`);
  const slices = (await w.admin.get(`/apis/discovery.k8s.io/v1/namespaces/${VICTIM_NS}/endpointslices?labelSelector=${encodeURIComponent("kubernetes.io/service-name=web")}`)).body.items as any[];
  const ready = new Set(slices.flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready).flatMap((e: any) => e.addresses)));
  const ips = new Set(running.map((p) => p.status.podIP));
  if (ready.size !== 3 || [...ips].some((ip) => !ready.has(ip))) out.push(`bia's Service endpoints ${[...ready].join(",")} for pods ${[...ips].join(",")}`);
  return out;
}

describe("a hostile student cannot break the classroom", () => {
  const tried = new Map<string, number>();
  const worlds: World[] = [];
  const fivexx: string[] = [];
  let disrupted: string[] = [];
  afterAll(async () => {
    for (const w of worlds) for (const r of w.open) await r.body?.cancel().catch(() => undefined);
  });

  it(`${RUNS} random sequences of abuse by ana leave bia's Deployment, its Service, the scheduler and every node working`, async () => {
    let world: World | undefined;
    let runsHere = 0;
    let sequences = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(ONLY ? fc.oneof(...ops).filter((o) => ONLY.includes(o.kind)) : fc.oneof(...ops), { minLength: 1, maxLength: 6 }), async (seq) => {
        if (!world || runsHere >= RUNS_PER_CLASSROOM) {
          world = await newWorld();
          worlds.push(world);
          runsHere = 0;
        }
        runsHere++;
        sequences++;
        const w = world;
        for (const op of seq) {
          tried.set(op.kind, (tried.get(op.kind) ?? 0) + 1);
          const t0 = Date.now();
          for (const status of await op.run(w)) if (status >= 500) fivexx.push(`${op.kind}: ${status}`);
          if ((env as { HOSTILE_TRACE?: string }).HOSTILE_TRACE) console.log(`op ${op.kind} ${Date.now() - t0} ms`);
        }
        // The scheduler and controllers must still act: bia loses a pod and it must come back.
        const pods = (await w.admin.get(`/api/v1/namespaces/${VICTIM_NS}/pods?labelSelector=app%3Dweb`)).body.items as any[];
        const victim = pods.find((p) => !p.metadata.deletionTimestamp);
        if (victim) await w.bia.del(`/api/v1/namespaces/${VICTIM_NS}/pods/${victim.metadata.name}`, { gracePeriodSeconds: 0 });
        const t1 = Date.now();
        await w.stub.advance(45_000);
        if ((env as { HOSTILE_TRACE?: string }).HOSTILE_TRACE) console.log(`advance ${Date.now() - t1} ms`);
        const found = await disruptions(w);
        if (found.length > 0) disrupted = found.map((d) => `after [${seq.map((o) => o.kind).join(" → ")}]: ${d}`);
        return found.length === 0 && fivexx.length === 0;
      }),
      { numRuns: RUNS, endOnFailure: true, seed: Number((env as { HOSTILE_SEED?: string }).HOSTILE_SEED) || undefined },
    ).catch((e) => {
      throw new Error(`${(e as Error).message.split("\n").slice(0, 6).join("\n")}\ndisruptions: ${disrupted.join("; ")}\n5xx: ${fivexx.slice(0, 10).join("; ")}`);
    });
    const summary = [...tried].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(", ");
    console.log(`hostile student: ${sequences} sequences, ${[...tried.values()].reduce((a, b) => a + b, 0)} operations (${summary}); disruptions: ${disrupted.length}; 5xx: ${fivexx.length}`);
    expect(sequences).toBe(RUNS);
    if (!ONLY) expect(new Set(tried.keys()).size).toBe(ops.length); // every kind of abuse was tried
    expect(disrupted).toEqual([]);
    expect(fivexx).toEqual([]);
  }, 20 * 60_000);
});
