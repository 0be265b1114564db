// Server-side Table output: columns and cells as kube-apiserver 1.32 prints them, for every kind.

import { describe, expect, it } from "vitest";
import { findResource, RESOURCES, type ResourceType } from "../../../../src/control-plane/api-server/resources";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";
import { columnDefinitions, humanDuration, quantityString, shortHumanDuration, toTable } from "../../../../src/control-plane/api-server/tables/index";
import { formatLabelSelector, labelSelectorString, parseTime } from "../../../../src/control-plane/api-server/tables/format";

const NOW = Date.parse("2025-01-10T12:00:00Z");
/** An RFC 3339 time `seconds` before NOW. */
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString().replace(/\.000Z$/, "Z");

function res(group: string, version: string, plural: string): ResourceType {
  const r = findResource(group, version, plural);
  if (!r) throw new Error(`no resource ${group}/${version}/${plural}`);
  return r;
}
const R = {
  pods: res("", "v1", "pods"),
  nodes: res("", "v1", "nodes"),
  services: res("", "v1", "services"),
  endpoints: res("", "v1", "endpoints"),
  namespaces: res("", "v1", "namespaces"),
  configmaps: res("", "v1", "configmaps"),
  secrets: res("", "v1", "secrets"),
  serviceaccounts: res("", "v1", "serviceaccounts"),
  resourcequotas: res("", "v1", "resourcequotas"),
  events: res("", "v1", "events"),
  eventsV1: res("events.k8s.io", "v1", "events"),
  deployments: res("apps", "v1", "deployments"),
  replicasets: res("apps", "v1", "replicasets"),
  daemonsets: res("apps", "v1", "daemonsets"),
  statefulsets: res("apps", "v1", "statefulsets"),
  jobs: res("batch", "v1", "jobs"),
  cronjobs: res("batch", "v1", "cronjobs"),
  hpas: res("autoscaling", "v2", "horizontalpodautoscalers"),
  leases: res("coordination.k8s.io", "v1", "leases"),
  endpointslices: res("discovery.k8s.io", "v1", "endpointslices"),
  priorityclasses: res("scheduling.k8s.io", "v1", "priorityclasses"),
};

function obj(apiVersion: string, kind: string, name: string, rest: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "7", creationTimestamp: ago(300), ...meta }, ...rest };
}

/** Cells of a single object's row. */
function cells(r: ResourceType, o: KubeObject): unknown[] {
  return toTable(r, [o], { now: NOW }).rows[0]!.cells;
}
/** Cells keyed by column name, for readable assertions. */
function row(r: ResourceType, o: KubeObject): Record<string, unknown> {
  const defs = columnDefinitions(r);
  const c = cells(r, o);
  expect(c).toHaveLength(defs.length);
  return Object.fromEntries(defs.map((d, i) => [d.name, c[i]]));
}

describe("durations", () => {
  it("HumanDuration matches apimachinery", () => {
    const cases: [number, string][] = [
      [0, "0s"], [-1.5, "0s"], [-2.5, "<invalid>"], [5, "5s"], [119, "119s"], [120, "2m"], [200, "3m20s"], [599, "9m59s"],
      [600, "10m"], [179 * 60 + 59, "179m"], [3 * 3600, "3h"], [3 * 3600 + 5 * 60, "3h5m"], [7 * 3600 + 59 * 60, "7h59m"], [8 * 3600 + 30 * 60, "8h"],
      [47 * 3600, "47h"], [48 * 3600, "2d"], [51 * 3600, "2d3h"], [8 * 86400, "8d"], [400 * 86400, "400d"], [730 * 86400, "2y"],
      [800 * 86400, "2y70d"], [9 * 365 * 86400, "9y"],
    ];
    for (const [s, want] of cases) expect(humanDuration(s * 1000), `${s}s`).toBe(want);
  });
  it("ShortHumanDuration matches apimachinery", () => {
    expect(shortHumanDuration(59_000)).toBe("59s");
    expect(shortHumanDuration(200_000)).toBe("3m");
    expect(shortHumanDuration(5 * 3600_000)).toBe("5h");
    expect(shortHumanDuration(51 * 3600_000)).toBe("2d");
    expect(shortHumanDuration(400 * 86400_000)).toBe("1y");
    expect(shortHumanDuration(-3000)).toBe("<invalid>");
  });
  it("parses RFC 3339 times, including microseconds and offsets; zero and junk are unset", () => {
    expect(parseTime("2025-01-10T12:00:00Z")).toBe(NOW);
    expect(parseTime("2025-01-10T11:59:59.123456Z")).toBe(NOW - 877);
    expect(parseTime("2025-01-10T13:00:00+01:00")).toBe(NOW);
    expect(parseTime("0001-01-01T00:00:00Z")).toBeUndefined();
    expect(parseTime("yesterday")).toBeUndefined();
    expect(parseTime(undefined)).toBeUndefined();
  });
});

describe("formatting helpers", () => {
  it("canonicalizes quantities like resource.Quantity.String", () => {
    const cases: [unknown, string][] = [
      ["1000m", "1"], ["1500m", "1500m"], ["0.5", "500m"], ["2000", "2k"], ["20", "20"], ["1024Mi", "1Gi"], ["1536Mi", "1536Mi"],
      ["1.5Gi", "1536Mi"], ["512", "512"], ["100Mi", "100Mi"], ["1e3", "1e3"], ["0", "0"], ["0Mi", "0"], [4, "4"], ["10G", "10G"],
      ["128974848", "128974848"], ["129M", "129M"], ["1Ki", "1Ki"], ["0.5Ki", "512"], [undefined, "<nil>"],
    ];
    for (const [q, want] of cases) expect(quantityString(q), String(q)).toBe(want);
  });
  it("formats label selectors like LabelSelectorAsSelector", () => {
    const sel = { matchLabels: { tier: "web", app: "x" }, matchExpressions: [{ key: "env", operator: "In", values: ["prod", "dev"] }, { key: "gone", operator: "DoesNotExist" }] };
    expect(labelSelectorString(sel)).toBe("app=x,env in (dev,prod),!gone,tier=web");
    expect(labelSelectorString({})).toBe("");
    expect(formatLabelSelector({})).toBe("<none>");
    expect(formatLabelSelector({ matchExpressions: [{ key: "a", operator: "Bogus" }] })).toBe("<error>");
  });
});

describe("Table envelope", () => {
  const pod = obj("v1", "Pod", "web-1", { spec: { containers: [{ name: "c", image: "nginx" }] }, status: { phase: "Pending" } }, { labels: { app: "web" } });

  it("wraps rows in a meta.k8s.io/v1 Table with list metadata", () => {
    const t = toTable(R.pods, [pod], { now: NOW, resourceVersion: "104", continue: "abc" });
    expect(t.kind).toBe("Table");
    expect(t.apiVersion).toBe("meta.k8s.io/v1");
    expect(t.metadata).toEqual({ resourceVersion: "104", continue: "abc" });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"]);
    expect(toTable(R.pods, [], { now: NOW }).metadata).toEqual({});
    expect(toTable(R.pods, [], { now: NOW }).rows).toEqual([]);
  });
  it("row.object is PartialObjectMetadata by default, the object with Object, null with None", () => {
    const meta = toTable(R.pods, [pod], { now: NOW }).rows[0]!;
    expect(meta.object).toEqual({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: pod.metadata });
    expect(toTable(R.pods, [pod], { now: NOW, includeObject: "Metadata" }).rows[0]!.object).toEqual(meta.object);
    expect(toTable(R.pods, [pod], { now: NOW, includeObject: "Object" }).rows[0]!.object).toEqual(pod);
    const none = toTable(R.pods, [pod], { now: NOW, includeObject: "None" }).rows[0]!;
    expect(none.object).toBeNull();
    expect(JSON.parse(JSON.stringify(none))).toHaveProperty("object", null);
  });
  it("omits column definitions on request (watch events after the first)", () => {
    expect(toTable(R.pods, [pod], { now: NOW, omitColumnDefinitions: true }).columnDefinitions).toEqual([]);
  });
  it("describes the name and age columns with the ObjectMeta field docs", () => {
    const [name, , , , age] = columnDefinitions(R.pods);
    expect(name!.description).toMatch(/^Name must be unique within a namespace\. /);
    expect(age!.description).toMatch(/^CreationTimestamp is a timestamp representing the server time/);
  });
});

/** name, type, priority and format (when not "") of every column, in order. */
type Col = [string, string, number?, string?];
const EXPECTED_COLUMNS: [ResourceType, Col[]][] = [
  [R.pods, [["Name", "string", 0, "name"], ["Ready", "string"], ["Status", "string"], ["Restarts", "string"], ["Age", "string"], ["IP", "string", 1], ["Node", "string", 1], ["Nominated Node", "string", 1], ["Readiness Gates", "string", 1]]],
  [R.nodes, [["Name", "string", 0, "name"], ["Status", "string"], ["Roles", "string"], ["Age", "string"], ["Version", "string"], ["Internal-IP", "string", 1], ["External-IP", "string", 1], ["OS-Image", "string", 1], ["Kernel-Version", "string", 1], ["Container-Runtime", "string", 1]]],
  [R.services, [["Name", "string", 0, "name"], ["Type", "string"], ["Cluster-IP", "string"], ["External-IP", "string"], ["Port(s)", "string"], ["Age", "string"], ["Selector", "string", 1]]],
  [R.endpoints, [["Name", "string", 0, "name"], ["Endpoints", "string"], ["Age", "string"]]],
  [R.namespaces, [["Name", "string", 0, "name"], ["Status", "string"], ["Age", "string"]]],
  [R.configmaps, [["Name", "string", 0, "name"], ["Data", "string"], ["Age", "string"]]],
  [R.secrets, [["Name", "string", 0, "name"], ["Type", "string"], ["Data", "string"], ["Age", "string"]]],
  [R.serviceaccounts, [["Name", "string", 0, "name"], ["Secrets", "string"], ["Age", "string"]]],
  [R.resourcequotas, [["Name", "string", 0, "name"], ["Request", "string"], ["Limit", "string"], ["Age", "string"]]],
  [R.events, [["Last Seen", "string"], ["Type", "string"], ["Reason", "string"], ["Object", "string"], ["Subobject", "string", 1], ["Source", "string", 1], ["Message", "string"], ["First Seen", "string", 1], ["Count", "string", 1], ["Name", "string", 1, "name"]]],
  [R.deployments, [["Name", "string", 0, "name"], ["Ready", "string"], ["Up-to-date", "string"], ["Available", "string"], ["Age", "string"], ["Containers", "string", 1], ["Images", "string", 1], ["Selector", "string", 1]]],
  [R.replicasets, [["Name", "string", 0, "name"], ["Desired", "integer"], ["Current", "integer"], ["Ready", "integer"], ["Age", "string"], ["Containers", "string", 1], ["Images", "string", 1], ["Selector", "string", 1]]],
  [R.daemonsets, [["Name", "string", 0, "name"], ["Desired", "integer"], ["Current", "integer"], ["Ready", "integer"], ["Up-to-date", "integer"], ["Available", "integer"], ["Node Selector", "string"], ["Age", "string"], ["Containers", "string", 1], ["Images", "string", 1], ["Selector", "string", 1]]],
  [R.statefulsets, [["Name", "string", 0, "name"], ["Ready", "string"], ["Age", "string"], ["Containers", "string", 1], ["Images", "string", 1]]],
  [R.jobs, [["Name", "string", 0, "name"], ["Status", "string"], ["Completions", "string"], ["Duration", "string"], ["Age", "string"], ["Containers", "string", 1], ["Images", "string", 1], ["Selector", "string", 1]]],
  [R.cronjobs, [["Name", "string", 0, "name"], ["Schedule", "string"], ["Timezone", "string"], ["Suspend", "boolean"], ["Active", "integer"], ["Last Schedule", "string"], ["Age", "string"], ["Containers", "string", 1], ["Images", "string", 1], ["Selector", "string", 1]]],
  [R.hpas, [["Name", "string", 0, "name"], ["Reference", "string"], ["Targets", "string"], ["MinPods", "string"], ["MaxPods", "string"], ["Replicas", "string"], ["Age", "string"]]],
  [R.leases, [["Name", "string", 0, "name"], ["Holder", "string"], ["Age", "string"]]],
  [R.endpointslices, [["Name", "string", 0, "name"], ["AddressType", "string"], ["Ports", "string"], ["Endpoints", "string"], ["Age", "string"]]],
  [R.priorityclasses, [["Name", "string", 0, "name"], ["Value", "integer"], ["Global-Default", "boolean"], ["Age", "string"], ["PreemptionPolicy", "string"]]],
];

describe("column definitions", () => {
  it.each(EXPECTED_COLUMNS.map(([r, cols]) => [`${r.group || "core"}/${r.kind}`, r, cols] as const))("%s", (_label, r, cols) => {
    const got = columnDefinitions(r).map((c) => [c.name, c.type, c.priority, c.format]);
    expect(got).toEqual(cols.map(([name, type, priority = 0, format = ""]) => [name, type, priority, format]));
  });
  it("events.k8s.io/v1 events use the core event columns", () => {
    expect(columnDefinitions(R.eventsV1)).toEqual(columnDefinitions(R.events));
  });
  it("every readable kind has its own printer, with a description for each column", () => {
    // metrics.k8s.io is not printed by the server: kubectl top formats it itself.
    const readable = RESOURCES.filter((r) => r.verbs.includes("get") && r.group !== "metrics.k8s.io");
    expect(readable).toHaveLength(EXPECTED_COLUMNS.length + 2); // + events.k8s.io, + autoscaling/v1 (printers shared with their storage kinds)
    for (const r of readable) {
      const defs = columnDefinitions(r);
      expect(defs.some((c) => c.name === "Created At"), r.kind).toBe(false);
      for (const c of defs) expect(c.description.length, `${r.kind} ${c.name}`).toBeGreaterThan(10);
    }
  });
  it("kinds without a printer get the default NAME / CREATED AT table", () => {
    const fake: ResourceType = { group: "example.com", version: "v1", plural: "widgets", singular: "widget", kind: "Widget", namespaced: true, verbs: ["get", "list"] };
    expect(columnDefinitions(fake).map((c) => [c.name, c.type, c.format])).toEqual([["Name", "string", "name"], ["Created At", "date", ""]]);
    expect(cells(fake, obj("example.com/v1", "Widget", "w", {}, { creationTimestamp: "2025-01-01T00:00:00Z" }))).toEqual(["w", "2025-01-01T00:00:00Z"]);
  });
  it("returns copies, so callers cannot corrupt the shared definitions", () => {
    columnDefinitions(R.pods)[0]!.name = "mangled";
    expect(columnDefinitions(R.pods)[0]!.name).toBe("Name");
  });
});

// ---- Pods ----

const container = (name: string, image = "nginx:1.27") => ({ name, image });
function pod(name: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return obj("v1", "Pod", name, { spec: { containers: [container("app")], nodeName: "node-1", ...spec }, status }, meta);
}
const running = (name: string, extra: Record<string, unknown> = {}) => ({ name, ready: true, restartCount: 0, started: true, state: { running: { startedAt: ago(200) } }, ...extra });
const readyConds = (ready: boolean) => [
  { type: "Initialized", status: "True" },
  { type: "Ready", status: ready ? "True" : "False" },
  { type: "ContainersReady", status: ready ? "True" : "False" },
  { type: "PodScheduled", status: "True" },
];

describe("Pod", () => {
  it("a running pod: READY, STATUS, RESTARTS, AGE and the wide columns", () => {
    const p = pod("web-1", { phase: "Running", podIP: "10.244.1.5", podIPs: [{ ip: "10.244.1.5" }], conditions: readyConds(true), containerStatuses: [running("app")] });
    expect(cells(R.pods, p)).toEqual(["web-1", "1/1", "Running", "0", "5m", "10.244.1.5", "node-1", "<none>", "<none>"]);
  });
  it("CrashLoopBackOff with restarts shows when the last one ended", () => {
    const p = pod("crash", {
      phase: "Running",
      conditions: readyConds(false),
      containerStatuses: [{ name: "app", ready: false, restartCount: 3, started: false, state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } }, lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: ago(125), finishedAt: ago(120) } } }],
    });
    const r = row(R.pods, p);
    expect(r.Ready).toBe("0/1");
    expect(r.Status).toBe("CrashLoopBackOff");
    expect(r.Restarts).toBe("3 (2m ago)");
  });
  it("restarts without a last termination time print as a bare number", () => {
    const p = pod("r", { phase: "Running", conditions: readyConds(true), containerStatuses: [running("app", { restartCount: 2 })] });
    expect(row(R.pods, p).Restarts).toBe("2");
  });
  it("the latest termination across containers dates RESTARTS", () => {
    const p = pod("two", {
      phase: "Running",
      conditions: readyConds(true),
      containerStatuses: [running("a", { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(3600) } } }), running("b", { restartCount: 4, lastState: { terminated: { exitCode: 1, finishedAt: ago(45) } } })],
    }, { containers: [container("a"), container("b")] });
    expect(row(R.pods, p)).toMatchObject({ Ready: "2/2", Status: "Running", Restarts: "5 (45s ago)" });
  });
  it("a new pod not yet scheduled is Pending with <none> wide columns", () => {
    const p = pod("pending", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] }, { nodeName: undefined });
    expect(cells(R.pods, p)).toEqual(["pending", "0/1", "Pending", "0", "5m", "<none>", "<none>", "<none>", "<none>"]);
  });
  it("waiting reasons become the status: ContainerCreating, ImagePullBackOff, ErrImagePull", () => {
    for (const reason of ["ContainerCreating", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError"]) {
      const p = pod("w", { phase: "Pending", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { waiting: { reason } } }] });
      expect(row(R.pods, p).Status).toBe(reason);
    }
  });
  it("terminated containers: Completed, Error, OOMKilled, ExitCode:N, Signal:N", () => {
    const term = (terminated: Record<string, unknown>, phase: string) => pod("t", { phase, containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { terminated } }] });
    expect(row(R.pods, term({ exitCode: 0, reason: "Completed" }, "Succeeded")).Status).toBe("Completed");
    expect(row(R.pods, term({ exitCode: 1, reason: "Error" }, "Failed")).Status).toBe("Error");
    expect(row(R.pods, term({ exitCode: 137, reason: "OOMKilled" }, "Running")).Status).toBe("OOMKilled");
    expect(row(R.pods, term({ exitCode: 2 }, "Failed")).Status).toBe("ExitCode:2");
    expect(row(R.pods, term({ exitCode: 0, signal: 9 }, "Failed")).Status).toBe("Signal:9");
  });
  it("finished pods carry a Completed row condition", () => {
    const done = pod("done", { phase: "Succeeded", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }] });
    expect(toTable(R.pods, [done], { now: NOW }).rows[0]!.conditions).toEqual([{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }]);
    const failed = pod("f", { phase: "Failed" });
    expect(toTable(R.pods, [failed], { now: NOW }).rows[0]!.conditions![0]!.reason).toBe("Failed");
    const live = pod("l", { phase: "Running" });
    expect(toTable(R.pods, [live], { now: NOW }).rows[0]).not.toHaveProperty("conditions");
  });
  it("the status reason of the pod wins over the phase (Evicted)", () => {
    expect(row(R.pods, pod("ev", { phase: "Failed", reason: "Evicted", message: "low on memory" })).Status).toBe("Evicted");
  });
  it("Terminating once deleted, unless already finished; Unknown for NodeLost", () => {
    const meta = { deletionTimestamp: ago(10), deletionGracePeriodSeconds: 30 };
    const live = pod("d", { phase: "Running", conditions: readyConds(true), containerStatuses: [running("app")] }, {}, meta);
    expect(row(R.pods, live).Status).toBe("Terminating");
    const finished = pod("d2", { phase: "Succeeded", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }] }, {}, meta);
    expect(row(R.pods, finished).Status).toBe("Completed");
    const lost = pod("d3", { phase: "Running", reason: "NodeLost", containerStatuses: [running("app")] }, {}, meta);
    expect(row(R.pods, lost).Status).toBe("Unknown");
  });
  it("init containers: Init:0/2, Init:1/2, Init:CrashLoopBackOff, Init:Error, Init:ExitCode, then PodInitializing", () => {
    const spec = { initContainers: [container("init-a", "busybox"), container("init-b", "busybox")] };
    const done = { name: "init-a", ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } };
    const waitingInit = (name: string) => ({ name, ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } });
    const app = { name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } };
    const cond = [{ type: "Initialized", status: "False" }];
    expect(row(R.pods, pod("i", { phase: "Pending", conditions: cond, initContainerStatuses: [{ name: "init-a", ready: false, restartCount: 0, state: { running: { startedAt: ago(5) } } }, waitingInit("init-b")], containerStatuses: [app] }, spec)).Status).toBe("Init:0/2");
    expect(row(R.pods, pod("i", { phase: "Pending", conditions: cond, initContainerStatuses: [done, { name: "init-b", ready: false, restartCount: 0, state: { running: {} } }], containerStatuses: [app] }, spec)).Status).toBe("Init:1/2");
    const crash = pod("i", {
      phase: "Pending",
      conditions: cond,
      initContainerStatuses: [{ name: "init-a", ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } } }, waitingInit("init-b")],
      containerStatuses: [app],
    }, spec);
    expect(row(R.pods, crash)).toMatchObject({ Ready: "0/1", Status: "Init:CrashLoopBackOff", Restarts: "4 (30s ago)" });
    expect(row(R.pods, pod("i", { phase: "Pending", conditions: cond, initContainerStatuses: [{ name: "init-a", ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error" } } }] }, spec)).Status).toBe("Init:Error");
    expect(row(R.pods, pod("i", { phase: "Pending", conditions: cond, initContainerStatuses: [{ name: "init-a", ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } }] }, spec)).Status).toBe("Init:ExitCode:3");
    const initialized = pod("i", { phase: "Pending", conditions: [{ type: "Initialized", status: "True" }], initContainerStatuses: [done, { ...done, name: "init-b" }], containerStatuses: [app] }, spec);
    expect(row(R.pods, initialized).Status).toBe("PodInitializing");
  });
  it("sidecars (restartable init containers) count toward READY once started", () => {
    const spec = { initContainers: [{ ...container("proxy", "envoy"), restartPolicy: "Always" }] };
    const p = pod("side", {
      phase: "Running",
      conditions: readyConds(true),
      initContainerStatuses: [running("proxy", { restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(90) } } })],
      containerStatuses: [running("app")],
    }, spec);
    expect(row(R.pods, p)).toMatchObject({ Ready: "2/2", Status: "Running", Restarts: "1 (90s ago)" });
  });
  it("NotReady when a container completed, another runs, and the pod is not Ready; Running when it is", () => {
    const statuses = [{ name: "job", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }, running("app")];
    const spec = { containers: [container("job"), container("app")] };
    expect(row(R.pods, pod("nr", { phase: "Running", conditions: readyConds(false), containerStatuses: statuses }, spec))).toMatchObject({ Ready: "1/2", Status: "NotReady" });
    expect(row(R.pods, pod("nr", { phase: "Running", conditions: readyConds(true), containerStatuses: statuses }, spec)).Status).toBe("Running");
  });
  it("SchedulingGated while scheduling gates hold the pod", () => {
    const p = pod("g", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] }, { nodeName: undefined, schedulingGates: [{ name: "example.com/gate" }] });
    expect(row(R.pods, p).Status).toBe("SchedulingGated");
  });
  it("wide columns: IP from podIPs, nominated node, readiness gates as true/total", () => {
    const p = pod("wide", {
      phase: "Running",
      podIPs: [{ ip: "10.0.0.9" }, { ip: "fd00::9" }],
      nominatedNodeName: "node-2",
      conditions: [...readyConds(true), { type: "example.com/lb", status: "True" }, { type: "example.com/dns", status: "False" }],
      containerStatuses: [running("app")],
    }, { readinessGates: [{ conditionType: "example.com/lb" }, { conditionType: "example.com/dns" }] });
    expect(row(R.pods, p)).toMatchObject({ IP: "10.0.0.9", Node: "node-1", "Nominated Node": "node-2", "Readiness Gates": "1/2" });
  });
  it("a pod without a creation time has AGE <unknown>", () => {
    const p = pod("x", { phase: "Pending" }, {}, { creationTimestamp: undefined });
    expect(row(R.pods, p).Age).toBe("<unknown>");
  });
});

// ---- Nodes, namespaces ----

function node(name: string, ready: string | undefined, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `uid-${name}`, creationTimestamp: ago(51 * 3600), labels },
    spec: {},
    status: {
      conditions: [{ type: "MemoryPressure", status: "False" }, ...(ready ? [{ type: "Ready", status: ready, reason: "KubeletReady" }] : [])],
      addresses: [{ type: "InternalIP", address: "172.18.0.2" }, { type: "Hostname", address: name }],
      nodeInfo: { kubeletVersion: "v1.32.0", osImage: "Debian GNU/Linux 12 (bookworm)", kernelVersion: "6.8.0", containerRuntimeVersion: "containerd://1.7.24" },
    },
    ...extra,
  };
}

describe("Node", () => {
  it("a ready control-plane node", () => {
    const n = node("cp-1", "True", {}, { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "cp-1" });
    expect(cells(R.nodes, n)).toEqual(["cp-1", "Ready", "control-plane", "2d3h", "v1.32.0", "172.18.0.2", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.8.0", "containerd://1.7.24"]);
  });
  it("NotReady for a False or Unknown Ready condition, Unknown without one", () => {
    expect(row(R.nodes, node("n", "False")).Status).toBe("NotReady");
    expect(row(R.nodes, node("n", "Unknown")).Status).toBe("NotReady");
    expect(row(R.nodes, node("n", undefined)).Status).toBe("Unknown");
  });
  it("cordoned nodes add SchedulingDisabled", () => {
    expect(row(R.nodes, node("n", "True", { spec: { unschedulable: true } })).Status).toBe("Ready,SchedulingDisabled");
    expect(row(R.nodes, node("n", undefined, { spec: { unschedulable: true } })).Status).toBe("Unknown,SchedulingDisabled");
  });
  it("ROLES: sorted, unique, from node-role.kubernetes.io/* keys and kubernetes.io/role; <none> otherwise", () => {
    const n = node("n", "True", {}, { "node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/infra": "x", "kubernetes.io/role": "worker", "node-role.kubernetes.io/": "" });
    expect(row(R.nodes, n).Roles).toBe("infra,worker");
    expect(row(R.nodes, node("n", "True")).Roles).toBe("<none>");
  });
  it("wide: external IP and <unknown> for missing node info", () => {
    const n = node("n", "True", {});
    n.status.addresses.push({ type: "ExternalIP", address: "203.0.113.7" });
    n.status.nodeInfo = { kubeletVersion: "v1.32.0" };
    expect(row(R.nodes, n)).toMatchObject({ "External-IP": "203.0.113.7", "OS-Image": "<unknown>", "Kernel-Version": "<unknown>", "Container-Runtime": "<unknown>" });
  });
});

describe("Namespace", () => {
  it("NAME STATUS AGE", () => {
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "dev", creationTimestamp: ago(90) }, status: { phase: "Active" } };
    expect(cells(R.namespaces, ns)).toEqual(["dev", "Active", "90s"]);
    ns.status.phase = "Terminating";
    expect(cells(R.namespaces, ns)[1]).toBe("Terminating");
  });
});

// ---- Services and endpoints ----

function svc(name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return obj("v1", "Service", name, { spec, status });
}

describe("Service", () => {
  it("ClusterIP: ports as port/protocol, selector in the wide column", () => {
    const s = svc("web", { type: "ClusterIP", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"], ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }, { name: "dns", port: 53, protocol: "UDP" }], selector: { tier: "fe", app: "web" } });
    expect(cells(R.services, s)).toEqual(["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP,53/UDP", "5m", "app=web,tier=fe"]);
  });
  it("NodePort shows port:nodePort/protocol; externalIPs are listed", () => {
    const s = svc("np", { type: "NodePort", clusterIP: "10.96.1.1", externalIPs: ["1.2.3.4", "5.6.7.8"], ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }] });
    expect(row(R.services, s)).toMatchObject({ "External-IP": "1.2.3.4,5.6.7.8", "Port(s)": "80:30080/TCP", Selector: "<none>" });
  });
  it("LoadBalancer: <pending> without ingress, else the ingress IPs and hostnames, sorted, then externalIPs", () => {
    expect(row(R.services, svc("lb", { type: "LoadBalancer", clusterIP: "10.96.2.2", ports: [{ port: 443, nodePort: 31443, protocol: "TCP" }] }))["External-IP"]).toBe("<pending>");
    const ready = svc("lb", { type: "LoadBalancer", clusterIP: "10.96.2.2", ports: [] }, { loadBalancer: { ingress: [{ ip: "203.0.113.9" }, { hostname: "a.example.com" }, { ip: "203.0.113.9" }] } });
    expect(row(R.services, ready)).toMatchObject({ "External-IP": "203.0.113.9,a.example.com", "Port(s)": "<none>" });
    const both = svc("lb", { type: "LoadBalancer", clusterIP: "10.96.2.2", externalIPs: ["9.9.9.9"] }, { loadBalancer: { ingress: [{ ip: "1.1.1.1" }] } });
    expect(row(R.services, both)["External-IP"]).toBe("1.1.1.1,9.9.9.9");
  });
  it("ExternalName prints the external name and no cluster IP; headless prints None", () => {
    expect(row(R.services, svc("ext", { type: "ExternalName", externalName: "db.example.com" }))).toMatchObject({ "Cluster-IP": "<none>", "External-IP": "db.example.com", "Port(s)": "<none>" });
    expect(row(R.services, svc("h", { type: "ClusterIP", clusterIP: "None", ports: [{ port: 5432, protocol: "TCP" }] }))["Cluster-IP"]).toBe("None");
  });
  it("assumes the API defaults (type ClusterIP, protocol TCP) when they are absent", () => {
    expect(row(R.services, svc("d", { clusterIP: "10.96.3.3", ports: [{ port: 8080 }] }))).toMatchObject({ Type: "ClusterIP", "Port(s)": "8080/TCP" });
  });
});

describe("Endpoints", () => {
  it("ip:port for ready addresses, up to three then + N more...", () => {
    const ep = obj("v1", "Endpoints", "web", {
      subsets: [{ addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], notReadyAddresses: [{ ip: "10.0.0.9" }], ports: [{ port: 8080, protocol: "TCP" }, { name: "m", port: 9090, protocol: "TCP" }] }],
    });
    expect(cells(R.endpoints, ep)).toEqual(["web", "10.0.0.1:8080,10.0.0.2:8080,10.0.0.1:9090 + 1 more...", "5m"]);
  });
  it("<none> without subsets; bare IPs without ports; brackets for IPv6", () => {
    expect(cells(R.endpoints, obj("v1", "Endpoints", "e"))[1]).toBe("<none>");
    expect(cells(R.endpoints, obj("v1", "Endpoints", "e", { subsets: [{ addresses: [{ ip: "10.0.0.1" }] }] }))[1]).toBe("10.0.0.1");
    expect(cells(R.endpoints, obj("v1", "Endpoints", "e", { subsets: [{ addresses: [{ ip: "fd00::1" }], ports: [{ port: 80 }] }] }))[1]).toBe("[fd00::1]:80");
  });
});

describe("EndpointSlice", () => {
  it("ports, addresses (three, then + N more...), <unset> when empty", () => {
    const slice = obj("discovery.k8s.io/v1", "EndpointSlice", "web-abc12", {
      addressType: "IPv4",
      ports: [{ name: "http", port: 80, protocol: "TCP" }, { name: "named" }, {}],
      endpoints: [{ addresses: ["10.0.0.1"] }, { addresses: ["10.0.0.2", "10.0.0.3"] }, { addresses: ["10.0.0.4"] }, { addresses: ["10.0.0.5"] }],
    });
    expect(cells(R.endpointslices, slice)).toEqual(["web-abc12", "IPv4", "80,named,*", "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...", "5m"]);
    expect(cells(R.endpointslices, obj("discovery.k8s.io/v1", "EndpointSlice", "e", { addressType: "IPv6", endpoints: [] }))).toEqual(["e", "IPv6", "<unset>", "<unset>", "5m"]);
  });
});

// ---- apps ----

const template = (containers = [container("nginx", "nginx:1.27"), container("sidecar", "busybox:1.36")], extra: Record<string, unknown> = {}) => ({
  metadata: { labels: { app: "web" } },
  spec: { containers, ...extra },
});

describe("Deployment", () => {
  it("READY ready/desired, UP-TO-DATE, AVAILABLE; wide CONTAINERS IMAGES SELECTOR", () => {
    const d = obj("apps/v1", "Deployment", "web", { spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: template() }, status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } });
    expect(cells(R.deployments, d)).toEqual(["web", "2/3", 3, 2, "5m", "nginx,sidecar", "nginx:1.27,busybox:1.36", "app=web"]);
  });
  it("a new deployment with no status; replicas defaults to 1; an empty selector prints empty", () => {
    const d = obj("apps/v1", "Deployment", "new", { spec: { selector: {}, template: template([container("c", "img")]) } });
    expect(cells(R.deployments, d)).toEqual(["new", "0/1", 0, 0, "5m", "c", "img", ""]);
  });
});

describe("ReplicaSet", () => {
  it("DESIRED CURRENT READY as integers, selector with expressions", () => {
    const rs = obj("apps/v1", "ReplicaSet", "web-7d9f8", {
      spec: { replicas: 3, selector: { matchLabels: { app: "web", "pod-template-hash": "7d9f8" } }, template: template([container("nginx")]) },
      status: { replicas: 3, readyReplicas: 1, availableReplicas: 1 },
    });
    expect(cells(R.replicasets, rs)).toEqual(["web-7d9f8", 3, 3, 1, "5m", "nginx", "nginx:1.27", "app=web,pod-template-hash=7d9f8"]);
    rs.spec.replicas = 0;
    expect(cells(R.replicasets, rs)[1]).toBe(0);
  });
});

describe("DaemonSet", () => {
  it("counts, node selector, selector", () => {
    const ds = obj("apps/v1", "DaemonSet", "fluentd", {
      spec: { selector: { matchLabels: { name: "fluentd" } }, template: template([container("fluentd", "fluentd:v1")], { nodeSelector: { "kubernetes.io/os": "linux" } }) },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    });
    expect(cells(R.daemonsets, ds)).toEqual(["fluentd", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "5m", "fluentd", "fluentd:v1", "name=fluentd"]);
    ds.spec.template.spec.nodeSelector = undefined;
    ds.status = {};
    expect(cells(R.daemonsets, ds).slice(1, 7)).toEqual([0, 0, 0, 0, 0, "<none>"]);
  });
});

describe("StatefulSet", () => {
  it("READY ready/desired and wide containers", () => {
    const sts = obj("apps/v1", "StatefulSet", "db", { spec: { replicas: 3, serviceName: "db", selector: { matchLabels: { app: "db" } }, template: template([container("pg", "postgres:17")]) }, status: { replicas: 3, readyReplicas: 3 } });
    expect(cells(R.statefulsets, sts)).toEqual(["db", "3/3", "5m", "pg", "postgres:17"]);
  });
});

// ---- batch ----

function job(name: string, spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return obj("batch/v1", "Job", name, { spec: { selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u1" } }, template: template([container("pi", "perl:5.34")]), ...spec }, status }, meta);
}

describe("Job", () => {
  it("Complete: COMPLETIONS succeeded/completions, DURATION from start to completion", () => {
    const j = job("pi", { completions: 1, parallelism: 1 }, { succeeded: 1, startTime: ago(300), completionTime: ago(262), conditions: [{ type: "SuccessCriteriaMet", status: "True" }, { type: "Complete", status: "True" }] });
    expect(cells(R.jobs, j)).toEqual(["pi", "Complete", "1/1", "38s", "5m", "pi", "perl:5.34", "batch.kubernetes.io/controller-uid=u1"]);
  });
  it("Running: duration so far; parallel jobs without completions show N/1 of P", () => {
    expect(row(R.jobs, job("r", { completions: 5 }, { active: 1, succeeded: 2, startTime: ago(200) }))).toMatchObject({ Status: "Running", Completions: "2/5", Duration: "3m20s" });
    expect(row(R.jobs, job("p", { parallelism: 3 }, { active: 3 })).Completions).toBe("0/1 of 3");
    expect(row(R.jobs, job("s", {}, {}))).toMatchObject({ Completions: "0/1", Duration: "" });
  });
  it("Failed, Suspended, FailureTarget, Terminating, in the real precedence", () => {
    expect(row(R.jobs, job("f", { completions: 1 }, { failed: 7, conditions: [{ type: "FailureTarget", status: "True" }, { type: "Failed", status: "True", reason: "BackoffLimitExceeded" }] })).Status).toBe("Failed");
    expect(row(R.jobs, job("s", { suspend: true }, { conditions: [{ type: "Suspended", status: "True" }] })).Status).toBe("Suspended");
    expect(row(R.jobs, job("t", {}, { conditions: [{ type: "FailureTarget", status: "True" }] })).Status).toBe("FailureTarget");
    expect(row(R.jobs, job("d", {}, { conditions: [{ type: "Suspended", status: "True" }] }, { deletionTimestamp: ago(1) })).Status).toBe("Terminating");
    expect(row(R.jobs, job("c", {}, { conditions: [{ type: "Complete", status: "False" }] })).Status).toBe("Running");
  });
});

describe("CronJob", () => {
  it("schedule, timezone, suspend, active, last schedule; wide job template", () => {
    const cj = obj("batch/v1", "CronJob", "hello", {
      spec: { schedule: "*/1 * * * *", timeZone: "Etc/UTC", suspend: false, jobTemplate: { spec: { template: template([container("hello", "busybox:1.36")]) } } },
      status: { active: [{ kind: "Job", name: "hello-1" }], lastScheduleTime: ago(42) },
    });
    expect(cells(R.cronjobs, cj)).toEqual(["hello", "*/1 * * * *", "Etc/UTC", "False", 1, "42s", "5m", "hello", "busybox:1.36", "<none>"]);
  });
  it("<none> timezone and last schedule; suspend True", () => {
    const cj = obj("batch/v1", "CronJob", "c", { spec: { schedule: "@hourly", suspend: true, jobTemplate: { spec: { template: template([]) } } }, status: {} });
    expect(cells(R.cronjobs, cj).slice(0, 6)).toEqual(["c", "@hourly", "<none>", "True", 0, "<none>"]);
  });
});

// ---- config and the rest ----

describe("ConfigMap, Secret, ServiceAccount", () => {
  it("ConfigMap DATA counts data and binaryData keys", () => {
    expect(cells(R.configmaps, obj("v1", "ConfigMap", "cfg", { data: { a: "1", b: "2" }, binaryData: { c: "AA==" } }))).toEqual(["cfg", 3, "5m"]);
    expect(cells(R.configmaps, obj("v1", "ConfigMap", "kube-root-ca.crt", {}))).toEqual(["kube-root-ca.crt", 0, "5m"]);
  });
  it("Secret TYPE and DATA", () => {
    expect(cells(R.secrets, obj("v1", "Secret", "tls", { type: "kubernetes.io/tls", data: { "tls.crt": "x", "tls.key": "y" } }))).toEqual(["tls", "kubernetes.io/tls", 2, "5m"]);
    expect(cells(R.secrets, obj("v1", "Secret", "s", { data: { a: "eA==" }, stringData: { a: "x", b: "y" } }))).toEqual(["s", "Opaque", 2, "5m"]);
  });
  it("ServiceAccount SECRETS counts secret references", () => {
    expect(cells(R.serviceaccounts, obj("v1", "ServiceAccount", "default", {}))).toEqual(["default", 0, "5m"]);
    expect(cells(R.serviceaccounts, obj("v1", "ServiceAccount", "bot", { secrets: [{ name: "bot-token" }] }))).toEqual(["bot", 1, "5m"]);
  });
});

describe("ResourceQuota", () => {
  it("REQUEST and LIMIT as sorted name: used/hard with canonical quantities", () => {
    const rq = obj("v1", "ResourceQuota", "compute", {
      spec: { hard: { "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2Gi", pods: "10" } },
      status: {
        hard: { "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2", "limits.memory": "2048Mi", pods: "10" },
        used: { "requests.cpu": "500m", "requests.memory": "512Mi", "limits.cpu": "1000m", pods: "3" },
      },
    });
    expect(cells(R.resourcequotas, rq)).toEqual(["compute", "pods: 3/10, requests.cpu: 500m/1, requests.memory: 512Mi/1Gi", "limits.cpu: 1/2, limits.memory: 0/2Gi", "5m"]);
    expect(cells(R.resourcequotas, obj("v1", "ResourceQuota", "new", { spec: { hard: { pods: "1" } } }))).toEqual(["new", "", "", "5m"]);
  });
});

describe("Lease and PriorityClass", () => {
  it("Lease HOLDER", () => {
    expect(cells(R.leases, obj("coordination.k8s.io/v1", "Lease", "node-1", { spec: { holderIdentity: "node-1", leaseDurationSeconds: 40 } }))).toEqual(["node-1", "node-1", "5m"]);
    expect(cells(R.leases, obj("coordination.k8s.io/v1", "Lease", "free", { spec: {} }))).toEqual(["free", "", "5m"]);
  });
  it("PriorityClass VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY", () => {
    const pc: KubeObject = { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "system-node-critical", creationTimestamp: ago(3 * 86400) }, value: 2000001000, preemptionPolicy: "PreemptLowerPriority" };
    expect(cells(R.priorityclasses, pc)).toEqual(["system-node-critical", 2000001000, false, "3d", "PreemptLowerPriority"]);
    const never: KubeObject = { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "batch", creationTimestamp: ago(10) }, value: 1000, globalDefault: true, preemptionPolicy: "Never" };
    expect(cells(R.priorityclasses, never)).toEqual(["batch", 1000, true, "10s", "Never"]);
  });
});

describe("HorizontalPodAutoscaler", () => {
  const hpa = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) =>
    obj("autoscaling/v2", "HorizontalPodAutoscaler", "web", { spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 10, ...spec }, status });
  const cpu = (averageUtilization: number) => ({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization } } });

  it("resource utilization, current from status", () => {
    const h = hpa({ minReplicas: 2, metrics: [cpu(50)] }, { currentReplicas: 3, desiredReplicas: 3, currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 34, averageValue: "34m" } } }] });
    expect(cells(R.hpas, h)).toEqual(["web", "Deployment/web", "cpu: 34%/50%", "2", 10, 3, "5m"]);
  });
  it("<unknown> before metrics arrive; minReplicas and the CPU metric as defaulted", () => {
    expect(cells(R.hpas, hpa({ metrics: [cpu(80)] }))).toEqual(["web", "Deployment/web", "cpu: <unknown>/80%", "1", 10, 0, "5m"]);
    expect(cells(R.hpas, hpa({}))[2]).toBe("cpu: <unknown>/80%");
  });
  it("average values, pods, object and external metrics, at most two then + N more...", () => {
    const metrics = [
      { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "512Mi" } } },
      { type: "Pods", pods: { metric: { name: "qps" }, target: { type: "AverageValue", averageValue: "1k" } } },
      { type: "Object", object: { metric: { name: "hits" }, describedObject: { kind: "Ingress", name: "main" }, target: { type: "Value", value: "10k" } } },
    ];
    const status = { currentMetrics: [{ type: "Resource", resource: { name: "memory", current: { averageValue: "262144Ki" } } }, { type: "Pods", pods: { metric: { name: "qps" }, current: { averageValue: "1500m" } } }] };
    expect(cells(R.hpas, hpa({ metrics }, status))[2]).toBe("memory: 256Mi/512Mi, 1500m/1k + 1 more...");
    const ext = [{ type: "External", external: { metric: { name: "queue" }, target: { type: "AverageValue", averageValue: "30" } } }, { type: "Object", object: { metric: { name: "hits" }, target: { type: "Value", value: "10k" } } }];
    expect(cells(R.hpas, hpa({ metrics: ext }))[2]).toBe("<unknown>/30 (avg), <unknown>/10k");
    const container = [{ type: "ContainerResource", containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 60 } } }];
    expect(cells(R.hpas, hpa({ metrics: container }, { currentMetrics: [{ type: "ContainerResource", containerResource: { name: "cpu", container: "app", current: { averageUtilization: 12 } } }] }))[2]).toBe("cpu: 12%/60%");
  });
});

// ---- Events ----

describe("Event", () => {
  const core = (extra: Record<string, unknown> = {}) =>
    obj("v1", "Event", "web-1.17f3a", {
      involvedObject: { kind: "Pod", namespace: "default", name: "web-1", uid: "u", apiVersion: "v1", fieldPath: "spec.containers{app}" },
      reason: "BackOff",
      message: "Back-off restarting failed container app in pod web-1_default(u)\n",
      source: { component: "kubelet", host: "node-1" },
      firstTimestamp: ago(600),
      lastTimestamp: ago(45),
      count: 7,
      type: "Warning",
      eventTime: null,
      reportingComponent: "kubelet",
      reportingInstance: "node-1",
      ...extra,
    });

  it("LAST SEEN TYPE REASON OBJECT [SUBOBJECT SOURCE] MESSAGE [FIRST SEEN COUNT NAME]", () => {
    expect(cells(R.events, core())).toEqual(["45s", "Warning", "BackOff", "pod/web-1", "spec.containers{app}", "kubelet, node-1", "Back-off restarting failed container app in pod web-1_default(u)", "10m", 7, "web-1.17f3a"]);
  });
  it("no lastTimestamp falls back to first seen; count 0 means 1; a kind without name", () => {
    const e = core({ lastTimestamp: null, count: 0, involvedObject: { kind: "Node" }, source: { component: "default-scheduler" }, reportingInstance: "" });
    expect(row(R.events, e)).toMatchObject({ "Last Seen": "10m", "First Seen": "10m", Count: 1, Object: "node", Source: "default-scheduler" });
  });
  it("new-style core events: eventTime, series, reportingController", () => {
    const e = core({ firstTimestamp: null, lastTimestamp: null, count: undefined, source: {}, eventTime: "2025-01-10T11:55:00.000000Z", series: { count: 4, lastObservedTime: "2025-01-10T11:59:30.123456Z" }, reportingController: "default-scheduler", reportingInstance: "sched-1" });
    expect(row(R.events, e)).toMatchObject({ "Last Seen": "29s", "First Seen": "5m", Count: 4, Source: "default-scheduler, sched-1" });
  });
  it("missing times print <unknown>", () => {
    expect(row(R.events, core({ firstTimestamp: null, lastTimestamp: null }))["Last Seen"]).toBe("<unknown>");
  });
  it("events.k8s.io/v1 events print the same way from regarding, note and the deprecated fields", () => {
    const e: KubeObject = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "web.1", namespace: "default", creationTimestamp: ago(120) },
      eventTime: "2025-01-10T11:58:00.000000Z",
      reportingController: "deployment-controller",
      reportingInstance: "",
      action: "Scale",
      reason: "ScalingReplicaSet",
      regarding: { kind: "Deployment", namespace: "default", name: "web", apiVersion: "apps/v1" },
      note: "Scaled up replica set web-7d9f8 to 3",
      type: "Normal",
      deprecatedSource: { component: "deployment-controller" },
      deprecatedFirstTimestamp: ago(120),
      deprecatedLastTimestamp: ago(120),
      deprecatedCount: 1,
    };
    expect(cells(R.eventsV1, e)).toEqual(["2m", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller", "Scaled up replica set web-7d9f8 to 3", "2m", 1, "web.1"]);
  });
});

describe("every kind", () => {
  it("prints a cell for every column even from a bare object", () => {
    for (const r of RESOURCES.filter((x) => x.verbs.includes("get"))) {
      const bare: KubeObject = { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, metadata: { name: "bare" } };
      const c = cells(r, bare);
      expect(c, r.kind).toHaveLength(columnDefinitions(r).length);
      expect(c.every((v) => v !== undefined && v !== null), r.kind).toBe(true);
      expect(JSON.parse(JSON.stringify(toTable(r, [bare], { now: NOW })))).toBeTruthy();
    }
  });
});
