// The Deploy view's pure logic (web/src/views/deploy/*.ts): YAML field paths to lines, manifests
// from the form, REST paths, apply results. Runs in Node: no DOM needed.
import { describe, expect, it } from "vitest";
import { ApiError } from "../../web/src/api";
import { applyAll, applyObject } from "../../web/src/views/deploy/apply";
import { buildManifest, containerNameFor, formFieldFor, initialForm, localProblems, parseKeyValues } from "../../web/src/views/deploy/form";
import { formReport, yamlReport } from "../../web/src/views/deploy/report";
import { applyPath, collectionPath, defaultNamespace, kubectlRef, resourceFor } from "../../web/src/views/deploy/resources";
import { TEMPLATE_KEYS, TEMPLATES } from "../../web/src/views/deploy/templates";
import { insertIndent, lineStarts, locateField, offsetToLine, parseFieldPath, parseManifests } from "../../web/src/views/deploy/yaml";

const tr = (k: string, v?: Record<string, string | number>) => `${k}${v ? JSON.stringify(v) : ""}`;

describe("deploy-yaml", () => {
  it("parses field paths with indexes and bracketed keys", () => {
    expect(parseFieldPath("spec.template.spec.containers[0].image")).toEqual(["spec", "template", "spec", "containers", 0, "image"]);
    expect(parseFieldPath("spec.containers[0].resources.requests[cpu]")).toEqual(["spec", "containers", 0, "resources", "requests", "cpu"]);
    expect(parseFieldPath("metadata.labels[app.kubernetes.io/name]")).toEqual(["metadata", "labels", "app.kubernetes.io/name"]);
  });
  it("maps offsets to lines", () => {
    const s = lineStarts("a\nbb\n\nc");
    expect(s).toEqual([0, 2, 5, 6]);
    expect([0, 1, 2, 4, 5, 6].map((o) => offsetToLine(s, o))).toEqual([1, 1, 2, 2, 3, 4]);
  });
  it("locates fields, falling back to the nearest ancestor", () => {
    const src = TEMPLATES.Deployment.replace("        image: nginx:1.14.2\n", "");
    const [m] = parseManifests(src).manifests;
    const st = lineStarts(src);
    expect(locateField(m.doc, "spec.replicas", st)).toEqual({ line: 8, exact: true });
    expect(locateField(m.doc, "metadata.name", st)).toEqual({ line: 4, exact: true });
    expect(locateField(m.doc, "spec.template.spec.containers[0].image", st)).toEqual({ line: 18, exact: false });
    expect(locateField(m.doc, "spec.template.spec.containers[0].resources.requests[cpu]", st).line).toBe(23);
  });
  it("splits documents and reports lines in the whole text", () => {
    const { manifests, syntax } = parseManifests(TEMPLATES["Deployment+Service"] + "---\n");
    expect(syntax).toEqual([]);
    expect(manifests.map((m) => m.line)).toEqual([1, 29]);
    expect(locateField(manifests[1].doc, "spec.ports[0].port", lineStarts(TEMPLATES["Deployment+Service"])).line).toBe(38);
  });
  it("reports one syntax error per line, with its line and column", () => {
    const { manifests, syntax } = parseManifests("apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n  - name: x\n");
    expect(manifests).toEqual([]);
    expect(syntax).toHaveLength(1);
    expect(syntax[0].line).toBe(5);
  });
  it("indents with two spaces", () => {
    expect(insertIndent("ab", 1, 1)).toEqual({ text: "a  b", caret: 3 });
  });
  it("has templates that parse as one object each (two for Deployment+Service)", () => {
    for (const k of TEMPLATE_KEYS) {
      const { manifests, syntax } = parseManifests(TEMPLATES[k]);
      expect(syntax).toEqual([]);
      expect(manifests.length).toBe(k.includes("+") ? 2 : 1);
      for (const m of manifests) expect((m.object as { metadata: { namespace?: string } }).metadata.namespace).toBeUndefined();
    }
  });
});

describe("deploy-resources", () => {
  it("finds REST paths and kubectl names", () => {
    const d = resourceFor("apps/v1", "Deployment")!;
    expect(collectionPath(d, "student-a")).toBe("/apis/apps/v1/namespaces/student-a/deployments");
    expect(applyPath(d, "student-a", "web")).toBe("/apis/apps/v1/namespaces/student-a/deployments/web?fieldManager=kubeclass-web&force=true");
    expect(kubectlRef(d, "web")).toBe("deployment.apps/web");
    expect(kubectlRef(resourceFor("v1", "Pod")!, "p")).toBe("pod/p");
    expect(collectionPath(resourceFor("v1", "Namespace")!, "ignored")).toBe("/api/v1/namespaces");
    expect(resourceFor("v1", "Deployment")).toBeUndefined();
    expect(defaultNamespace({ role: "student", namespace: "student-a" })).toBe("student-a");
    expect(defaultNamespace({ role: "instructor" })).toBe("default");
  });
});

describe("deploy-form", () => {
  it("builds a Deployment whose selector matches its template", () => {
    const m = buildManifest({ ...initialForm(), name: "web", image: "nginx:1.27", replicas: "3", cpuLimit: "1", nodeSelector: "disk=ssd" }) as any;
    expect(m.kind).toBe("Deployment");
    expect(m.spec.replicas).toBe(3);
    expect(m.spec.selector.matchLabels).toEqual({ app: "web" });
    expect(m.spec.template.metadata.labels).toEqual({ app: "web" });
    expect(m.spec.template.spec.containers[0]).toEqual({ name: "nginx", image: "nginx:1.27", resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1" } } });
    expect(m.spec.template.spec.nodeSelector).toEqual({ disk: "ssd" });
  });
  it("leaves empty inputs out so the server names them", () => {
    const m = buildManifest({ ...initialForm(), kind: "Pod", name: "", image: "", cpuRequest: "", memoryRequest: "" }) as any;
    expect(m.metadata.name).toBeUndefined();
    expect(m.spec.containers[0].image).toBeUndefined();
    expect(m.spec.containers[0].resources).toBeUndefined();
  });
  it("parses key=value lists", () => {
    expect(parseKeyValues("a=1, b , c=d=e")).toEqual({ map: { a: "1", c: "d=e" }, bad: ["b"] });
    expect(localProblems({ ...initialForm(), labels: "x" })).toEqual([{ field: "labels", bad: ["x"] }]);
    expect(containerNameFor("registry.k8s.io/pause:3.10", "x")).toBe("pause");
  });
  it("maps API field paths to inputs", () => {
    expect(formFieldFor("spec.template.spec.containers[0].resources.requests[cpu]", "", "Deployment")).toBe("cpuRequest");
    expect(formFieldFor("spec.template.spec.containers[0].resources.requests", "must be less than or equal to memory limit of 1Gi", "Deployment")).toBe("memoryRequest");
    expect(formFieldFor("spec.containers[0].resources.limits.memory", "", "Pod")).toBe("memoryLimit");
    expect(formFieldFor("spec.containers[0].image", "", "Pod")).toBe("image");
    expect(formFieldFor("metadata.name", "", "Pod")).toBe("name");
    expect(formFieldFor("spec.selector", "", "Deployment")).toBe("labels");
    expect(formFieldFor("spec.replicas", "", "Deployment")).toBe("replicas");
    expect(formFieldFor("spec.template.spec.nodeSelector[x]", "", "Deployment")).toBe("nodeSelector");
    expect(formFieldFor("spec.template.spec.containers[0].ports[0].containerPort", "", "Deployment")).toBeUndefined();
  });
});

describe("deploy-apply + deploy-report", () => {
  const invalid = new ApiError(422, 'Deployment.apps "nginx-deployment" is invalid: [...]', "Invalid", [{ field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" }]);
  it("applies with server-side apply and tells created from configured", async () => {
    const calls: string[] = [];
    const existing = new Set(["/apis/apps/v1/namespaces/s/deployments"]);
    const api = { async k8s(method: string, path: string, _b?: unknown, ct?: string) {
      calls.push(`${method} ${path} ${ct ?? ""}`.trim());
      if (method === "GET") return { items: existing.has(path.split("?")[0]) ? [{}] : [] };
      return { metadata: { name: "x", namespace: "s" } };
    } };
    expect(await applyObject(api, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" } }, "s")).toEqual({ ref: "deployment.apps/x", verb: "configured", key: "s/x" });
    expect(await applyObject(api, { apiVersion: "v1", kind: "Pod", metadata: { name: "x" } }, "s")).toMatchObject({ ref: "pod/x", verb: "created" });
    expect(calls).toContain("PATCH /apis/apps/v1/namespaces/s/deployments/x?fieldManager=kubeclass-web&force=true application/apply-patch+yaml");
  });
  it("falls back to create on 415", async () => {
    const api = { async k8s(method: string) {
      if (method === "PATCH") throw new ApiError(415, "unsupported");
      if (method === "GET") return { items: [] };
      return { metadata: { name: "x", namespace: "s" } };
    } };
    expect((await applyObject(api, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }, "s")).verb).toBe("created");
  });
  it("puts field causes at their YAML line and the rest in boxes", async () => {
    const src = TEMPLATES.Deployment + "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: other\n---\nkind: Pod\n";
    const { manifests } = parseManifests(src);
    const api = { async k8s(method: string, path: string) {
      if (method === "GET") return { items: [] };
      if (path.includes("/deployments/")) throw invalid;
      throw new ApiError(403, 'pods "p" is forbidden: …', "Forbidden");
    } };
    const r = yamlReport(manifests, await applyAll(api, manifests.map((m) => m.object), "s"), lineStarts(src), tr);
    expect(r.lines).toEqual([
      { line: 8, field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" },
      { line: 35, field: "apiVersion", message: "problem.noApiVersion{}" },
    ]);
    expect(r.headlines).toEqual(['Deployment.apps "nginx-deployment" is invalid']);
    expect(r.boxes).toEqual([{ title: "Error from server (Forbidden)", message: 'pods "p" is forbidden: …', hint: undefined }]);
  });
  it("puts field causes at form inputs", async () => {
    const api = { async k8s(method: string) { if (method === "GET") return { items: [] }; throw invalid; } };
    const m = buildManifest(initialForm());
    const r = formReport("Deployment", m, await applyAll(api, [m], "s"), tr);
    expect(r.inputs).toEqual([{ input: "replicas", field: "spec.replicas", message: "Invalid value: -1: must be greater than or equal to 0" }]);
  });
});
