// The real kubectl (the dispatcher picks 1.32 from our /version) against `wrangler dev`.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { e2eSuite } from "./harness";

const fixture = (f: string) => resolve(__dirname, "../fixtures", f);
const suite = e2eSuite();

/** A new classroom without nodes (pods stay Pending) and a kubectl with its instructor kubeconfig. */
const classroom = () => suite.classroom({ name: "e2e", nodes: 0 });

describe("kubectl against a classroom", () => {
  it("version and api-resources", async () => {
    const { ok } = await classroom();
    expect(await ok("version")).toMatch(/Server Version: v1\.32\.\d+/);
    const res = await ok("api-resources");
    expect(res).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND/m);
    expect(res).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(res).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(res).toMatch(/^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2\s+true\s+HorizontalPodAutoscaler$/m);
    expect(res).toMatch(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
  });

  it("typed create commands (protobuf bodies) and can-i", async () => {
    const { ok, k } = await classroom();
    expect(await ok("create", "namespace", "demo")).toBe("namespace/demo created\n");
    expect(await ok("create", "configmap", "app-config", "--from-literal=color=blue", "-n", "demo")).toBe("configmap/app-config created\n");
    expect(await ok("create", "secret", "generic", "db", "--from-literal=password=s3cret", "-n", "demo")).toBe("secret/db created\n");
    expect(await ok("get", "configmap", "app-config", "-n", "demo", "-o", "jsonpath={.data.color}")).toBe("blue");
    expect(atob(await ok("get", "secret", "db", "-n", "demo", "-o", "jsonpath={.data.password}"))).toBe("s3cret");
    expect(await ok("create", "deployment", "api", "--image=nginx:1.25", "--replicas=2", "--port=80", "-n", "demo")).toBe("deployment.apps/api created\n");
    expect(await ok("create", "service", "clusterip", "api", "--tcp=80:8080", "-n", "demo")).toBe("service/api created\n");
    expect(await ok("create", "job", "hello", "--image=busybox", "-n", "demo", "--", "echo", "hi")).toBe("job.batch/hello created\n");
    expect(await ok("get", "deploy", "api", "-n", "demo", "-o", "jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].ports[0].containerPort}")).toBe("2 api 80");
    expect(await ok("get", "svc", "api", "-n", "demo", "-o", "jsonpath={.spec.ports[0].port}:{.spec.ports[0].targetPort}")).toBe("80:8080");
    expect(await ok("get", "job", "hello", "-n", "demo", "-o", "jsonpath={.spec.template.spec.containers[0].command}")).toBe('["echo","hi"]');
    expect(await ok("auth", "can-i", "create", "pods")).toBe("yes\n");
    const dup = await k.run(["create", "namespace", "demo"]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('Error from server (AlreadyExists): namespaces "demo" already exists');
  });

  it("apply, re-apply unchanged, edit and apply configured; get with real columns", async () => {
    const { ok } = await classroom();
    const applied = await ok("apply", "-f", fixture("deployment.yaml"), "-f", fixture("service.yaml"), "-f", fixture("pod.yaml"));
    expect(applied).toBe("deployment.apps/web created\nservice/web created\npod/nginx created\n");
    expect(await ok("apply", "-f", fixture("deployment.yaml"))).toBe("deployment.apps/web unchanged\n");
    expect(await ok("apply", "-f", fixture("deployment-edited.yaml"))).toBe("deployment.apps/web configured\n");
    expect(await ok("get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.metadata.generation}")).toBe("4 nginx:1.25 2");

    const got = await ok("get", "pods,deploy,svc");
    expect(got).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    expect(got).toMatch(/^pod\/nginx\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    expect(got).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    // No nodes here: the Deployment's pods exist but stay Pending, so none is up to date and available.
    expect(got).toMatch(/^deployment\.apps\/web\s+0\/4\s+\d+\s+0\s+\d+s$/m);
    expect(got).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
    expect(got).toMatch(/^service\/web\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);

    expect(await ok("get", "pods", "-o", "wide")).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\nnginx\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>$/m);
    const yaml = await ok("get", "pod", "nginx", "-o", "yaml");
    expect(yaml).toMatch(/^kind: Pod$/m);
    expect(yaml).toMatch(/^ {2}uid: [0-9a-f-]{36}$/m);
    expect(yaml).toContain("kubectl.kubernetes.io/last-applied-configuration");
    expect(yaml).toMatch(/^ {2}phase: Pending$/m);

    const all = await ok("get", "all", "-A");
    expect(all).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    expect(all).toMatch(/^default\s+pod\/nginx\s+0\/1\s+Pending/m);
    expect(all).toMatch(/^default\s+service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/m);
    expect(all).toMatch(/^default\s+deployment\.apps\/web\s+0\/4/m);

    const webPods = (await ok("get", "pods", "-l", "app=web", "-o", "name")).trim().split("\n");
    expect(webPods).toContain("pod/nginx"); // and the Deployment's pods, which carry app=web too
    expect(webPods.every((p) => p === "pod/nginx" || /^pod\/web-[a-z0-9]+-[a-z0-9]{5}$/.test(p))).toBe(true);
    expect(await ok("get", "pods", "-l", "app!=web", "-o", "name")).toBe("");
  });

  it("get -w sees a pod created by a second kubectl", async () => {
    const { ok, k, another } = await classroom();
    await ok("apply", "-f", fixture("pod.yaml"));
    const w = k.spawnWatch(["get", "pods", "-w"]);
    await w.waitFor(/nginx\s+0\/1\s+Pending/);
    const second = another();
    expect((await second.run(["run", "late", "--image=nginx"])).stdout).toBe("pod/late created\n");
    await w.waitFor(/^late\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    await w.stop();

    // A single-object watch: kubectl drops the first event, so the server sends the current state
    // first; the change after it must show as a second row.
    const one = k.spawnWatch(["get", "pod", "nginx", "-w"]);
    await one.waitFor(/nginx\s+0\/1\s+Pending/);
    await ok("label", "pod", "nginx", "seen=yes");
    await one.waitFor(/nginx\s+0\/1\s+Pending[^\n]*\n(.*\n)*nginx\s+0\/1\s+Pending/);
    await one.stop();
  });

  it("label, annotate, patch merge/json/strategic, describe with events", async () => {
    const { ok, k } = await classroom();
    await ok("apply", "-f", fixture("pod.yaml"), "-f", fixture("deployment.yaml"));
    expect(await ok("label", "pod", "nginx", "tier=frontend")).toBe("pod/nginx labeled\n");
    expect(await ok("annotate", "pod", "nginx", "owner=ana")).toBe("pod/nginx annotated\n");
    expect(await ok("get", "pod", "nginx", "-o", "jsonpath={.metadata.labels.tier} {.metadata.annotations.owner}")).toBe("frontend ana");

    expect(await ok("patch", "deploy", "web", "--type=merge", "-p", '{"spec":{"replicas":2}}')).toBe("deployment.apps/web patched\n");
    expect(await ok("patch", "deploy", "web", "--type=json", "-p", '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.26"}]')).toBe("deployment.apps/web patched\n");
    expect(await ok("patch", "deploy", "web", "--type=strategic", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}')).toBe("deployment.apps/web patched\n");
    // A strategic merge puts a new list item first, as in the Kubernetes docs' `kubectl patch` example.
    expect(await ok("get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[*].name} {.spec.template.spec.containers[?(@.name==\"nginx\")].image}")).toBe("2 sidecar nginx nginx:1.26");

    // Any component may record an Event about an object; describe finds it by involvedObject.
    const uid = await ok("get", "pod", "nginx", "-o", "jsonpath={.metadata.uid}");
    const event = {
      apiVersion: "v1", kind: "Event", metadata: { name: "nginx.teacher-note", namespace: "default" },
      involvedObject: { kind: "Pod", name: "nginx", namespace: "default", uid, apiVersion: "v1" },
      reason: "Inspected", message: "the instructor looked at this pod", type: "Normal", count: 1,
      firstTimestamp: new Date().toISOString().replace(/\.\d+Z/, "Z"), lastTimestamp: new Date().toISOString().replace(/\.\d+Z/, "Z"),
      source: { component: "kubeclass-instructor" },
    };
    expect((await k.run(["create", "-f", "-"], { input: JSON.stringify(event) })).stdout).toBe("event/nginx.teacher-note created\n");
    const described = await ok("describe", "pod", "nginx");
    expect(described).toMatch(/^Name:\s+nginx$/m);
    expect(described).toMatch(/^Status:\s+Pending$/m);
    expect(described).toMatch(/^Labels:\s+app=web$/m);
    expect(described).toMatch(/^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n\s+----/m);
    expect(described).toMatch(/Normal\s+Inspected\s+\S+\s+kubeclass-instructor\s+the instructor looked at this pod/);
  });

  it("delete -f and delete pod return once the objects are gone", async () => {
    const { ok } = await classroom();
    await ok("apply", "-f", fixture("deployment.yaml"), "-f", fixture("service.yaml"), "-f", fixture("pod.yaml"));
    expect(await ok("delete", "-f", fixture("deployment.yaml"), "-f", fixture("service.yaml"))).toBe('deployment.apps "web" deleted\nservice "web" deleted\n');
    expect(await ok("delete", "pod", "nginx")).toBe('pod "nginx" deleted\n');
    expect(await ok("get", "pods,deploy", "-o", "name")).toBe("");
  });

  it("create -f of an invalid manifest prints the real 'is invalid' message with field paths", async () => {
    const { k, ok } = await classroom();
    const r = await k.run(["create", "-f", fixture("invalid-deployment.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Deployment "bad" is invalid:');
    expect(r.stderr).toContain("* spec.selector: Required value");
    expect(r.stderr).toContain("* spec.template.spec.containers[0].image: Required value");
    expect(r.stderr).toMatch(/\* spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive/);
    expect(await ok("get", "deploy", "-o", "name")).toBe("");
  });

  it("apply --server-side creates and then merges", async () => {
    const { ok } = await classroom();
    expect(await ok("apply", "--server-side", "-f", fixture("ssa-configmap.yaml"))).toBe("configmap/settings serverside-applied\n");
    expect(await ok("apply", "--server-side", "-f", fixture("ssa-configmap.yaml"))).toBe("configmap/settings serverside-applied\n");
    expect(await ok("get", "cm", "settings", "-o", "jsonpath={.data.mode} {.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}")).toBe("classroom kubectl Apply");
  });

  it("a student's kubeconfig works with kubectl, limited to the student's rights", async () => {
    const { student, ok } = await classroom();
    const ana = await student("ana");
    await student("bia");
    await ok("run", "bias-pod", "--image=nginx", "-n", "student-bia");
    const run = await ana.run(["run", "mine", "--image=nginx"]);
    expect(run.stdout).toBe("pod/mine created\n");
    expect((await ana.run(["get", "pods", "-o", "name"])).stdout).toBe("pod/mine\n"); // the kubeconfig's namespace is student-ana
    expect((await ana.run(["get", "pods", "-n", "student-bia", "-o", "name"])).stdout).toBe("pod/bias-pod\n");
    const del = await ana.run(["delete", "pod", "bias-pod", "-n", "student-bia"]);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('Error from server (Forbidden): pods "bias-pod" is forbidden: User "kubeclass:student:ana" cannot delete resource "pods" in API group "" in the namespace "student-bia"');
    const canI = await ana.run(["auth", "can-i", "delete", "pods", "-n", "student-bia"]);
    expect(canI.code).toBe(1);
    expect(canI.stdout.trim()).toBe("no");
    expect((await ana.run(["auth", "can-i", "delete", "pods"])).stdout.trim()).toBe("yes");
    const secrets = await ana.run(["get", "secrets", "-n", "student-bia"]);
    expect(secrets.code).toBe(1);
    expect(secrets.stderr).toContain("Forbidden");
    expect((await ana.run(["get", "pod", "mine", "-o", "jsonpath={.metadata.annotations.kubeclass\\.dev/created-by}"])).stdout).toBe("kubeclass:student:ana");
  });
});
