import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyDefaults, defaultPullPolicy } from "../../../../src/control-plane/api-server/defaults";
import type { KubeObject } from "../../../../src/control-plane/api-server/types";

const defaulted = (obj: KubeObject): KubeObject => {
  const copy = structuredClone(obj);
  applyDefaults(copy);
  return copy;
};

// Manifests as published on kubernetes.io.
const nginxDeployment = (): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "nginx-deployment", labels: { app: "nginx" } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "nginx" } },
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: { containers: [{ name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80 }] }] },
    },
  },
});

const nginxPod = (): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "nginx" },
  spec: { containers: [{ name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80 }] }] },
});

const myService = (): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "my-service" },
  spec: { selector: { "app.kubernetes.io/name": "MyApp" }, ports: [{ protocol: "TCP", port: 80, targetPort: 9376 }] },
});

const piJob = (): KubeObject => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "pi" },
  spec: {
    template: {
      spec: {
        containers: [{ name: "pi", image: "perl:5.34.0", command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"] }],
        restartPolicy: "Never",
      },
    },
    backoffLimit: 4,
  },
});

const helloCronJob = (): KubeObject => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "hello" },
  spec: {
    schedule: "* * * * *",
    jobTemplate: {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "hello",
                image: "busybox:1.28",
                imagePullPolicy: "IfNotPresent",
                command: ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"],
              },
            ],
            restartPolicy: "OnFailure",
          },
        },
      },
    },
  },
});

// What every defaulted container from these manifests looks like, besides name/image/command/ports.
const containerDefaults = { imagePullPolicy: "IfNotPresent", resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" };
// SetDefaults_PodSpec, shared by Pods and templates.
const podSpecDefaults = { dnsPolicy: "ClusterFirst", restartPolicy: "Always", schedulerName: "default-scheduler", securityContext: {}, terminationGracePeriodSeconds: 30 };
const admissionTolerations = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
];

describe("Deployment (docs: nginx-deployment)", () => {
  it("gets the apps/v1 and pod template defaults, nothing Pod-only", () => {
    const d = defaulted(nginxDeployment());
    expect(d.spec).toEqual({
      replicas: 3,
      selector: { matchLabels: { app: "nginx" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: {
        metadata: { labels: { app: "nginx" } },
        spec: {
          ...podSpecDefaults,
          containers: [{ name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80, protocol: "TCP" }], ...containerDefaults }],
        },
      },
    });
  });

  it("defaults replicas to 1 and leaves Recreate without rollingUpdate", () => {
    const d = nginxDeployment();
    delete d.spec.replicas;
    d.spec.strategy = { type: "Recreate" };
    applyDefaults(d);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: "Recreate" });
  });

  it("keeps explicit zero replicas and partial rollingUpdate", () => {
    const d = nginxDeployment();
    d.spec.replicas = 0;
    d.spec.strategy = { rollingUpdate: { maxSurge: 1 } };
    applyDefaults(d);
    expect(d.spec.replicas).toBe(0);
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "25%" } });
  });

  it("mirrors serviceAccountName into the deprecated serviceAccount in templates", () => {
    const d = nginxDeployment();
    d.spec.template.spec.serviceAccountName = "builder";
    applyDefaults(d);
    expect(d.spec.template.spec.serviceAccount).toBe("builder");
    expect(defaulted(nginxDeployment()).spec.template.spec.serviceAccountName).toBeUndefined();
  });
});

describe("Pod (docs: simple-pod)", () => {
  it("gets PodSpec, Pod and admission defaults", () => {
    const p = defaulted(nginxPod());
    expect(p.spec).toEqual({
      ...podSpecDefaults,
      containers: [{ name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80, protocol: "TCP" }], ...containerDefaults }],
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      serviceAccount: "default",
      serviceAccountName: "default",
      tolerations: admissionTolerations,
    });
  });

  it("defaults requests to limits per resource, keeping explicit requests", () => {
    const p = nginxPod();
    p.spec.containers[0].resources = { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "250m" } };
    p.spec.initContainers = [{ name: "init", image: "busybox", resources: { limits: { memory: "64Mi" } } }];
    applyDefaults(p);
    expect(p.spec.containers[0].resources.requests).toEqual({ cpu: "250m", memory: "128Mi" });
    expect(p.spec.initContainers[0].resources.requests).toEqual({ memory: "64Mi" });
    expect(p.spec.initContainers[0].imagePullPolicy).toBe("Always");
  });

  it("rounds sub-milli resource quantities up to millis, keeping other spellings", () => {
    const p = nginxPod();
    p.spec.containers[0].resources = { limits: { cpu: "1.0001", memory: "128Mi" }, requests: { cpu: "100u", memory: "0.29", "example.com/gpu": 0.0001 } };
    applyDefaults(p);
    expect(p.spec.containers[0].resources).toEqual({ limits: { cpu: "1001m", memory: "128Mi" }, requests: { cpu: "1m", memory: "0.29", "example.com/gpu": "1m" } });
    const q = defaulted({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q" }, spec: { hard: { cpu: "1500u", pods: "10" } } });
    expect(q.spec.hard).toEqual({ cpu: "2m", pods: "10" });
  });

  it("does not add requests to templates", () => {
    const d = nginxDeployment();
    d.spec.template.spec.containers[0].resources = { limits: { cpu: "1" } };
    applyDefaults(d);
    expect(d.spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: "1" } });
  });

  it("defaults probes, httpGet scheme and path, env fieldRef and volumes", () => {
    const p = nginxPod();
    Object.assign(p.spec.containers[0], {
      livenessProbe: { httpGet: { port: 80 }, initialDelaySeconds: 3 },
      readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
      startupProbe: { grpc: { port: 9000 } },
      env: [
        { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
        { name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory" } } },
        { name: "PLAIN", value: "x" },
      ],
      lifecycle: { preStop: { httpGet: { path: "/stop", port: 80 } } },
    });
    p.spec.volumes = [
      { name: "cm", configMap: { name: "cfg" } },
      { name: "sec", secret: { secretName: "s", defaultMode: 256 } },
      { name: "scratch" },
      { name: "host", hostPath: { path: "/data" } },
      { name: "dapi", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
      { name: "proj", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
    ];
    applyDefaults(p);
    const c = p.spec.containers[0];
    expect(c.livenessProbe).toEqual({ httpGet: { port: 80, path: "/", scheme: "HTTP" }, initialDelaySeconds: 3, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 80 }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    expect(c.startupProbe.grpc).toEqual({ port: 9000, service: "" });
    expect(c.env[0].valueFrom.fieldRef).toEqual({ fieldPath: "spec.nodeName", apiVersion: "v1" });
    expect(c.env[1].valueFrom.resourceFieldRef).toEqual({ resource: "limits.memory", divisor: "0" });
    expect(c.env[2]).toEqual({ name: "PLAIN", value: "x" });
    expect(c.lifecycle.preStop.httpGet).toEqual({ path: "/stop", port: 80, scheme: "HTTP" });
    expect(p.spec.volumes).toEqual([
      { name: "cm", configMap: { name: "cfg", defaultMode: 420 } },
      { name: "sec", secret: { secretName: "s", defaultMode: 256 } },
      { name: "scratch", emptyDir: {} },
      { name: "host", hostPath: { path: "/data", type: "" } },
      { name: "dapi", downwardAPI: { defaultMode: 420, items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels", apiVersion: "v1" } }] } },
      { name: "proj", projected: { defaultMode: 420, sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 3600 } }] } },
    ]);
  });

  it("keeps tolerations that already cover the node taints", () => {
    const p = nginxPod();
    p.spec.tolerations = [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 10 }];
    applyDefaults(p);
    expect(p.spec.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 10 },
      admissionTolerations[1],
    ]);
    const all = nginxPod();
    all.spec.tolerations = [{ operator: "Exists" }];
    applyDefaults(all);
    expect(all.spec.tolerations).toEqual([{ operator: "Exists" }]);
  });

  it("keeps an explicit service account and resolves built-in priority classes only", () => {
    const p = nginxPod();
    p.spec.serviceAccount = "legacy";
    p.spec.priorityClassName = "system-node-critical";
    applyDefaults(p);
    expect(p.spec.serviceAccountName).toBe("legacy");
    expect(p.spec.serviceAccount).toBe("legacy");
    expect(p.spec.priority).toBe(2000001000);
    const custom = nginxPod();
    custom.spec.priorityClassName = "high";
    applyDefaults(custom);
    expect(custom.spec.priority).toBeUndefined();
  });

  it("copies container ports to host ports with hostNetwork", () => {
    const p = nginxPod();
    p.spec.hostNetwork = true;
    applyDefaults(p);
    expect(p.spec.containers[0].ports[0]).toEqual({ containerPort: 80, hostPort: 80, protocol: "TCP" });
  });
});

describe("imagePullPolicy", () => {
  it.each([
    ["nginx", "Always"],
    ["nginx:latest", "Always"],
    ["nginx:1.25", "IfNotPresent"],
    ["registry:5000/nginx", "Always"],
    ["registry:5000/nginx:1.25", "IfNotPresent"],
    ["localhost:5000/team/app:latest", "Always"],
    [`nginx@sha256:${"a".repeat(64)}`, "IfNotPresent"],
    [`nginx:latest@sha256:${"a".repeat(64)}`, "Always"],
    ["docker.io/library/busybox:1.28", "IfNotPresent"],
    ["NGINX", "IfNotPresent"], // not a valid reference: no tag can be parsed
    ["", "IfNotPresent"],
  ])("%s → %s", (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
    const p = nginxPod();
    p.spec.containers[0].image = image;
    applyDefaults(p);
    expect(p.spec.containers[0].imagePullPolicy).toBe(policy);
  });

  it("keeps an explicit policy", () => {
    const p = nginxPod();
    p.spec.containers[0].image = "nginx";
    p.spec.containers[0].imagePullPolicy = "Never";
    applyDefaults(p);
    expect(p.spec.containers[0].imagePullPolicy).toBe("Never");
  });
});

describe("Service (docs: my-service)", () => {
  it("gets ClusterIP defaults and single-stack families", () => {
    expect(defaulted(myService()).spec).toEqual({
      selector: { "app.kubernetes.io/name": "MyApp" },
      ports: [{ protocol: "TCP", port: 80, targetPort: 9376 }],
      type: "ClusterIP",
      sessionAffinity: "None",
      internalTrafficPolicy: "Cluster",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
    });
  });

  it("defaults targetPort to port and protocol to TCP", () => {
    const s = myService();
    s.spec.ports = [{ name: "http", port: 8080 }];
    applyDefaults(s);
    expect(s.spec.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP", targetPort: 8080 }]);
  });

  it("LoadBalancer and NodePort get external traffic policy; LB allocates node ports", () => {
    const lb = myService();
    lb.spec.type = "LoadBalancer";
    applyDefaults(lb);
    expect(lb.spec).toMatchObject({ externalTrafficPolicy: "Cluster", allocateLoadBalancerNodePorts: true, internalTrafficPolicy: "Cluster" });
    const np = myService();
    np.spec.type = "NodePort";
    applyDefaults(np);
    expect(np.spec.externalTrafficPolicy).toBe("Cluster");
    expect(np.spec.allocateLoadBalancerNodePorts).toBeUndefined();
  });

  it("headless services: SingleStack with a selector, RequireDualStack without", () => {
    const withSel = myService();
    withSel.spec.clusterIP = "None";
    applyDefaults(withSel);
    expect(withSel.spec).toMatchObject({ clusterIPs: ["None"], ipFamilyPolicy: "SingleStack", ipFamilies: ["IPv4"] });
    const noSel = myService();
    noSel.spec.clusterIP = "None";
    delete noSel.spec.selector;
    applyDefaults(noSel);
    expect(noSel.spec).toMatchObject({ ipFamilyPolicy: "RequireDualStack", ipFamilies: ["IPv4", "IPv6"] });
  });

  it("ExternalName gets no IP or traffic-policy fields; ClientIP affinity gets a timeout", () => {
    const ext = defaulted({ apiVersion: "v1", kind: "Service", metadata: { name: "db" }, spec: { type: "ExternalName", externalName: "db.example.com" } });
    expect(ext.spec).toEqual({ type: "ExternalName", externalName: "db.example.com", sessionAffinity: "None" });
    const s = myService();
    s.spec.sessionAffinity = "ClientIP";
    applyDefaults(s);
    expect(s.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });
});

describe("Job (docs: pi)", () => {
  it("gets batch/v1 defaults without a uid", () => {
    const j = defaulted(piJob());
    expect(j.spec).toEqual({
      backoffLimit: 4,
      completionMode: "NonIndexed",
      completions: 1,
      manualSelector: false,
      parallelism: 1,
      podReplacementPolicy: "TerminatingOrFailed",
      suspend: false,
      template: {
        spec: {
          ...podSpecDefaults,
          restartPolicy: "Never",
          containers: [{ name: "pi", image: "perl:5.34.0", command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"], ...containerDefaults }],
        },
      },
    });
    expect(j.metadata.labels).toBeUndefined();
  });

  it("generates the selector and labels once the uid is known", () => {
    const uid = "863452e6-270d-420e-9b94-53a54146c223";
    const j = piJob();
    j.metadata.uid = uid;
    applyDefaults(j);
    const labels = { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": "pi", "controller-uid": uid, "job-name": "pi" };
    expect(j.spec.selector).toEqual({ matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    expect(j.spec.template.metadata.labels).toEqual(labels);
    expect(j.metadata.labels).toEqual(labels);
  });

  it("keeps the user's Job labels and honours manualSelector", () => {
    const j = piJob();
    j.metadata.uid = "u1";
    j.spec.template.metadata = { labels: { app: "pi" } };
    applyDefaults(j);
    expect(j.metadata.labels).toEqual({ app: "pi" });
    const m = piJob();
    m.metadata.uid = "u2";
    m.spec.manualSelector = true;
    m.spec.selector = { matchLabels: { app: "pi" } };
    m.spec.template.metadata = { labels: { app: "pi" } };
    applyDefaults(m);
    expect(m.spec.selector).toEqual({ matchLabels: { app: "pi" } });
    expect(m.spec.template.metadata.labels).toEqual({ app: "pi" });
  });

  it("parallel jobs: only parallelism defaults; per-index backoff lifts the global limit", () => {
    const j = piJob();
    j.spec.completions = 5;
    delete j.spec.backoffLimit;
    j.spec.completionMode = "Indexed";
    j.spec.backoffLimitPerIndex = 1;
    applyDefaults(j);
    expect(j.spec).toMatchObject({ completions: 5, parallelism: 1, backoffLimit: 2147483647, completionMode: "Indexed" });
    const f = piJob();
    f.spec.podFailurePolicy = { rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }] };
    applyDefaults(f);
    expect(f.spec.podReplacementPolicy).toBe("Failed");
    expect(f.spec.podFailurePolicy.rules[0].onPodConditions[0].status).toBe("True");
  });
});

describe("CronJob (docs: hello)", () => {
  it("gets batch/v1 CronJob defaults and pod template defaults only", () => {
    const c = defaulted(helloCronJob());
    expect(c.spec).toEqual({
      schedule: "* * * * *",
      concurrencyPolicy: "Allow",
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              ...podSpecDefaults,
              restartPolicy: "OnFailure",
              containers: [{ name: "hello", image: "busybox:1.28", command: ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"], ...containerDefaults }],
            },
          },
        },
      },
    });
  });
});

describe("other workloads", () => {
  const template = () => ({ metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "busybox" }] } });

  it("ReplicaSet", () => {
    const rs = defaulted({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs" }, spec: { selector: { matchLabels: { app: "x" } }, template: template() } });
    expect(rs.spec.replicas).toBe(1);
    expect(rs.spec.template.spec.containers[0].imagePullPolicy).toBe("Always");
  });

  it("DaemonSet", () => {
    const ds = defaulted({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "ds" }, spec: { selector: { matchLabels: { app: "x" } }, template: template() } });
    expect(ds.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    expect(ds.spec.template.spec.dnsPolicy).toBe("ClusterFirst");
  });

  it("StatefulSet, including claim templates", () => {
    const sts = defaulted({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "web" },
      spec: {
        selector: { matchLabels: { app: "x" } },
        serviceName: "nginx",
        template: template(),
        volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      },
    });
    expect(sts.spec).toMatchObject({
      replicas: 1,
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    });
    expect(sts.spec.volumeClaimTemplates[0]).toEqual({
      metadata: { name: "www" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeMode: "Filesystem" },
      status: { phase: "Pending" },
    });
    const onDelete = defaulted({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "w" }, spec: { updateStrategy: { type: "OnDelete" }, template: template() } });
    expect(onDelete.spec.updateStrategy).toEqual({ type: "OnDelete" });
  });
});

describe("other kinds", () => {
  it("Namespace: name label, kubernetes finalizer on create only, Active phase", () => {
    const ns = defaulted({ apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } });
    expect(ns.metadata.labels).toEqual({ "kubernetes.io/metadata.name": "dev" });
    expect(ns.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(ns.status).toEqual({ phase: "Active" });
    // After /finalize removed it, later writes must not bring it back.
    const finalized = defaulted({ apiVersion: "v1", kind: "Namespace", metadata: { name: "dev", uid: "u" }, spec: { finalizers: [] }, status: { phase: "Terminating" } });
    expect(finalized.spec.finalizers).toEqual([]);
    expect(finalized.status.phase).toBe("Terminating");
  });

  it("Secret type, PriorityClass preemption, HPA metrics and behavior, endpoint ports", () => {
    expect(defaulted({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }).type).toBe("Opaque");
    expect(defaulted({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, type: "kubernetes.io/tls" }).type).toBe("kubernetes.io/tls");
    expect(defaulted({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "high" }, value: 1000 }).preemptionPolicy).toBe("PreemptLowerPriority");

    const hpa = defaulted({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "php-apache" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php-apache" }, maxReplicas: 10 },
    });
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
    expect(hpa.spec.behavior).toBeUndefined();
    const withBehavior = defaulted({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "h" }, spec: { maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } });
    expect(withBehavior.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
    });

    const ep = defaulted({ apiVersion: "v1", kind: "Endpoints", metadata: { name: "e" }, subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }] });
    expect(ep.subsets[0].ports).toEqual([{ port: 80, protocol: "TCP" }]);
    const slice = defaulted({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "e-abc" }, addressType: "IPv4", endpoints: [], ports: [{ port: 80 }] });
    expect(slice.ports).toEqual([{ port: 80, name: "", protocol: "TCP" }]);
  });

  it("leaves kinds without defaults and unknown kinds untouched", () => {
    const untouched: KubeObject[] = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "sa" } },
      { apiVersion: "v1", kind: "Event", metadata: { name: "ev" }, reason: "X" },
      { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "l" }, spec: {} },
      { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q" }, spec: { hard: { pods: "10", cpu: "0.5" } } },
      { apiVersion: "example.com/v1", kind: "Pod", metadata: { name: "not-core" }, spec: {} },
      { apiVersion: "v1", kind: "Widget", metadata: { name: "w" } },
    ];
    for (const obj of untouched) expect(defaulted(obj)).toEqual(obj);
  });

  it("tolerates malformed input without throwing", () => {
    const bad: KubeObject[] = [
      { apiVersion: "v1", kind: "Pod", metadata: {}, spec: "nope" },
      { apiVersion: "v1", kind: "Pod", metadata: {}, spec: { containers: "x", volumes: [null, 3], tolerations: 5 } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: {}, spec: { template: 7, strategy: [] } },
      { apiVersion: "batch/v1", kind: "Job", metadata: { uid: "u" }, spec: { template: { metadata: { labels: "x" } } } },
      { apiVersion: "v1", kind: "Service", metadata: {}, spec: { ports: [1, { port: "a" }], clusterIPs: "x" } },
    ];
    for (const obj of bad) expect(() => defaulted(obj)).not.toThrow();
  });
});

describe("idempotence", () => {
  const samples: Record<string, () => KubeObject> = {
    deployment: nginxDeployment,
    pod: nginxPod,
    service: myService,
    job: () => ({ ...piJob(), metadata: { name: "pi", uid: "abc" } }),
    cronjob: helloCronJob,
    headless: () => ({ apiVersion: "v1", kind: "Service", metadata: { name: "h" }, spec: { clusterIP: "None" } }),
    namespace: () => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } }),
    hpa: () => ({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "h" }, spec: { maxReplicas: 2, behavior: {} } }),
    statefulset: () => ({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "s" }, spec: { template: { spec: { containers: [{ name: "c", image: "x" }] } }, volumeClaimTemplates: [{ metadata: { name: "d" }, spec: {} }] } }),
  };
  it.each(Object.keys(samples))("%s: applying twice equals applying once", (k) => {
    const once = defaulted(samples[k]());
    expect(defaulted(once)).toEqual(once);
  });

  // Random pods built from a small vocabulary of real fields, some set and some not.
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const container = fc.record({
    name: fc.constantFrom("a", "b"),
    image: fc.constantFrom("nginx", "nginx:latest", "nginx:1.25", "registry:5000/x", "", "BAD"),
    imagePullPolicy: maybe(fc.constantFrom("Always", "Never", "")),
    ports: maybe(fc.array(fc.record({ containerPort: fc.integer({ min: 1, max: 65535 }), protocol: maybe(fc.constantFrom("TCP", "UDP", "")) }), { maxLength: 2 })),
    resources: maybe(fc.record({ limits: maybe(fc.record({ cpu: maybe(fc.constantFrom("1", "500m")), memory: maybe(fc.constant("1Gi")) })), requests: maybe(fc.record({ cpu: maybe(fc.constant("100m")) })) })),
    livenessProbe: maybe(fc.record({ httpGet: maybe(fc.record({ port: fc.constant(80), path: maybe(fc.constantFrom("", "/h")) })), timeoutSeconds: maybe(fc.integer({ min: 0, max: 5 })) })),
  });
  const podArb = fc.record({
    containers: fc.array(container, { minLength: 1, maxLength: 2 }),
    initContainers: maybe(fc.array(container, { maxLength: 1 })),
    restartPolicy: maybe(fc.constantFrom("Always", "Never", "")),
    serviceAccount: maybe(fc.constantFrom("", "x")),
    serviceAccountName: maybe(fc.constantFrom("", "y")),
    hostNetwork: maybe(fc.boolean()),
    tolerations: maybe(fc.array(fc.record({ key: maybe(fc.constantFrom("node.kubernetes.io/unreachable", "")), operator: fc.constant("Exists"), effect: maybe(fc.constantFrom("NoExecute", "NoSchedule")) }), { maxLength: 2 })),
    volumes: maybe(fc.array(fc.oneof(fc.record({ name: fc.constant("v") }), fc.record({ name: fc.constant("c"), configMap: fc.record({ name: fc.constant("x") }) })), { maxLength: 2 })),
  });
  // JSON round trip drops the undefined fields the generators produce, as a decoded request would.
  const clean = <T>(v: T): T => JSON.parse(JSON.stringify(v));

  it("random pods and their templates", () => {
    fc.assert(
      fc.property(podArb, fc.constantFrom("Pod", "Deployment", "Job", "CronJob"), (spec, kind) => {
        const s = clean(spec);
        const obj: KubeObject =
          kind === "Pod" ? { apiVersion: "v1", kind, metadata: { name: "p" }, spec: s }
          : kind === "Deployment" ? { apiVersion: "apps/v1", kind, metadata: { name: "d" }, spec: { template: { spec: s } } }
          : kind === "Job" ? { apiVersion: "batch/v1", kind, metadata: { name: "j", uid: "u" }, spec: { template: { spec: s } } }
          : { apiVersion: "batch/v1", kind, metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: { spec: s } } } } };
        const once = defaulted(obj);
        expect(defaulted(once)).toEqual(once);
      }),
    );
  });

  it("random services", () => {
    const svc = fc.record({
      type: maybe(fc.constantFrom("ClusterIP", "NodePort", "LoadBalancer", "ExternalName", "")),
      clusterIP: maybe(fc.constantFrom("None", "10.96.0.10", "", "fd00::1")),
      selector: maybe(fc.constantFrom({}, { app: "x" })),
      sessionAffinity: maybe(fc.constantFrom("None", "ClientIP")),
      ipFamilyPolicy: maybe(fc.constantFrom("SingleStack", "PreferDualStack")),
      externalIPs: maybe(fc.constantFrom([], ["1.2.3.4"])),
      ports: maybe(fc.array(fc.record({ port: fc.integer({ min: 1, max: 65535 }), targetPort: maybe(fc.oneof(fc.constant(0), fc.constant(""), fc.constant("http"), fc.integer({ min: 1, max: 100 }))) }), { maxLength: 2 })),
    });
    fc.assert(
      fc.property(svc, (spec) => {
        const once = defaulted({ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: clean(spec) });
        expect(defaulted(once)).toEqual(once);
      }),
    );
  });
});
