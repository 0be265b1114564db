// kube-controller-manager and cloud-controller-manager through the real kubectl: Deployments roll
// out, the cluster heals itself, Services get endpoints and load balancers, workloads complete.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { e2eSuite } from "./harness";

const fixture = (f: string) => resolve(__dirname, "../fixtures", f);
const suite = e2eSuite();

async function classroom(opts: { cloud?: boolean } = {}) {
  const c = await suite.classroom({ name: "controllers", nodes: 3, speed: 30, ...opts });
  await c.ok("wait", "--for=condition=Ready", "node", "--all", "--timeout=60s");
  return c;
}

const ROLLED_OUT = 'deployment "web" successfully rolled out';

describe("controllers, through kubectl", () => {
  it("a Deployment rolls out, scales, updates without dropping below maxUnavailable, and rolls back", async () => {
    const { ok, k } = await classroom();
    expect(await ok("apply", "-f", fixture("web-deployment.yaml"))).toBe("deployment.apps/web created\n");
    expect(await ok("rollout", "status", "deployment/web", "--timeout=90s")).toContain(ROLLED_OUT);
    const rs = await ok("get", "rs", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.readyReplicas} {.metadata.ownerReferences[0].name}{\"\\n\"}{end}");
    expect(rs).toMatch(/^web-[a-z0-9]+ 4 web$/m);
    const owners = await ok("get", "pods", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.metadata.ownerReferences[0].kind}{\"\\n\"}{end}");
    expect(owners.trim().split("\n")).toEqual(["ReplicaSet", "ReplicaSet", "ReplicaSet", "ReplicaSet"]);

    expect(await ok("scale", "deployment/web", "--replicas=6")).toBe("deployment.apps/web scaled\n");
    expect(await ok("rollout", "status", "deployment/web", "--timeout=90s")).toContain(ROLLED_OUT);
    await ok("scale", "deployment/web", "--replicas=4");
    expect(await ok("rollout", "status", "deployment/web", "--timeout=90s")).toContain(ROLLED_OUT);

    // Every available count the Deployment reports during the update, from a watch.
    const w = k.spawnWatch(["get", "deployment", "web", "-w", "-o", "jsonpath={.status.availableReplicas}{\"\\n\"}"]);
    await w.waitFor(/\d\n/);
    expect(await ok("set", "image", "deployment/web", "nginx=nginx:1.26")).toBe("deployment.apps/web image updated\n");
    expect(await ok("rollout", "status", "deployment/web", "--timeout=90s")).toContain(ROLLED_OUT);
    const history = (await w.stop()).stdout.split("\n").filter(Boolean).map(Number);
    expect(history.length).toBeGreaterThan(1);
    expect(Math.min(...history)).toBeGreaterThanOrEqual(3); // 4 replicas, maxUnavailable 25% → 1

    const hist = await ok("rollout", "history", "deployment/web");
    expect(hist).toMatch(/^REVISION\s+CHANGE-CAUSE$/m);
    expect(hist).toMatch(/^1\s+<none>$/m);
    expect(hist).toMatch(/^2\s+<none>$/m);
    expect(await ok("rollout", "undo", "deployment/web")).toBe("deployment.apps/web rolled back\n");
    expect(await ok("rollout", "status", "deployment/web", "--timeout=90s")).toContain(ROLLED_OUT);
    expect(await ok("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("nginx:1.25");
    expect(await ok("rollout", "restart", "deployment/web")).toBe("deployment.apps/web restarted\n");
    expect(await ok("rollout", "status", "deployment/web", "--timeout=90s")).toContain(ROLLED_OUT);
    expect(await ok("rollout", "pause", "deployment/web")).toBe("deployment.apps/web paused\n");
    expect(await ok("rollout", "resume", "deployment/web")).toBe("deployment.apps/web resumed\n");
  });

  it("set image to a current release (nginx:1.28) rolls out and undo goes back; a tag that cannot exist stays in ImagePullBackOff", async () => {
    const { ok } = await classroom();
    await ok("apply", "-f", fixture("web-deployment.yaml"));
    await ok("rollout", "status", "deployment/web", "--timeout=90s");
    expect(await ok("set", "image", "deployment/web", "nginx=nginx:1.28")).toBe("deployment.apps/web image updated\n");
    expect(await ok("rollout", "status", "deployment/web", "--timeout=90s")).toContain(ROLLED_OUT);
    const images = await ok("get", "pods", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.status.containerStatuses[0].image}{\"\\n\"}{end}");
    expect(new Set(images.trim().split("\n"))).toEqual(new Set(["docker.io/library/nginx:1.28"]));
    expect(await ok("rollout", "undo", "deployment/web")).toBe("deployment.apps/web rolled back\n");
    expect(await ok("rollout", "status", "deployment/web", "--timeout=90s")).toContain(ROLLED_OUT);
    expect(await ok("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("nginx:1.25");

    await ok("set", "image", "deployment/web", "nginx=nginx:1.288");
    // Once the controller has seen the new template, its ReplicaSet exists.
    const generation = await ok("get", "deploy", "web", "-o", "jsonpath={.metadata.generation}");
    await ok("wait", `--for=jsonpath={.status.observedGeneration}=${generation}`, "deployment/web", "--timeout=90s");
    const hash = await ok("get", "rs", "-o", "jsonpath={range .items[?(@.spec.template.spec.containers[0].image==\"nginx:1.288\")]}{.metadata.labels.pod-template-hash}{end}");
    const selector = `app=web,pod-template-hash=${hash.trim()}`;
    await ok("wait", "--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=ImagePullBackOff", "pod", "-l", selector, "--timeout=90s");
    // The kubelet retries the pull after each back-off, so the status alternates as for real.
    expect(await ok("get", "pods", "-l", selector)).toMatch(/^web-\S+\s+0\/1\s+(ImagePullBackOff|ErrImagePull)\s/m);
    const failed = await ok("get", "events", "--field-selector", "reason=Failed", "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}");
    expect(failed.split("\n")).toContain('Failed to pull image "nginx:1.288": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.288": failed to resolve reference "docker.io/library/nginx:1.288": docker.io/library/nginx:1.288: not found');
  });

  it("a deleted pod is replaced; deleting a Deployment cascades, or orphans with --cascade=orphan", async () => {
    const { ok } = await classroom();
    await ok("apply", "-f", fixture("web-deployment.yaml"));
    await ok("rollout", "status", "deployment/web", "--timeout=90s");
    const victim = (await ok("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}")).trim();
    await ok("delete", "pod", victim);
    await ok("wait", "--for=jsonpath={.status.readyReplicas}=4", "deployment/web", "--timeout=90s");
    expect(await ok("get", "pods", "-l", "app=web", "-o", "name")).not.toContain(victim);

    expect(await ok("delete", "deployment", "web", "--cascade=orphan")).toBe('deployment.apps "web" deleted\n');
    expect((await ok("get", "rs", "-o", "name")).trim()).toMatch(/^replicaset\.apps\/web-[a-z0-9]+$/);
    await ok("apply", "-f", fixture("web-deployment.yaml")); // adopts the orphaned ReplicaSet
    await ok("rollout", "status", "deployment/web", "--timeout=90s");
    await ok("delete", "deployment", "web");
    await ok("wait", "--for=delete", "pod", "-l", "app=web", "--timeout=90s");
    expect(await ok("get", "rs,pods", "-o", "name")).toBe("");
  });

  it("a stopped node goes NotReady; after tolerationSeconds its pods run again elsewhere", async () => {
    const { ok, api, advance } = await classroom();
    await ok("apply", "-f", fixture("web-deployment.yaml"));
    await ok("rollout", "status", "deployment/web", "--timeout=90s");
    const node = (await ok("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].spec.nodeName}")).trim();
    expect((await api("POST", `/nodes/${node}/stop`)).status).toBe(200);
    await advance(60);
    expect(await ok("get", "node", node)).toMatch(new RegExp(`^${node}\\s+NotReady\\s`, "m"));
    expect(await ok("get", "node", node, "-o", "jsonpath={.spec.taints[*].key}")).toContain("node.kubernetes.io/unreachable");
    await advance(330); // 300 s default toleration of unreachable, then rescheduling and start-up
    const placed = await ok("get", "pods", "-l", "app=web", "--field-selector=status.phase=Running", "-o", "jsonpath={range .items[*]}{.metadata.deletionTimestamp}/{.spec.nodeName}{\"\\n\"}{end}");
    const live = placed.trim().split("\n").filter((l) => l.startsWith("/"));
    expect(live).toHaveLength(4);
    expect(live.every((l) => l !== `/${node}`)).toBe(true);
  });

  it("expose gives a Service with EndpointSlices of the ready pods, reachable through kube-proxy", async () => {
    const { ok, api } = await classroom();
    await ok("apply", "-f", fixture("web-deployment.yaml"));
    await ok("rollout", "status", "deployment/web", "--timeout=90s");
    expect(await ok("expose", "deployment", "web", "--port=80")).toBe("service/web exposed\n");
    await ok("wait", "--for=jsonpath={.endpoints[3].conditions.ready}=true", "endpointslice", "-l", "kubernetes.io/service-name=web", "--timeout=60s");
    const slices = await ok("get", "endpointslices", "-l", "kubernetes.io/service-name=web");
    expect(slices).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/m);
    expect(slices).toMatch(/^web-[a-z0-9]+\s+IPv4\s+80\s+10\.244\.\d+\.\d+,10\.244\.\d+\.\d+,10\.244\.\d+\.\d+ \+ 1 more\.\.\.\s+\S+$/m);
    const res = await (await api("POST", "/requests", { from: { node: "node-1" }, to: { service: { namespace: "default", name: "web", port: 80 } } })).json() as any;
    expect(res.ok).toBe(true);
    expect(res.endpoint.pod.name).toMatch(/^web-/);
  });

  it("a LoadBalancer Service gets an EXTERNAL-IP from the cloud; on premises it stays <pending>", async () => {
    const cloud = await classroom();
    await cloud.ok("create", "deployment", "web", "--image=nginx");
    await cloud.ok("expose", "deployment", "web", "--type=LoadBalancer", "--port=80");
    await cloud.ok("wait", "--for=jsonpath={.status.loadBalancer.ingress[0].ip}", "service/web", "--timeout=60s");
    expect(await cloud.ok("get", "svc", "web")).toMatch(/^web\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+203\.0\.113\.\d+\s+80:3\d{4}\/TCP\s+\S+$/m);

    const onprem = await classroom({ cloud: false });
    await onprem.ok("create", "deployment", "web", "--image=nginx");
    await onprem.ok("expose", "deployment", "web", "--type=LoadBalancer", "--port=80");
    await onprem.advance(60);
    expect(await onprem.ok("get", "svc", "web")).toMatch(/^web\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+<pending>\s+80:3\d{4}\/TCP\s+\S+$/m);
  });

  it("a Job of 5 completions 2 at a time completes; a DaemonSet runs one pod per node; a StatefulSet starts in order", async () => {
    const { ok } = await classroom();
    await ok("apply", "-f", fixture("job-pi.yaml"), "-f", fixture("daemonset.yaml"), "-f", fixture("statefulset.yaml"));
    expect(await ok("wait", "--for=condition=complete", "job/pi", "--timeout=120s")).toBe("job.batch/pi condition met\n");
    expect(await ok("get", "job", "pi")).toMatch(/^pi\s+Complete\s+5\/5\s+\S+\s+\S+$/m);
    expect((await ok("logs", "job/pi")).startsWith("3.14159265358979")).toBe(true);
    await ok("rollout", "status", "daemonset/fluentd-elasticsearch", "-n", "kube-system", "--timeout=90s");
    expect(await ok("get", "ds", "-n", "kube-system")).toMatch(/^fluentd-elasticsearch\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\S+$/m);
    await ok("rollout", "status", "statefulset/web", "--timeout=120s");
    const order = await ok("get", "pods", "-l", "app=nginx", "--sort-by=.metadata.creationTimestamp", "-o", "name");
    expect(order).toBe("pod/web-0\npod/web-1\npod/web-2\n");
  });

  it("an HPA scales a Deployment when simulated cpu use rises", async () => {
    const { ok } = await classroom();
    await ok("create", "deployment", "hog", "--image=nginx");
    await ok("set", "env", "deployment/hog", "KUBECLASS_CPU=400m");
    await ok("set", "resources", "deployment/hog", "--requests=cpu=200m");
    await ok("rollout", "status", "deployment/hog", "--timeout=90s");
    expect(await ok("autoscale", "deployment", "hog", "--cpu-percent=50", "--min=1", "--max=4")).toBe("horizontalpodautoscaler.autoscaling/hog autoscaled\n");
    await ok("wait", "--for=jsonpath={.spec.replicas}=4", "deployment/hog", "--timeout=120s");
    expect(await ok("get", "hpa", "hog")).toMatch(/^hog\s+Deployment\/hog\s+cpu: \d+%\/50%\s+1\s+4\s+\d+\s+\S+$/m);
  });

  it("deleting a namespace removes everything in it", async () => {
    const { ok } = await classroom();
    await ok("create", "namespace", "lab");
    await ok("apply", "-n", "lab", "-f", fixture("web-deployment.yaml"));
    await ok("rollout", "status", "deployment/web", "-n", "lab", "--timeout=90s");
    expect(await ok("delete", "namespace", "lab", "--timeout=120s")).toBe('namespace "lab" deleted\n');
    const gone = await ok("get", "namespace", "lab").catch((e: Error) => e.message);
    expect(gone).toContain('namespaces "lab" not found');
  });
});
