import { describe, expect, it } from "vitest";
import { validateCreate, validateUpdate } from "../../../../src/control-plane/api-server/validation";
import { cronError } from "../../../../src/control-plane/api-server/validation/batch";
import { parseQ, qString } from "../../../../src/control-plane/api-server/validation/helpers";
import type { KubeObject, StatusCause } from "../../../../src/control-plane/api-server/types";

// Manifests from kubernetes.io docs, with the fields the defaulter would add written out.
const clone = <T>(o: T): T => structuredClone(o);
const container = (extra: Record<string, unknown> = {}) => ({
  name: "nginx", image: "nginx:1.14.2", ports: [{ containerPort: 80, protocol: "TCP" }],
  imagePullPolicy: "IfNotPresent", terminationMessagePolicy: "File", terminationMessagePath: "/dev/termination-log", resources: {}, ...extra,
});
const podSpec = (extra: Record<string, unknown> = {}) => ({
  containers: [container()], restartPolicy: "Always", dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30,
  schedulerName: "default-scheduler", securityContext: {}, ...extra,
});

const POD: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "nginx", namespace: "default" }, spec: podSpec() };

const DEPLOYMENT: KubeObject = {
  apiVersion: "apps/v1", kind: "Deployment",
  metadata: { name: "nginx-deployment", namespace: "default", labels: { app: "nginx" } },
  spec: {
    replicas: 3, selector: { matchLabels: { app: "nginx" } },
    template: { metadata: { labels: { app: "nginx" } }, spec: podSpec() },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
    revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
  },
};

const SERVICE: KubeObject = {
  apiVersion: "v1", kind: "Service", metadata: { name: "my-service", namespace: "default" },
  spec: {
    selector: { "app.kubernetes.io/name": "MyApp" }, ports: [{ protocol: "TCP", port: 80, targetPort: 9376 }],
    type: "ClusterIP", sessionAffinity: "None", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"],
    ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack", internalTrafficPolicy: "Cluster",
  },
};

const JOB: KubeObject = {
  apiVersion: "batch/v1", kind: "Job", metadata: { name: "pi", namespace: "default", uid: "1234" },
  spec: {
    backoffLimit: 4, completions: 1, parallelism: 1, completionMode: "NonIndexed", suspend: false,
    selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "1234" } },
    template: {
      metadata: { labels: { "batch.kubernetes.io/controller-uid": "1234", "batch.kubernetes.io/job-name": "pi", "controller-uid": "1234", "job-name": "pi" } },
      spec: podSpec({ containers: [container({ name: "pi", image: "perl:5.34.0", command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"], ports: undefined })], restartPolicy: "Never" }),
    },
  },
};

const CRONJOB: KubeObject = {
  apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "hello", namespace: "default" },
  spec: {
    schedule: "* * * * *", concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
    jobTemplate: {
      spec: {
        template: {
          spec: podSpec({
            containers: [container({ name: "hello", image: "busybox:1.28", command: ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"], ports: undefined })],
            restartPolicy: "OnFailure",
          }),
        },
      },
    },
  },
};

const REGEX_1123_SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const causes = (o: KubeObject) => validateCreate(o);
const cause = (reason: string, field: string, message: string): StatusCause => ({ reason, field, message });

describe("valid manifests from the Kubernetes docs", () => {
  it.each([["Pod", POD], ["Deployment", DEPLOYMENT], ["Service", SERVICE], ["Job", JOB], ["CronJob", CRONJOB]])("%s validates clean", (_, o) => {
    expect(causes(o)).toEqual([]);
  });

  it("accepts ConfigMap, Secret, Namespace, HPA, PriorityClass, EndpointSlice", () => {
    const objs: KubeObject[] = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "game-demo", namespace: "default" }, data: { player_initial_lives: "3", "game.properties": "a=b" } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "tls", namespace: "default" }, type: "kubernetes.io/tls", data: { "tls.crt": "YQ==", "tls.key": "Yg==" } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" }, spec: { finalizers: ["kubernetes"] } },
      { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "php-apache", namespace: "default" },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "php-apache" }, minReplicas: 1, maxReplicas: 10,
          metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }] } },
      { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "high-priority" }, value: 1000000, preemptionPolicy: "PreemptLowerPriority" },
      { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "example-abc", namespace: "default" }, addressType: "IPv4",
        ports: [{ name: "http", protocol: "TCP", port: 80 }], endpoints: [{ addresses: ["10.1.2.3"] }] },
    ];
    for (const o of objs) expect(causes(o), o.kind).toEqual([]);
  });
});

describe("metadata", () => {
  it("requires a name", () => {
    const o = clone(POD); delete o.metadata.name;
    expect(causes(o)).toEqual([cause("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")]);
  });

  it("rejects a name that is not a DNS-1123 subdomain", () => {
    const o = clone(POD); o.metadata.name = "Bad_Name";
    expect(causes(o)).toEqual([cause("FieldValueInvalid", "metadata.name",
      `Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${REGEX_1123_SUBDOMAIN}')`)]);
  });

  it("uses DNS-1035 labels for Services and DNS-1123 labels for Namespaces", () => {
    const s = clone(SERVICE); s.metadata.name = "1web";
    expect(causes(s)).toEqual([cause("FieldValueInvalid", "metadata.name",
      `Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`)]);
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "a.b" } };
    expect(causes(ns)).toEqual([cause("FieldValueInvalid", "metadata.name", `Invalid value: "a.b": must not contain dots`)]);
  });

  it("requires a namespace for namespaced kinds and ignores it on cluster-scoped ones", () => {
    const o = clone(POD); delete o.metadata.namespace;
    expect(causes(o)).toEqual([cause("FieldValueRequired", "metadata.namespace", "Required value")]);
    // The real server clears it before validation (EnsureObjectNamespaceMatchesRequestNamespace).
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "x", namespace: "default" } };
    expect(causes(ns)).toEqual([]);
  });

  it("checks label keys and values", () => {
    const o = clone(POD); o.metadata.labels = { "-bad": "ok", good: "bad value" };
    expect(causes(o)).toEqual([
      cause("FieldValueInvalid", "metadata.labels", `Invalid value: "-bad": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`),
      cause("FieldValueInvalid", "metadata.labels", `Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`),
    ]);
    o.metadata.labels = { ok: "x".repeat(64) };
    expect(causes(o)[0].message).toMatch(/^Invalid value: "x{64}": must be no more than 63 characters$/);
  });

  it("limits annotations to 256 KiB in total", () => {
    const o = clone(POD); o.metadata.annotations = { big: "x".repeat(262144) };
    expect(causes(o)).toEqual([cause("FieldValueTooLong", "metadata.annotations", "Too long: may not be more than 262144 bytes")]);
  });
});

describe("pod spec", () => {
  it("requires containers", () => {
    const o = clone(POD); o.spec.containers = [];
    expect(causes(o)).toEqual([cause("FieldValueRequired", "spec.containers", "Required value")]);
  });

  it("requires an image and unique container names, also across init containers", () => {
    const o = clone(POD);
    o.spec.containers = [container({ image: "" }), container({ name: "nginx", ports: [] })];
    o.spec.initContainers = [container({ name: "nginx", ports: [] })];
    expect(causes(o)).toEqual([
      cause("FieldValueRequired", "spec.containers[0].image", "Required value"),
      cause("FieldValueDuplicate", "spec.containers[1].name", `Duplicate value: "nginx"`),
      cause("FieldValueDuplicate", "spec.initContainers[0].name", `Duplicate value: "nginx"`),
    ]);
  });

  it("validates ports", () => {
    const o = clone(POD);
    o.spec.containers[0].ports = [{ containerPort: 70000, protocol: "TCP", name: "web" }, { containerPort: 81, protocol: "HTTP", name: "web" }, { containerPort: 82, protocol: "TCP", name: "Web--" }];
    expect(causes(o)).toEqual([
      cause("FieldValueInvalid", "spec.containers[0].ports[0].containerPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
      cause("FieldValueDuplicate", "spec.containers[0].ports[1].name", `Duplicate value: "web"`),
      cause("FieldValueNotSupported", "spec.containers[0].ports[1].protocol", `Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`),
      cause("FieldValueInvalid", "spec.containers[0].ports[2].name", `Invalid value: "Web--": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`),
      cause("FieldValueInvalid", "spec.containers[0].ports[2].name", `Invalid value: "Web--": must not contain consecutive hyphens`),
      cause("FieldValueInvalid", "spec.containers[0].ports[2].name", `Invalid value: "Web--": must not begin or end with a hyphen`),
    ]);
  });

  it("validates enums with the real supported lists", () => {
    const o = clone(POD);
    o.spec.restartPolicy = "Sometimes"; o.spec.dnsPolicy = "Google"; o.spec.containers[0].imagePullPolicy = "Maybe";
    expect(causes(o)).toEqual([
      cause("FieldValueNotSupported", "spec.containers[0].imagePullPolicy", `Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"`),
      cause("FieldValueNotSupported", "spec.restartPolicy", `Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`),
      cause("FieldValueNotSupported", "spec.dnsPolicy", `Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"`),
    ]);
  });

  it("validates resources", () => {
    const o = clone(POD);
    o.spec.containers[0].resources = { limits: { cpu: "500m", memory: "abc" }, requests: { cpu: "1", memory: "-1Gi" } };
    expect(causes(o)).toEqual([
      cause("FieldValueInvalid", "spec.containers[0].resources.limits[memory]", `Invalid value: "abc": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`),
      cause("FieldValueInvalid", "spec.containers[0].resources.requests[memory]", `Invalid value: "-1Gi": must be greater than or equal to 0`),
      cause("FieldValueInvalid", "spec.containers[0].resources.requests", `Invalid value: "1": must be less than or equal to cpu limit of 500m`),
    ]);
    o.spec.containers[0].resources = { limits: { gpu: "1" } };
    expect(causes(o)).toEqual([
      cause("FieldValueInvalid", "spec.containers[0].resources.limits[gpu]", `Invalid value: "gpu": must be a standard resource type or fully qualified`),
      cause("FieldValueInvalid", "spec.containers[0].resources.limits[gpu]", `Invalid value: "gpu": must be a standard resource for containers`),
    ]);
  });

  it("validates env var names (relaxed rule of 1.32) and valueFrom", () => {
    const o = clone(POD);
    o.spec.containers[0].env = [{ name: "1_OK" }, { name: "A=B" }, { name: "X", value: "v", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }];
    expect(causes(o)).toEqual([
      cause("FieldValueInvalid", "spec.containers[0].env[1].name", `Invalid value: "A=B": environment variable name must consist only of printable ASCII characters other than '='`),
      cause("FieldValueInvalid", "spec.containers[0].env[2].valueFrom", `Invalid value: "": may not be specified when \`value\` is not empty`),
    ]);
  });

  it("validates volumes and mounts", () => {
    const o = clone(POD);
    o.spec.volumes = [{ name: "data", emptyDir: {}, hostPath: { path: "/x" } }, { name: "data", configMap: { name: "c" } }, { name: "Bad" }];
    o.spec.containers[0].volumeMounts = [{ name: "missing", mountPath: "/a" }, { name: "data", mountPath: "" }];
    expect(causes(o)).toEqual([
      cause("FieldValueForbidden", "spec.volumes[0].emptyDir", "Forbidden: may not specify more than 1 volume type"),
      cause("FieldValueDuplicate", "spec.volumes[1].name", `Duplicate value: "data"`),
      cause("FieldValueRequired", "spec.volumes[2]", "Required value: must specify a volume type"),
      cause("FieldValueInvalid", "spec.volumes[2].name", `Invalid value: "Bad": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`),
      cause("FieldValueNotFound", "spec.containers[0].volumeMounts[0].name", `Not found: "missing"`),
      cause("FieldValueRequired", "spec.containers[0].volumeMounts[1].mountPath", "Required value"),
    ]);
  });

  it("validates probes", () => {
    const o = clone(POD);
    o.spec.containers[0].livenessProbe = { periodSeconds: -1, successThreshold: 2, timeoutSeconds: 1, failureThreshold: 3 };
    o.spec.containers[0].readinessProbe = { exec: { command: ["true"] }, tcpSocket: { port: 80 }, periodSeconds: 10, successThreshold: 1 };
    expect(causes(o)).toEqual([
      cause("FieldValueRequired", "spec.containers[0].livenessProbe", "Required value: must specify a handler type"),
      cause("FieldValueInvalid", "spec.containers[0].livenessProbe.periodSeconds", "Invalid value: -1: must be greater than or equal to 0"),
      cause("FieldValueInvalid", "spec.containers[0].livenessProbe.successThreshold", "Invalid value: 2: must be 1"),
      cause("FieldValueForbidden", "spec.containers[0].readinessProbe.tcpSocket", "Forbidden: may not specify more than 1 handler type"),
    ]);
  });

  it("validates tolerations, nodeSelector and activeDeadlineSeconds", () => {
    const o = clone(POD);
    o.spec.tolerations = [{ key: "k", operator: "Exists", value: "v" }, { key: "k", operator: "Maybe", effect: "Never" }];
    o.spec.nodeSelector = { "bad key": "x" };
    o.spec.activeDeadlineSeconds = 0;
    const got = causes(o);
    expect(got.map((c) => [c.field, c.reason])).toEqual([
      ["spec.nodeSelector", "FieldValueInvalid"],
      ["spec.activeDeadlineSeconds", "FieldValueInvalid"],
      ["spec.tolerations[0].operator", "FieldValueInvalid"],
      ["spec.tolerations[1].operator", "FieldValueNotSupported"],
      ["spec.tolerations[1].effect", "FieldValueNotSupported"],
    ]);
    expect(got[1].message).toBe("Invalid value: 0: must be between 1 and 2147483647, inclusive");
    expect(got[2].message).toMatch(/^Invalid value: core\.Toleration\{Key:"k", Operator:"Exists", Value:"v".*: value must be empty when `operator` is 'Exists'$/);
    expect(got[3].message).toBe(`Unsupported value: "Maybe": supported values: "Equal", "Exists"`);
    expect(got[4].message).toBe(`Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"`);
  });
});

describe("workloads", () => {
  it("reports a missing selector together with the label mismatch", () => {
    const o = clone(DEPLOYMENT); delete o.spec.selector;
    expect(causes(o)).toEqual([
      cause("FieldValueRequired", "spec.selector", "Required value"),
      cause("FieldValueInvalid", "spec.template.metadata.labels", `Invalid value: map[string]string{"app":"nginx"}: \`selector\` does not match template \`labels\``),
    ]);
  });

  it("rejects an empty selector and mismatching labels", () => {
    const o = clone(DEPLOYMENT); o.spec.selector = {};
    expect(causes(o)).toEqual([cause("FieldValueInvalid", "spec.selector",
      "Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for deployment")]);
    const m = clone(DEPLOYMENT); m.spec.template.metadata.labels = { app: "x", tier: "web" };
    expect(causes(m)).toEqual([cause("FieldValueInvalid", "spec.template.metadata.labels",
      `Invalid value: map[string]string{"app":"x", "tier":"web"}: \`selector\` does not match template \`labels\``)]);
  });

  it("checks replicas, restartPolicy and the rolling update parameters", () => {
    const o = clone(DEPLOYMENT);
    o.spec.replicas = -1; o.spec.template.spec.restartPolicy = "Never";
    o.spec.strategy.rollingUpdate = { maxUnavailable: 0, maxSurge: "0%" };
    o.spec.progressDeadlineSeconds = 5; o.spec.minReadySeconds = 10;
    expect(causes(o)).toEqual([
      cause("FieldValueInvalid", "spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
      cause("FieldValueNotSupported", "spec.template.spec.restartPolicy", `Unsupported value: "Never": supported values: "Always"`),
      cause("FieldValueInvalid", "spec.strategy.rollingUpdate.maxUnavailable", "Invalid value: 0: may not be 0 when `maxSurge` is 0"),
      cause("FieldValueInvalid", "spec.progressDeadlineSeconds", "Invalid value: 5: must be greater than minReadySeconds"),
    ]);
    const p = clone(DEPLOYMENT); p.spec.strategy.rollingUpdate.maxSurge = "abc"; p.spec.strategy.type = "RollingUpdate";
    expect(causes(p)).toEqual([cause("FieldValueInvalid", "spec.strategy.rollingUpdate.maxSurge",
      "Invalid value: abc: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")]);
    const t = clone(DEPLOYMENT); t.spec.strategy = { type: "BlueGreen" };
    expect(causes(t)[0].message).toBe(`Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"`);
  });

  it("validates container errors inside the template with its path", () => {
    const o = clone(DEPLOYMENT); o.spec.template.spec.containers[0].image = "";
    expect(causes(o)).toEqual([cause("FieldValueRequired", "spec.template.spec.containers[0].image", "Required value")]);
  });

  it("makes the selector immutable on update", () => {
    const o = clone(DEPLOYMENT);
    o.spec.selector = { matchLabels: { app: "nginx2" } }; o.spec.template.metadata.labels = { app: "nginx2" };
    expect(validateUpdate(o, DEPLOYMENT)).toEqual([cause("FieldValueInvalid", "spec.selector",
      "Invalid value: &LabelSelector{MatchLabels:map[string]string{app: nginx2,},MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable")]);
    const scaled = clone(DEPLOYMENT); scaled.spec.replicas = 5;
    expect(validateUpdate(scaled, DEPLOYMENT)).toEqual([]);
  });

  it("forbids StatefulSet spec changes outside the mutable fields", () => {
    const sts: KubeObject = {
      apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "web", namespace: "default" },
      spec: { serviceName: "nginx", replicas: 3, selector: { matchLabels: { app: "nginx" } }, podManagementPolicy: "OrderedReady",
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
        template: { metadata: { labels: { app: "nginx" } }, spec: podSpec({ containers: [container({ volumeMounts: [{ name: "www", mountPath: "/usr/share/nginx/html" }] })] }) },
        volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }] },
    };
    expect(causes(sts)).toEqual([]);
    const changed = clone(sts); changed.spec.serviceName = "other";
    expect(validateUpdate(changed, sts)).toEqual([cause("FieldValueForbidden", "spec",
      "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")]);
  });
});

describe("batch", () => {
  it("requires OnFailure or Never for Jobs and validates counts", () => {
    const o = clone(JOB); o.spec.template.spec.restartPolicy = "Always"; o.spec.backoffLimit = -1;
    expect(causes(o)).toEqual([
      cause("FieldValueInvalid", "spec.backoffLimit", "Invalid value: -1: must be greater than or equal to 0"),
      cause("FieldValueNotSupported", "spec.template.spec.restartPolicy", `Unsupported value: "Always": supported values: "OnFailure", "Never"`),
    ]);
  });

  it("requires a matching selector when manualSelector is set", () => {
    const o = clone(JOB); o.spec.manualSelector = true; o.spec.selector = { matchLabels: { app: "other" } };
    expect(causes(o)).toEqual([cause("FieldValueInvalid", "spec.template.metadata.labels",
      `Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"1234", "batch.kubernetes.io/job-name":"pi", "controller-uid":"1234", "job-name":"pi"}: \`selector\` does not match template \`labels\``)]);
  });

  it("keeps the Job template and completions immutable", () => {
    const o = clone(JOB); o.spec.completions = 2; o.spec.template.spec.containers[0].image = "perl:5.36";
    expect(validateUpdate(o, JOB)).toEqual([
      cause("FieldValueInvalid", "spec.completions", "Invalid value: 2: field is immutable"),
      cause("FieldValueInvalid", "spec.template", "Invalid value: core.PodTemplateSpec{...}: field is immutable"),
    ]);
  });

  it("validates CronJob schedules and enums", () => {
    const o = clone(CRONJOB); o.spec.schedule = "bad"; o.spec.concurrencyPolicy = "Sometimes";
    expect(causes(o)).toEqual([
      cause("FieldValueInvalid", "spec.schedule", `Invalid value: "bad": expected exactly 5 fields, found 1: [bad]`),
      cause("FieldValueNotSupported", "spec.concurrencyPolicy", `Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"`),
    ]);
    const r = clone(CRONJOB); delete r.spec.schedule;
    expect(causes(r)).toEqual([cause("FieldValueRequired", "spec.schedule", "Required value")]);
    const tz = clone(CRONJOB); tz.spec.timeZone = "Mars/Olympus";
    expect(causes(tz)).toEqual([cause("FieldValueInvalid", "spec.timeZone", `Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus`)]);
    tz.spec.timeZone = "America/New_York";
    expect(causes(tz)).toEqual([]);
  });

  it("parses cron like robfig/cron", () => {
    for (const ok of ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "*/5 * * * *", "0 0 1-15/2 JAN-jun MON,wed,FRI", "0 9 * * 1-5", "@every 1h30m"]) {
      expect(cronError(ok), ok).toBeUndefined();
    }
    expect(cronError("60 * * * *")).toBe("end of range (60) above maximum (59): 60");
    expect(cronError("* * 0 * *")).toBe("beginning of range (0) below minimum (1): 0");
    expect(cronError("5-1 * * * *")).toBe("beginning of range (5) beyond end of range (1): 5-1");
    expect(cronError("*/0 * * * *")).toBe("step of range should be a positive number: */0");
    expect(cronError("* * * FOO *")).toBe(`failed to parse int from FOO: strconv.Atoi: parsing "FOO": invalid syntax`);
    expect(cronError("@often")).toBe("unrecognized descriptor: @often");
  });
});

describe("service", () => {
  it("requires ports unless headless or ExternalName", () => {
    const o = clone(SERVICE); o.spec.ports = [];
    expect(causes(o)).toEqual([cause("FieldValueRequired", "spec.ports", "Required value")]);
    o.spec.clusterIP = "None"; o.spec.clusterIPs = ["None"];
    expect(causes(o)).toEqual([]);
  });

  it("validates ports, names, type and nodePort", () => {
    const o = clone(SERVICE);
    o.spec.ports = [{ port: 0, protocol: "TCP", targetPort: 70000 }, { name: "a", port: 81, protocol: "ICMP", targetPort: "http", nodePort: 30080 }];
    o.spec.sessionAffinity = "Sticky";
    expect(causes(o)).toEqual([
      cause("FieldValueRequired", "spec.ports[0].name", "Required value"),
      cause("FieldValueInvalid", "spec.ports[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive"),
      cause("FieldValueInvalid", "spec.ports[0].targetPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
      cause("FieldValueNotSupported", "spec.ports[1].protocol", `Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"`),
      cause("FieldValueNotSupported", "spec.sessionAffinity", `Unsupported value: "Sticky": supported values: "ClientIP", "None"`),
      cause("FieldValueForbidden", "spec.ports[1].nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'"),
    ]);
    const t = clone(SERVICE); t.spec.type = "Public";
    expect(causes(t)).toEqual([cause("FieldValueNotSupported", "spec.type", `Unsupported value: "Public": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`)]);
    const np = clone(SERVICE); np.spec.type = "NodePort"; np.spec.externalTrafficPolicy = "Cluster"; np.spec.ports[0].nodePort = 80;
    expect(causes(np)).toEqual([cause("FieldValueInvalid", "spec.ports[0].nodePort",
      "Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767")]);
  });

  it("requires externalName for ExternalName services", () => {
    const o: KubeObject = { apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: "prod" }, spec: { type: "ExternalName", sessionAffinity: "None" } };
    expect(causes(o)).toEqual([cause("FieldValueRequired", "spec.externalName", "Required value")]);
    o.spec.externalName = "my.database.example.com";
    expect(causes(o)).toEqual([]);
  });

  it("keeps the allocated clusterIP", () => {
    const o = clone(SERVICE); o.spec.clusterIP = "10.96.0.11"; o.spec.clusterIPs = ["10.96.0.11"];
    expect(validateUpdate(o, SERVICE)).toEqual([cause("FieldValueInvalid", "spec.clusterIPs[0]", `Invalid value: []string{"10.96.0.11"}: may not change once set`)]);
  });
});

describe("config and other kinds", () => {
  it("validates ConfigMap keys and size", () => {
    const o: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: { "bad key": "x", dup: "1" }, binaryData: { dup: "MQ==" } };
    expect(causes(o)).toEqual([
      cause("FieldValueInvalid", "data[bad key]", `Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`),
      cause("FieldValueInvalid", "data[dup]", `Invalid value: "dup": duplicate of key present in binaryData`),
    ]);
    const big: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, data: { a: "x".repeat(1048577) } };
    expect(causes(big)).toEqual([cause("FieldValueTooLong", "", "Too long: may not be more than 1048576 bytes")]);
  });

  it("requires the keys of typed Secrets", () => {
    const o: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" }, type: "kubernetes.io/tls", data: {} };
    expect(causes(o)).toEqual([cause("FieldValueRequired", "data[tls.crt]", "Required value"), cause("FieldValueRequired", "data[tls.key]", "Required value")]);
    const d: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" }, type: "kubernetes.io/dockerconfigjson", data: {} };
    expect(causes(d)).toEqual([cause("FieldValueRequired", "data[.dockerconfigjson]", "Required value")]);
  });

  it("locks immutable ConfigMaps", () => {
    const old: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" }, immutable: true, data: { a: "1" } };
    const n = clone(old); n.data.a = "2";
    expect(validateUpdate(n, old)).toEqual([cause("FieldValueForbidden", "data", "Forbidden: field is immutable when `immutable` is set")]);
  });

  it("validates HPA, PriorityClass, Event, EndpointSlice and ResourceQuota", () => {
    const hpa: KubeObject = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "h", namespace: "default" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment" }, minReplicas: 0, maxReplicas: 0 } };
    expect(causes(hpa)).toEqual([
      cause("FieldValueInvalid", "spec.minReplicas", "Invalid value: 0: must be greater than or equal to 1"),
      cause("FieldValueInvalid", "spec.maxReplicas", "Invalid value: 0: must be greater than 0"),
      cause("FieldValueRequired", "spec.scaleTargetRef.name", "Required value"),
    ]);
    hpa.spec = { scaleTargetRef: { kind: "Deployment", name: "d" }, minReplicas: 5, maxReplicas: 2 };
    expect(causes(hpa)).toEqual([cause("FieldValueInvalid", "spec.maxReplicas", "Invalid value: 2: must be greater than or equal to `minReplicas`")]);

    const pc: KubeObject = { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "too-high" }, value: 2000000000 };
    expect(causes(pc)).toEqual([cause("FieldValueForbidden", "value", "Forbidden: maximum allowed value of a user defined priority is 1000000000")]);
    pc.metadata.name = "system-mine"; pc.value = 1;
    expect(causes(pc)[0].message).toBe("Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class");

    const ev: KubeObject = { apiVersion: "v1", kind: "Event", metadata: { name: "e.1", namespace: "default" }, involvedObject: { kind: "Pod", name: "p", namespace: "other" }, reason: "X" };
    expect(causes(ev)).toEqual([cause("FieldValueInvalid", "involvedObject.namespace", `Invalid value: "other": does not match event.namespace`)]);

    const es: KubeObject = { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "e", namespace: "default" }, addressType: "IPv5", endpoints: [] };
    expect(causes(es)).toEqual([cause("FieldValueNotSupported", "addressType", `Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"`)]);

    const rq: KubeObject = { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: "default" }, spec: { hard: { pods: "-1", cpu: "1x" } } };
    expect(causes(rq)).toEqual([
      cause("FieldValueInvalid", "spec.hard[pods]", `Invalid value: "-1": must be greater than or equal to 0`),
      cause("FieldValueInvalid", "spec.hard[cpu]", `Invalid value: "1x": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`),
    ]);
  });
});

describe("pod updates", () => {
  it("allows image, activeDeadlineSeconds, added tolerations and binding", () => {
    const n = clone(POD);
    n.spec.containers[0].image = "nginx:1.25"; n.spec.activeDeadlineSeconds = 100; n.spec.nodeName = "node-1";
    n.spec.tolerations = [{ key: "k", operator: "Exists", effect: "NoSchedule" }];
    expect(validateUpdate(n, POD)).toEqual([]);
  });

  it("forbids other spec changes", () => {
    const n = clone(POD); n.spec.restartPolicy = "Never";
    const got = validateUpdate(n, POD);
    expect(got).toHaveLength(1);
    expect(got[0].field).toBe("spec");
    expect(got[0].reason).toBe("FieldValueForbidden");
    expect(got[0].message.startsWith("Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n")).toBe(true);
    const more = clone(POD); more.spec.containers.push(container({ name: "sidecar", ports: [] }));
    expect(validateUpdate(more, POD)).toEqual([cause("FieldValueForbidden", "spec.containers", "Forbidden: pod updates may not add or remove containers")]);
  });
});

describe("quantity canonical form", () => {
  it.each([["1000m", "1"], ["0.5", "500m"], ["1024Mi", "1Gi"], ["1536Mi", "1536Mi"], ["500", "500"], ["1.5Gi", "1536Mi"], ["2k", "2k"], ["1e3", "1e3"], ["100Ki", "100Ki"]])("%s → %s", (i, o) => {
    expect(qString(parseQ(i)!)).toBe(o);
  });
});
