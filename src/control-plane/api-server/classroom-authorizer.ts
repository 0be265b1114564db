// What RBAC would grant a student in a classroom: the bootstrap ClusterRole "edit" (aggregated
// with "view") bound in their own namespace, and read access elsewhere. The rule lists follow
// system:aggregate-to-edit and system:aggregate-to-view in
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (v1.32): writes only to what "edit"
// names (no */status, no pods/binding, bindings, events, leases, endpoints or endpointslices, and
// not the namespace's quota or limits), in their own namespace only; nothing cluster-scoped.
import type { Attributes, Authorizer, Decision } from "./auth";

export const STUDENTS_GROUP = "kubeclass:students";
export const STUDENT_PREFIX = "kubeclass:student:";
const READ = new Set(["get", "list", "watch"]);
/** bootstrappolicy's Write verbs. */
const WRITE = new Set(["create", "update", "patch", "delete", "deletecollection"]);

/** group → resources (and subresources) that "edit" may write, with every Write verb. */
const EDIT_WRITE: Record<string, Set<string>> = {
  "": new Set([
    "pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward",
    "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
    "services", "services/proxy", "persistentvolumeclaims", "configmaps", "secrets",
  ]),
  apps: new Set([
    "statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale", "deployments/rollback",
    "replicasets", "replicasets/scale",
  ]),
  autoscaling: new Set(["horizontalpodautoscalers"]),
  batch: new Set(["jobs", "cronjobs"]),
  extensions: new Set([
    "daemonsets", "deployments", "deployments/scale", "deployments/rollback", "ingresses",
    "replicasets", "replicasets/scale", "replicationcontrollers/scale", "networkpolicies",
  ]),
  policy: new Set(["poddisruptionbudgets"]),
  "networking.k8s.io": new Set(["networkpolicies", "ingresses"]),
};

/** Rules of "edit" that grant "create" only. */
const EDIT_CREATE_ONLY: Record<string, Set<string>> = {
  "": new Set(["pods/eviction", "serviceaccounts/token"]),
};

/** system:basic-user: anyone may ask what they themselves may do. */
const SELF_REVIEWS: Record<string, Set<string>> = {
  "authorization.k8s.io": new Set(["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
  "authentication.k8s.io": new Set(["selfsubjectreviews"]),
};

const has = (table: Record<string, Set<string>>, group: string, res: string) => table[group]?.has(res) ?? false;

export function studentNamespace(name: string): string {
  return `student-${name}`;
}

/** Whether "edit" bound in a namespace allows this write there. */
export function editAllowsWrite(verb: string, group: string, res: string): boolean {
  if (WRITE.has(verb) && has(EDIT_WRITE, group, res)) return true;
  return verb === "create" && has(EDIT_CREATE_ONLY, group, res);
}

export const classroomAuthorizer: Authorizer = {
  authorize(a: Attributes): Decision {
    if (!a.user.groups.includes(STUDENTS_GROUP) || !a.user.username.startsWith(STUDENT_PREFIX)) return { allowed: false };
    const own = studentNamespace(a.user.username.slice(STUDENT_PREFIX.length));
    if (!a.isResourceRequest) return { allowed: a.verb === "get" }; // discovery, /version, OpenAPI
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    if (a.verb === "create" && has(SELF_REVIEWS, a.group, res)) return { allowed: true }; // "can I?", "who am I?"
    if (READ.has(a.verb)) {
      // Reading: everything a classroom shows (view's reads, plus nodes and other cluster-scoped
      // objects the lessons look at), except other people's Secrets; a list across namespaces
      // would include them.
      if (a.resource === "secrets" && a.group === "" && a.namespace !== own) return { allowed: false };
      return { allowed: true };
    }
    // Writing: only what "edit" grants, and only in their own namespace.
    return { allowed: a.namespace === own && editAllowsWrite(a.verb, a.group, res) };
  },
};
