// Students in a classroom: each joins with the join link, gets a namespace of their own
// (student-<name>), a credential, and a kubeconfig whose rights are what RBAC's "edit" in that
// namespace and "view" elsewhere would give.
import { STUDENT_PREFIX, STUDENTS_GROUP, studentNamespace } from "../control-plane/api-server/classroom-authorizer";
import type { Registry } from "../control-plane/api-server/registry/store";
import { NAMESPACES, RESOURCE_QUOTAS } from "../control-plane/api-server/resources";
import { errors } from "../control-plane/api-server/status";
import type { Sql } from "../control-plane/etcd/sql";
import { kubeconfig } from "./create";
import type { Credentials } from "./credentials";
import { invalidField } from "./refusal";

export interface StudentJoin {
  name: string;
  namespace: string;
  token: string;
  kubeconfig: string;
}

/** A DNS-1123 label once prefixed: lowercase letters, digits and '-', 1 to 30 characters. */
const NAME = /^[a-z0-9]([-a-z0-9]{0,28}[a-z0-9])?$/;
/** Each student's share of the cluster; the instructor can change it. */
export const DEFAULT_STUDENT_QUOTA = { pods: "20", services: "10" };

export interface StudentQuota {
  pods?: string;
  cpu?: string; // requests.cpu: pods must then declare cpu requests, as on a real cluster
  memory?: string; // requests.memory
}

/**
 * Object counts every student namespace is held to, so one student cannot fill the shared store
 * (ResourceQuota object-count resources, enforced by quota admission with the real message).
 * NodePorts are few (2,768 for the whole classroom); a lesson needs one or two.
 * Events: students cannot write them, but the kubelets and controllers write them in the
 * student's namespace for the student's pods. 1,000 is a busy hour of a full quota (20 pods at the
 * correlator's burst of 25 Events each, plus the controllers' own) within the 1 h Event TTL, at
 * about 1 KiB each a small share of the namespace's 8 MiB; past it an Event is refused (403) and
 * dropped as best effort, and the pods go on. Written "1k", the canonical form the API server
 * gives a Quantity of 1000, so the quota and its messages read as a real cluster's.
 */
export const DEFAULT_STUDENT_COUNTS: Record<string, string> = {
  "count/configmaps": "50", "count/secrets": "50", persistentvolumeclaims: "10",
  "services.nodeports": "5", "services.loadbalancers": "2", "count/events": "1k",
};

/** The ResourceQuota hard limits for a student quota setting. */
export function quotaHard(q: StudentQuota): Record<string, string> {
  const hard: Record<string, string> = {
    pods: q.pods ?? DEFAULT_STUDENT_QUOTA.pods, services: DEFAULT_STUDENT_QUOTA.services, ...DEFAULT_STUDENT_COUNTS,
  };
  if (q.cpu) hard["requests.cpu"] = q.cpu;
  if (q.memory) hard["requests.memory"] = q.memory;
  return hard;
}

/** Applies the per-student quota to every student namespace (and, through the caller, to new ones). */
export function applyStudentQuota(reg: Registry, q: StudentQuota, now: Date): number {
  const ctx = { user: { username: "kubeclass:classroom", groups: ["system:masters"] }, now, fieldManager: "kubeclass" };
  const quotas = RESOURCE_QUOTAS;
  let n = 0;
  for (const ns of reg.list(NAMESPACES, undefined).items) {
    if (!ns.metadata.labels?.["kubeclass.dev/student"] || ns.metadata.deletionTimestamp) continue;
    const name = ns.metadata.name!;
    if (reg.tryGet(quotas, name, "student-quota")) reg.guaranteedUpdate(quotas, name, "student-quota", ctx, (cur) => ({ ...cur, spec: { ...cur.spec, hard: quotaHard(q) } }));
    else reg.create(quotas, name, { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "student-quota" }, spec: { hard: quotaHard(q) } }, ctx);
    n++;
  }
  return n;
}

export function addStudent(
  reg: Registry, sql: Sql, creds: Credentials,
  o: { id: string; name: unknown; token: string; tokenHash: string; origin: string; now: Date; quota?: StudentQuota },
): StudentJoin {
  if (typeof o.name !== "string" || !NAME.test(o.name)) {
    const message = `Invalid value: ${JSON.stringify(o.name)}: a name must be 1 to 30 lowercase letters, digits or '-', starting and ending with a letter or digit`;
    throw invalidField("name", message, "Student", typeof o.name === "string" ? o.name : "");
  }
  const name = o.name;
  const username = `${STUDENT_PREFIX}${name}`;
  if (creds.holds("student", username))
    throw errors.conflictMessage(`a student named "${name}" is already in this classroom`);
  const namespace = studentNamespace(name);
  const ctx = { user: { username: "kubeclass:classroom", groups: ["system:masters"] }, now: o.now, fieldManager: "kubeclass" };
  const nsR = NAMESPACES;
  if (reg.tryGet(nsR, undefined, namespace)) throw errors.conflictMessage(`namespace "${namespace}" already exists`);
  sql.transaction(() => {
    reg.create(nsR, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: { "kubeclass.dev/student": name } } }, ctx);
    reg.create(RESOURCE_QUOTAS, namespace, {
      apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "student-quota", namespace }, spec: { hard: quotaHard(o.quota ?? {}) },
    }, ctx);
    creds.add(o.tokenHash, "student", { username, groups: [STUDENTS_GROUP, "system:authenticated"] }, o.now.toISOString());
  });
  return { name, namespace, token: o.token, kubeconfig: kubeconfig({ origin: o.origin, id: o.id, classroomName: "", user: name, token: o.token, namespace }) };
}
